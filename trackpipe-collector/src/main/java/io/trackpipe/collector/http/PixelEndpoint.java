package io.trackpipe.collector.http;

import io.trackpipe.collector.ingest.TextEvent;
import io.trackpipe.collector.kafka.InFlightBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/{domain}/pixel.gif?key=…&field=…} (for job ads also {@code GET /v1/pixel.gif?key=…&job_id=…}): one
 * event of the domain from the query parameters ({@link TextEvent}), for e-mails and pages without JavaScript. Always
 * answers the 1×1 GIF: 200 when the event was accepted, 400 when it was rejected (kept as a dead letter; the reason is
 * in the {@value Exchange#ERROR_HEADER} header), 401/503 as for the events route. Events usually come without an id and a time: the collector assigns both where the domain lets it.
 */
final class PixelEndpoint {
  static final String ROUTE = "pixel";
  /** The last segment of every domain's pixel path. */
  static final String NAME = "pixel.gif";
  /** A pixel's share of the in-flight budget beyond its query: the JSON it becomes and the record around it. */
  private static final int OVERHEAD_BYTES = 512;

  private final String path;
  private final TextEvent pixels;
  private final Ingestion ingestion;
  private final InFlightBytes inFlight;

  /** @param path the domain's pixel path, named in dead letters */
  PixelEndpoint(String path, TextEvent pixels, Ingestion ingestion, InFlightBytes inFlight) {
    this.path = path;
    this.pixels = pixels;
    this.ingestion = ingestion;
    this.inFlight = inFlight;
  }

  /**
   * Called once the write key is checked and Kafka is known to be up.
   *
   * @param query the query's parameters in request order ({@link QueryString})
   */
  void handle(Exchange exchange, List<Map.Entry<String, String>> query) {
    String rawQuery = exchange.request().getHttpURI().getQuery();
    long share = (rawQuery == null ? 0 : rawQuery.length()) + OVERHEAD_BYTES;
    if (!inFlight.tryTake(share)) {
      Refusals.overloaded(exchange);
      return;
    }
    exchange.onAnswered(() -> inFlight.giveBack(share));
    long receivedAt = System.currentTimeMillis();
    List<Map.Entry<String, String>> parameters = new ArrayList<>();
    for (Map.Entry<String, String> parameter : query) {
      if (!parameter.getKey().equals(WriteKeys.PARAMETER)) parameters.add(parameter); // the key is a secret, not data
    }
    byte[] event = pixels.fromQuery(parameters);
    String source = "http:" + path + "/" + exchange.requestId();
    ingestion.ingest(List.of(event), receivedAt, source).whenComplete((outcome, failure) -> exchange.guard(() -> {
      if (failure != null) {
        Refusals.kafkaFailed(exchange, failure);
      } else if (outcome.rejections().isEmpty()) {
        exchange.pixel(200);
      } else {
        exchange.error(400, outcome.rejections().get(0).code(), outcome.rejections().get(0).message());
      }
    }));
  }
}
