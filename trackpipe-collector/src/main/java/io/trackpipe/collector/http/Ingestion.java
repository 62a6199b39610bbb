package io.trackpipe.collector.http;

import io.trackpipe.collector.http.ResponseBodies.Rejection;
import io.trackpipe.collector.ingest.DomainIngestion;
import io.trackpipe.collector.ingest.IntakeResult;
import io.trackpipe.collector.metrics.CollectorMetrics;
import io.trackpipe.event.RejectReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the two ingest routes of one domain share: one request's events through the domain's {@link DomainIngestion},
 * completing once Kafka has acknowledged every record — or failing with
 * {@link io.trackpipe.collector.kafka.KafkaUnavailableException}, in which case nothing is counted and the client is
 * told to retry. Thread-safe.
 */
final class Ingestion {
  /** How a request's events were judged, once all are stored. */
  record Outcome(int accepted, List<Rejection> rejections) {}

  private final String domain;
  private final DomainIngestion ingestion;
  private final CollectorMetrics metrics;

  Ingestion(String domain, DomainIngestion ingestion, CollectorMetrics metrics) {
    this.domain = domain;
    this.ingestion = ingestion;
    this.metrics = metrics;
  }

  /**
   * @param source names the request in dead letters; each event's is {@code source#index}
   */
  CompletableFuture<Outcome> ingest(List<byte[]> events, long receivedAtMillis, String source) {
    DomainIngestion.Batch batch = ingestion.batch(receivedAtMillis);
    List<Rejection> rejections = new ArrayList<>();
    int accepted = 0;
    for (int index = 0; index < events.size(); index++) {
      IntakeResult result = batch.admit(events.get(index), source + "#" + index);
      if (result instanceof IntakeResult.Rejected rejected) {
        rejections.add(new Rejection(index, rejected.code(), rejected.message()));
      } else {
        accepted++;
      }
    }
    Outcome outcome = new Outcome(accepted, List.copyOf(rejections));
    return batch.send().thenApply(stored -> {
      metrics.eventsAccepted(domain, outcome.accepted());
      outcome.rejections().forEach(r -> metrics.eventRejected(domain, r.code()));
      return outcome;
    });
  }

  /** Keeps input refused as a whole (a broken array, too many events, an oversized body) as one dead letter. */
  CompletableFuture<Void> refuse(byte[] input, RejectReason reason, String message, long receivedAtMillis, String source) {
    DomainIngestion.Batch batch = ingestion.batch(receivedAtMillis);
    batch.refuse(input, reason, message, source);
    return batch.send().thenRun(() -> metrics.eventRejected(domain, reason.code()));
  }
}
