package io.trackpipe.collector.ingest;

import static java.util.Objects.requireNonNull;

import io.trackpipe.collector.kafka.EventPublisher;
import io.trackpipe.domain.DomainTopics;
import io.trackpipe.event.RejectReason;
import java.util.concurrent.CompletableFuture;

/**
 * One domain's way into Kafka, shared by the collector's routes and {@code trackpipe import}: each event is judged by
 * the domain's {@link EventIntake}; accepted ones go to the domain's events topic, rejected input to its dead-letter
 * topic with the reason and where it came from. Work is staged in a {@link Batch} and sent at once; the batch's future
 * completes when Kafka has acknowledged every record of it. Thread-safe; a batch is not.
 */
public final class DomainIngestion {
  private final DomainTopics topics;
  private final EventIntake intake;
  private final EventPublisher publisher;

  public DomainIngestion(DomainTopics topics, EventIntake intake, EventPublisher publisher) {
    this.topics = requireNonNull(topics, "topics is null");
    this.intake = requireNonNull(intake, "intake is null");
    this.publisher = requireNonNull(publisher, "publisher is null");
  }

  /** @param receivedAtMillis when the input arrived: the records' Kafka timestamp and the time of events without one */
  public Batch batch(long receivedAtMillis) {
    return new Batch(publisher.batch(topics, receivedAtMillis), receivedAtMillis);
  }

  /** Records staged for one send. Not thread-safe; send once. */
  public final class Batch {
    private final EventPublisher.Batch records;
    private final long receivedAtMillis;
    private int accepted;

    private Batch(EventPublisher.Batch records, long receivedAtMillis) {
      this.records = records;
      this.receivedAtMillis = receivedAtMillis;
    }

    /**
     * Judges one event and stages it for the events topic, or its original bytes for the dead-letter topic.
     *
     * @param source where the event came from, unique per input: the dead letter's {@code trackpipe.source}
     */
    public IntakeResult admit(byte[] raw, String source) {
      IntakeResult result = intake.admit(raw, receivedAtMillis);
      if (result instanceof IntakeResult.Accepted event) {
        records.event(event.key(), event.value());
        accepted++;
      } else {
        IntakeResult.Rejected rejected = (IntakeResult.Rejected) result;
        records.deadLetter(raw, rejected.code(), rejected.message(), source);
      }
      return result;
    }

    /** Stages input refused before it could be judged as an event (a broken array, a malformed CSV line, …). */
    public void refuse(byte[] input, RejectReason reason, String message, String source) {
      records.deadLetter(input, reason.code(), message, source);
    }

    /** Records staged, events and dead letters. */
    public int size() {
      return records.size();
    }

    /** Events staged for the events topic. */
    public int accepted() {
      return accepted;
    }

    /** See {@link EventPublisher.Batch#send()}. */
    public CompletableFuture<Void> send() {
      return records.send();
    }
  }
}
