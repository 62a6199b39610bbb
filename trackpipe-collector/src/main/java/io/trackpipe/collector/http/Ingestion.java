package io.trackpipe.collector.http;

import io.trackpipe.collector.http.ResponseBodies.Rejection;
import io.trackpipe.collector.ingest.EventIntake;
import io.trackpipe.collector.ingest.IntakeResult;
import io.trackpipe.collector.kafka.EventPublisher;
import io.trackpipe.collector.metrics.CollectorMetrics;
import io.trackpipe.domain.DomainTopics;
import io.trackpipe.event.RejectReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the two ingest routes of one domain share: judge each event with the domain's intake, send accepted ones to the
 * domain's events topic and rejected input to its dead-letter topic, and complete once Kafka has acknowledged every
 * record — or fail with {@link io.trackpipe.collector.kafka.KafkaUnavailableException}, in which case nothing is
 * counted and the client is told to retry. Thread-safe.
 */
final class Ingestion {
  /** How a request's events were judged, once all are stored. */
  record Outcome(int accepted, List<Rejection> rejections) {}

  private final String domain;
  private final DomainTopics topics;
  private final EventIntake intake;
  private final EventPublisher publisher;
  private final CollectorMetrics metrics;

  Ingestion(String domain, DomainTopics topics, EventIntake intake, EventPublisher publisher, CollectorMetrics metrics) {
    this.domain = domain;
    this.topics = topics;
    this.intake = intake;
    this.publisher = publisher;
    this.metrics = metrics;
  }

  /**
   * @param source names the request in dead letters; each event's is {@code source#index}
   */
  CompletableFuture<Outcome> ingest(List<byte[]> events, long receivedAtMillis, String source) {
    EventPublisher.Batch batch = publisher.batch(topics, receivedAtMillis);
    List<Rejection> rejections = new ArrayList<>();
    int accepted = 0;
    for (int index = 0; index < events.size(); index++) {
      byte[] raw = events.get(index);
      IntakeResult result = intake.admit(raw, receivedAtMillis);
      if (result instanceof IntakeResult.Accepted event) {
        batch.event(event.key(), event.value());
        accepted++;
      } else {
        IntakeResult.Rejected rejected = (IntakeResult.Rejected) result;
        batch.deadLetter(raw, rejected.code(), rejected.message(), source + "#" + index);
        rejections.add(new Rejection(index, rejected.code(), rejected.message()));
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
    EventPublisher.Batch batch = publisher.batch(topics, receivedAtMillis);
    batch.deadLetter(input, reason.code(), message, source);
    return batch.send().thenRun(() -> metrics.eventRejected(domain, reason.code()));
  }
}
