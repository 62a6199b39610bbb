package io.trackpipe.domain;

import static java.util.Objects.requireNonNull;

/**
 * A check across fields: an event for which {@code when} holds must satisfy {@code require}, or it is rejected with
 * the reason {@code rule:<name>} (the dead letter's reason, the metrics' label) and {@code message}.
 *
 * @param when the events the rule applies to; {@link Condition#ALWAYS} for every event
 */
public record Rule(String name, Condition when, Condition require, String message) implements java.io.Serializable {
  public Rule {
    requireNonNull(name, "name is null");
    requireNonNull(when, "when is null");
    requireNonNull(require, "require is null");
    requireNonNull(message, "message is null");
  }

  /** The rejection reason: {@code rule:<name>}. */
  public String reason() {
    return "rule:" + name;
  }
}
