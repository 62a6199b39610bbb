package io.trackpipe.collector.http;

import io.trackpipe.collector.kafka.KafkaUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The answers that refuse a request before or instead of judging its events; none of them touches Kafka. */
final class Refusals {
  private static final Logger LOG = LoggerFactory.getLogger(Refusals.class);
  private static final String RETRY_AFTER_SECONDS = "1";

  private Refusals() {}

  /**
   * A refusal is answered without reading the request body, so the connection cannot be reused: say so. Otherwise a
   * client may send its next request on a connection the server is closing, and see it cut off with no answer.
   */
  private static void closeAfterAnswer(Exchange exchange) {
    exchange.response().getHeaders().put(HttpHeader.CONNECTION, "close");
  }

  static void missingKey(Exchange exchange) {
    closeAfterAnswer(exchange);
    exchange.error(401, "missing_write_key", "send a write key in the " + WriteKeys.HEADER + " header or the '"
        + WriteKeys.PARAMETER + "' query parameter");
  }

  static void invalidKey(Exchange exchange) {
    closeAfterAnswer(exchange);
    exchange.error(401, "invalid_write_key", "the write key is not one of collector.write-keys");
  }

  static void bodyTimedOut(Exchange exchange, long receivedBytes, Duration timeout) {
    closeAfterAnswer(exchange);
    exchange.error(408, "body_timeout", "the request body did not arrive in full within " + timeout.toMillis()
        + " ms (collector.http.body-timeout; " + receivedBytes + " bytes had); nothing in it was stored: send it again");
  }

  static void tooManyRequests(Exchange exchange, int limit) {
    closeAfterAnswer(exchange);
    exchange.response().getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
    exchange.error(429, "too_many_requests", "this address already has " + limit + " requests in flight"
        + " (collector.http.max-requests-per-client); send it again when one is answered");
  }

  static void malformedQuery(Exchange exchange, String detail) {
    closeAfterAnswer(exchange);
    exchange.error(400, "malformed_query", "the query string is not valid URL encoding (" + detail + "): encode '%' as"
        + " %25 and every other reserved byte as %XX; nothing was stored");
  }

  static void kafkaUnavailable(Exchange exchange, String problem) {
    closeAfterAnswer(exchange);
    exchange.response().getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
    exchange.error(503, "kafka_unavailable", "events cannot be stored now (" + problem + "); nothing in this request"
        + " was acknowledged: send it again later");
  }

  static void topicsMissing(Exchange exchange, String domain) {
    closeAfterAnswer(exchange);
    exchange.response().getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
    exchange.error(503, "topics_missing", "domain '" + domain + "' cannot take events yet: its Kafka topics do not exist"
        + " (the stream creates them when it starts streaming the domain); nothing in this request was acknowledged:"
        + " send it again later");
  }

  static void kafkaFailed(Exchange exchange, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (!(cause instanceof KafkaUnavailableException)) {
      internalError(exchange, cause);
      return;
    }
    kafkaUnavailable(exchange, "Kafka did not acknowledge in time");
  }

  static void overloaded(Exchange exchange) {
    closeAfterAnswer(exchange);
    exchange.response().getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
    exchange.error(503, "overloaded", "too many bytes are waiting for Kafka (collector.kafka.max-in-flight-bytes);"
        + " send it again later");
  }

  /** A bug, not bad input: logged with its stack trace here, answered without it. */
  static void internalError(Exchange exchange, Throwable failure) {
    LOG.error("Request {} on {} failed", exchange.requestId(), exchange.route(), failure);
    exchange.error(500, "internal_error", "the collector failed on this request (request id " + exchange.requestId()
        + " in its log); nothing in it was acknowledged");
  }
}
