package io.trackpipe.domain;

import static java.util.Objects.requireNonNull;

/**
 * Which field is the event time (a {@link FieldType#TIMESTAMP} field).
 *
 * @param arrivalWhenMissing whether the collector stamps an event sent without it with the receive time (a pixel in
 *     an e-mail has no clock); the stream rejects one that reaches Kafka without it
 */
public record EventTime(String field, boolean arrivalWhenMissing) implements java.io.Serializable {
  public EventTime {
    requireNonNull(field, "field is null");
  }
}
