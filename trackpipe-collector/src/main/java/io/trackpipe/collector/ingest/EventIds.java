package io.trackpipe.collector.ingest;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Version-1 (time-based) UUIDs for events the collector receives without their id, in the same form the trackers
 * send. The timestamp is the receive time. Uniqueness does not rely on the clock (many events share a millisecond):
 * the 14-bit clock sequence and the low 24 bits of the node carry a per-instance counter, unique for 2^38 ids; the
 * node's high 24 bits are random per instance, so collectors behind one load balancer do not collide. Thread-safe.
 */
public final class EventIds implements AssignedIds {
  /** 100-nanosecond intervals between the UUID epoch (1582-10-15) and the Unix epoch. */
  private static final long GREGORIAN_TO_UNIX_100NS = 0x01B21DD213814000L;
  private static final long VERSION_1 = 0x1000L;
  private static final long VARIANT_RFC_4122 = 0x8000_0000_0000_0000L;
  /** RFC 4122 §4.5: a node id that is not a MAC address has the multicast bit set. */
  private static final long MULTICAST_BIT_OF_PREFIX = 1L << 16;

  private final long nodePrefix;
  private final AtomicLong counter = new AtomicLong();

  public EventIds() {
    this.nodePrefix = (new SecureRandom().nextLong() & 0xFF_FFFFL) | MULTICAST_BIT_OF_PREFIX;
  }

  @Override
  public String idFor(byte[] event, long receivedAtMillis) {
    return next(receivedAtMillis).toString();
  }

  /** A new id stamped with {@code epochMillis}. */
  public UUID next(long epochMillis) {
    long timestamp = epochMillis * 10_000L + GREGORIAN_TO_UNIX_100NS;
    long mostSignificant = (timestamp & 0xFFFF_FFFFL) << 32 // time_low
        | ((timestamp >>> 32) & 0xFFFFL) << 16 // time_mid
        | VERSION_1
        | ((timestamp >>> 48) & 0x0FFFL); // time_hi
    long sequence = counter.getAndIncrement();
    long clockSequence = sequence & 0x3FFFL;
    long node = nodePrefix << 24 | ((sequence >>> 14) & 0xFF_FFFFL);
    return new UUID(mostSignificant, VARIANT_RFC_4122 | clockSequence << 48 | node);
  }
}
