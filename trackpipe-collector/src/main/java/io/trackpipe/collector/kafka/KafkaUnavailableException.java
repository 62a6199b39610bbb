package io.trackpipe.collector.kafka;

/** Kafka did not acknowledge a request's records in time (or is known to be down): the request is answered 503. */
public final class KafkaUnavailableException extends RuntimeException {
  public KafkaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
