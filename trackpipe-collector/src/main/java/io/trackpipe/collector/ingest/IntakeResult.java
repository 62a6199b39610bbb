package io.trackpipe.collector.ingest;

import static java.util.Objects.requireNonNull;

import io.trackpipe.event.RejectReason;

/** What the collector does with one event: send it on, or keep it as a dead letter with the reason. */
public sealed interface IntakeResult {

  /**
   * A valid event, ready for the events topic.
   *
   * @param value the JSON object to write: the client's bytes, or a rewrite with the id and time the collector added
   * @param key the Kafka key (job id, else visitor id, else event id), so one job's or visitor's events keep their order
   */
  record Accepted(byte[] value, byte[] key) implements IntakeResult {
    public Accepted {
      requireNonNull(value, "value is null");
      requireNonNull(key, "key is null");
    }
  }

  /** Bad input; the caller keeps the original bytes in the dead-letter topic with this reason. */
  record Rejected(RejectReason reason, String message) implements IntakeResult {
    public Rejected {
      requireNonNull(reason, "reason is null");
      requireNonNull(message, "message is null");
    }
  }
}
