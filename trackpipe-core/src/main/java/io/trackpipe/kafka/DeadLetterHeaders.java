package io.trackpipe.kafka;

/**
 * Header names of a dead-letter record. Every component that rejects input (the streaming job, the HTTP collector)
 * writes the same four, all UTF-8 text, so one consumer can read every dead letter the same way. The record's key and
 * value are the original input, byte for byte, up to a size limit; the streaming job also writes {@link #ORIGINAL_SIZE}
 * and {@link #ORIGINAL_SHA256}, so a cut value is recognised and its original can be found.
 */
public final class DeadLetterHeaders {
  /** The {@link io.trackpipe.event.RejectReason} code, e.g. {@code wrong_type}. */
  public static final String REASON = "trackpipe.reason";
  /** The message a person can act on: the field and the offending value. */
  public static final String ERROR = "trackpipe.error";
  /**
   * Where the input came from, unique per input: {@code topic/partition/offset} for the streaming job,
   * {@code http:/v1/events/<request id>#<index>} for the collector. De-duplicate dead letters by it.
   */
  public static final String SOURCE = "trackpipe.source";
  /** When the input arrived, epoch milliseconds. */
  public static final String RECEIVED_AT = "trackpipe.received-at";

  /**
   * The original value's size in bytes (decimal text). Dead letters are bounded: when it is larger than the record's
   * value, the value was cut to its first bytes.
   */
  public static final String ORIGINAL_SIZE = "trackpipe.original-size";
  /** SHA-256 of the whole original value, lower-case hex: finds the original in another copy of the input. */
  public static final String ORIGINAL_SHA256 = "trackpipe.original-sha256";

  private DeadLetterHeaders() {}
}
