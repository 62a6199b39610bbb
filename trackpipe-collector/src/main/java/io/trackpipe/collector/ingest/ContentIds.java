package io.trackpipe.collector.ingest;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Ids derived from an event's bytes: the first 128 bits of their SHA-256, written as a UUID of version 8 (RFC 9562's
 * custom version). Equal events get equal ids whenever and wherever they are read, so a file imported again is counted
 * once downstream (within the stream's dedup horizon); two identical lines of one file are one event. Thread-safe.
 */
public final class ContentIds implements AssignedIds {
  private static final long VERSION_8 = 0x8000L;
  private static final long VARIANT_RFC_4122 = 0x8000_0000_0000_0000L;

  private final ThreadLocal<MessageDigest> sha256 = ThreadLocal.withInitial(ContentIds::newDigest);

  @Override
  public String idFor(byte[] event, long receivedAtMillis) {
    ByteBuffer hash = ByteBuffer.wrap(sha256.get().digest(event));
    long high = (hash.getLong() & ~0xF000L) | VERSION_8;
    long low = (hash.getLong() & 0x3FFF_FFFF_FFFF_FFFFL) | VARIANT_RFC_4122;
    return new UUID(high, low).toString();
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
