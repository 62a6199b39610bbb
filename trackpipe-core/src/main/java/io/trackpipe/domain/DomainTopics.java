package io.trackpipe.domain;

import static java.util.Objects.requireNonNull;

/** A domain's Kafka topics: its raw events, and the records rejected from them with their reason. */
public record DomainTopics(String events, String deadLetters) implements java.io.Serializable {
  public DomainTopics {
    requireNonNull(events, "events is null");
    requireNonNull(deadLetters, "deadLetters is null");
  }
}
