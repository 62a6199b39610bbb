package io.trackpipe.collector.http;

import io.trackpipe.collector.ingest.EventBatch;
import io.trackpipe.collector.kafka.InFlightBytes;
import io.trackpipe.event.RejectReason;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;

/**
 * {@code POST /v1/{domain}/events} (for job ads also {@code POST /v1/events}): a JSON array or JSON lines of events of
 * the domain. Answers 200 when every event was accepted, 400 when
 * some or all were rejected (the accepted ones are stored: do not send them again), each with the counts and, per
 * rejected event, its index and reason. The body as a whole can be refused: 413 when it is too large or holds too many
 * events, 400 when it is empty or the array is broken. Whatever was read and refused is kept in the dead-letter topic.
 * Any content type is taken: {@code navigator.sendBeacon} sends {@code text/plain}.
 */
final class EventsEndpoint {
  static final String ROUTE = "events";
  /** The last segment of every domain's events path. */
  static final String NAME = "events";

  private final String path;
  private final Ingestion ingestion;
  private final InFlightBytes inFlight;
  private final int maxBodyBytes;
  private final int maxEventsPerRequest;
  private final Duration bodyTimeout;

  /** @param path the domain's events path, named in dead letters */
  EventsEndpoint(String path, Ingestion ingestion, InFlightBytes inFlight, int maxBodyBytes, int maxEventsPerRequest,
      Duration bodyTimeout) {
    this.path = path;
    this.ingestion = ingestion;
    this.inFlight = inFlight;
    this.maxBodyBytes = maxBodyBytes;
    this.maxEventsPerRequest = maxEventsPerRequest;
    this.bodyTimeout = bodyTimeout;
  }

  /** Called once the write key is checked and Kafka is known to be up. */
  void handle(Exchange exchange) {
    long receivedAt = System.currentTimeMillis();
    String source = "http:" + path + "/" + exchange.requestId();
    BodyReader reader = BodyReader.start(exchange.request(), maxBodyBytes, bodyTimeout, inFlight);
    exchange.onAnswered(reader::release);
    reader.result().whenComplete((body, failure) -> exchange.guard(() -> {
      if (failure != null) {
        exchange.abort(failure);
      } else if (body instanceof BodyReader.Overloaded) {
        Refusals.overloaded(exchange);
      } else if (body instanceof BodyReader.TimedOut timedOut) {
        Refusals.bodyTimedOut(exchange, timedOut.received(), bodyTimeout);
      } else if (body instanceof BodyReader.TooLarge tooLarge) {
        String size = tooLarge.size() >= 0 ? tooLarge.size() + " bytes" : "more than " + maxBodyBytes + " bytes";
        String message = "request body of " + size + " exceeds the limit of " + maxBodyBytes
            + " bytes (collector.max-body-bytes); the dead letter keeps its first " + tooLarge.prefix().length + " bytes";
        // The rest of the body is not read: close the connection rather than drain it.
        exchange.response().getHeaders().put(HttpHeader.CONNECTION, "close");
        refuse(exchange, 413, tooLarge.prefix(), RejectReason.TOO_LARGE, message, receivedAt, source);
      } else {
        ingest(exchange, ((BodyReader.Complete) body).bytes(), receivedAt, source);
      }
    }));
  }

  private void ingest(Exchange exchange, byte[] body, long receivedAt, String source) {
    EventBatch.Split split = EventBatch.split(body, maxEventsPerRequest);
    if (split instanceof EventBatch.Refused refused) {
      int status = refused.reason() == RejectReason.TOO_LARGE ? 413 : 400;
      refuse(exchange, status, body, refused.reason(), refused.message(), receivedAt, source);
      return;
    }
    ingestion.ingest(((EventBatch.Events) split).events(), receivedAt, source)
        .whenComplete((outcome, failure) -> exchange.guard(() -> {
          if (failure != null) {
            Refusals.kafkaFailed(exchange, failure);
          } else {
            exchange.json(outcome.rejections().isEmpty() ? 200 : 400,
                ResponseBodies.verdicts(exchange.requestId(), outcome.accepted(), outcome.rejections()));
          }
        }));
  }

  private void refuse(Exchange exchange, int status, byte[] input, RejectReason reason, String message, long receivedAt,
      String source) {
    ingestion.refuse(input, reason, message, receivedAt, source).whenComplete((stored, failure) -> exchange.guard(() -> {
      if (failure != null) {
        Refusals.kafkaFailed(exchange, failure);
      } else {
        exchange.error(status, reason.code(), message);
      }
    }));
  }
}
