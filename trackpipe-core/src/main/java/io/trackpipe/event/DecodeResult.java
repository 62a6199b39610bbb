package io.trackpipe.event;

import static java.util.Objects.requireNonNull;

/** The outcome of decoding one raw record: an event, or the reason it was rejected. */
public sealed interface DecodeResult {

  /** A valid event. */
  record Accepted(DecodedEvent event) implements DecodeResult {
    public Accepted {
      requireNonNull(event, "event is null");
    }
  }

  /**
   * Bad input, with a machine-readable reason and a message a person can act on.
   *
   * @param rule the rule it breaks when {@code reason} is {@link RejectReason#RULE_VIOLATED}, else null
   */
  record Rejected(RejectReason reason, String message, String rule) implements DecodeResult {
    public Rejected {
      requireNonNull(reason, "reason is null");
      requireNonNull(message, "message is null");
    }

    public Rejected(RejectReason reason, String message) {
      this(reason, message, null);
    }

    /** What dead-letter headers and metrics carry: the reason's code, or {@code rule:<name>} for a broken rule. */
    public String code() {
      return rule == null ? reason.code() : "rule:" + rule;
    }
  }
}
