package io.trackpipe.event.legacy;

import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;

import static java.util.Objects.requireNonNull;

/** The outcome of decoding one raw record: an event, or the reason it was rejected. */
public sealed interface DecodeResult {

  /** A valid event. */
  record Accepted(DecodedEvent event) implements DecodeResult {
    public Accepted {
      requireNonNull(event, "event is null");
    }
  }

  /** Bad input, with a machine-readable reason and a message a person can act on. */
  record Rejected(RejectReason reason, String message) implements DecodeResult {
    public Rejected {
      requireNonNull(reason, "reason is null");
      requireNonNull(message, "message is null");
    }
  }
}
