package io.trackpipe.generator;

import java.time.Instant;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Version-1 (time-based) UUIDs for {@code create_time}, as the trackers send them. The timestamp is the event time,
 * so the id and {@code ts} agree, including for late events. Uniqueness does not rely on the clock (many events share
 * one clock reading, and late events go back in time): the 14-bit clock sequence and the low 24 bits of the node
 * carry a per-generator counter, unique for 2^38 events; the node's high 24 bits come from the seed, so generators
 * with different seeds do not collide either. Not thread-safe.
 */
final class TimeUuidSequence {
  /** 100-nanosecond intervals between the UUID epoch (1582-10-15) and the Unix epoch. */
  private static final long GREGORIAN_TO_UNIX_100NS = 0x01B21DD213814000L;
  private static final long VERSION_1 = 0x1000L;
  private static final long VARIANT_RFC_4122 = 0x8000_0000_0000_0000L;
  /** RFC 4122 §4.5: a node id that is not a MAC address has the multicast bit set. */
  private static final long MULTICAST_BIT_OF_PREFIX = 1L << 16;

  private final long nodePrefix;
  private long counter;

  TimeUuidSequence(long seed) {
    this.nodePrefix = (new SplittableRandom(seed ^ 0x5DEECE66DL).nextLong() & 0xFF_FFFFL) | MULTICAST_BIT_OF_PREFIX;
  }

  UUID next(Instant eventTime) {
    long timestamp = eventTime.getEpochSecond() * 10_000_000L + eventTime.getNano() / 100 + GREGORIAN_TO_UNIX_100NS;
    long mostSignificant = (timestamp & 0xFFFF_FFFFL) << 32 // time_low
        | ((timestamp >>> 32) & 0xFFFFL) << 16 // time_mid
        | VERSION_1
        | ((timestamp >>> 48) & 0x0FFFL); // time_hi
    long sequence = counter++;
    long clockSequence = sequence & 0x3FFFL;
    long node = nodePrefix << 24 | ((sequence >>> 14) & 0xFF_FFFFL);
    long leastSignificant = VARIANT_RFC_4122 | clockSequence << 48 | node;
    return new UUID(mostSignificant, leastSignificant);
  }

  /** Writes the canonical 36-character form, quoted, without building a String. */
  static void writeQuoted(UUID id, JsonBuffer out) {
    long msb = id.getMostSignificantBits();
    long lsb = id.getLeastSignificantBits();
    out.raw((byte) '"');
    out.hex(msb >>> 32, 8);
    out.raw((byte) '-');
    out.hex(msb >>> 16, 4);
    out.raw((byte) '-');
    out.hex(msb, 4);
    out.raw((byte) '-');
    out.hex(lsb >>> 48, 4);
    out.raw((byte) '-');
    out.hex(lsb, 12);
    out.raw((byte) '"');
  }
}
