package io.trackpipe.collector.ingest;

import static java.util.Objects.requireNonNull;

import io.trackpipe.event.RejectReason;

/** What the collector does with one event: send it on, or keep it as a dead letter with the reason. */
public sealed interface IntakeResult {

  /**
   * A valid event, ready for its domain's events topic.
   *
   * @param value the JSON object to write: the client's bytes, or a rewrite with the id and time the collector added
   * @param key the Kafka key (the first non-null partition-key field, else the event id), so events with equal keys
   *     keep their order
   */
  record Accepted(byte[] value, byte[] key) implements IntakeResult {
    public Accepted {
      requireNonNull(value, "value is null");
      requireNonNull(key, "key is null");
    }
  }

  /**
   * Bad input; the caller keeps the original bytes in the dead-letter topic with this reason.
   *
   * @param code what answers, dead letters and metrics carry: the reason's code, or {@code rule:<name>} for a broken
   *     rule of the domain
   */
  record Rejected(RejectReason reason, String code, String message) implements IntakeResult {
    public Rejected {
      requireNonNull(reason, "reason is null");
      requireNonNull(code, "code is null");
      requireNonNull(message, "message is null");
    }

    /** A rejection whose code is the reason's own (every reason but a broken rule). */
    public Rejected(RejectReason reason, String message) {
      this(reason, reason.code(), message);
    }
  }
}
