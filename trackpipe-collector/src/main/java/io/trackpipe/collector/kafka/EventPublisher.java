package io.trackpipe.collector.kafka;

import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.DomainTopics;
import io.trackpipe.kafka.DeadLetterHeaders;
import io.trackpipe.kafka.KafkaConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes a request's (or an imported chunk's) accepted events to its domain's events topic and its rejected input to
 * the domain's dead-letter topic, and says when Kafka has acknowledged all of them: the collector answers a client only
 * then. One idempotent producer with
 * {@code acks=all} serves every request, so the broker keeps each record once and in order per key (per partition).
 *
 * <p>Time-outs are short ({@code collector.kafka.timeout} for blocking, delivery and requests), so when the broker
 * goes away a request fails within that time rather than waiting minutes; the first failure marks
 * {@link KafkaAvailability} down, and later requests are refused at once until {@link KafkaProbe} sees Kafka again.
 * Thread-safe.
 */
public final class EventPublisher implements AutoCloseable {
  private static final int LINGER_MS = 5;

  private final Producer<byte[], byte[]> producer;
  private final KafkaConfig kafka;
  private final KafkaAvailability availability;

  /**
   * @param clientId names the producer to the broker: {@code trackpipe-collector} or {@code trackpipe-import}
   * @param bufferBytes the producer's buffer: at least the requests' in-flight budget, so a send never waits for room
   * @param maxRecordBytes the largest record (a whole rejected request body is one dead letter)
   */
  public EventPublisher(KafkaConfig kafka, String clientId, Duration timeout, long bufferBytes, int maxRecordBytes,
      KafkaAvailability availability) {
    this.kafka = requireNonNull(kafka, "kafka is null");
    this.availability = requireNonNull(availability, "availability is null");
    this.producer = new KafkaProducer<>(producerProperties(kafka, clientId, timeout, bufferBytes, maxRecordBytes),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  static Map<String, Object> producerProperties(KafkaConfig kafka, String clientId, Duration timeout, long bufferBytes,
      int maxRecordBytes) {
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Map<String, Object> p = new HashMap<>(kafka.clientProperties());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, requireNonNull(clientId, "clientId is null"));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L * 1024 * 1024, bufferBytes));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1024 * 1024, maxRecordBytes + 64 * 1024));
    // Fail within the request's time-out: metadata or buffer waits, and delivery including retries.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs - LINGER_MS);
    p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    return p;
  }

  /** Collects one request's records for a domain's topics; {@link Batch#send()} sends them. */
  public Batch batch(DomainTopics topics, long receivedAtMillis) {
    return new Batch(requireNonNull(topics, "topics is null"), receivedAtMillis);
  }

  public boolean isAvailable() {
    return availability.isUp();
  }

  /** Waits up to {@code timeout} for records in flight, then stops the producer. */
  public void close(Duration timeout) {
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /** One request's records, all stamped with the request's receive time. Not thread-safe; send once. */
  public final class Batch {
    private final DomainTopics topics;
    private final long receivedAtMillis;
    private final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();

    private Batch(DomainTopics topics, long receivedAtMillis) {
      this.topics = topics;
      this.receivedAtMillis = receivedAtMillis;
    }

    /** An accepted event for the events topic. */
    public void event(byte[] key, byte[] value) {
      records.add(new ProducerRecord<>(topics.events(), null, receivedAtMillis, key, value));
    }

    /**
     * Rejected input for the dead-letter topic, kept byte for byte.
     *
     * @param reasonCode the reason's code, or {@code rule:<name>} for a broken rule (see {@link DeadLetterHeaders#REASON})
     * @param source where the input came from, unique per input (see {@link DeadLetterHeaders#SOURCE})
     */
    public void deadLetter(byte[] value, String reasonCode, String message, String source) {
      List<Header> headers = List.of(
          header(DeadLetterHeaders.REASON, reasonCode),
          header(DeadLetterHeaders.ERROR, message),
          header(DeadLetterHeaders.SOURCE, source),
          header(DeadLetterHeaders.RECEIVED_AT, Long.toString(receivedAtMillis)));
      // No key: an HTTP request has none, and the dead letter keeps the input as it came.
      records.add(new ProducerRecord<>(topics.deadLetters(), null, receivedAtMillis, null, value, headers));
    }

    public int size() {
      return records.size();
    }

    /**
     * Sends every record; the future completes once Kafka has acknowledged all of them, or fails with
     * {@link KafkaUnavailableException} when any is not acknowledged (some may be stored: the client retries, and
     * copies are dropped downstream by event id). Completion runs on the producer's I/O thread: keep it short.
     */
    public CompletableFuture<Void> send() {
      CompletableFuture<Void> done = new CompletableFuture<>();
      if (records.isEmpty()) {
        done.complete(null);
        return done;
      }
      AtomicInteger pending = new AtomicInteger(records.size());
      AtomicReference<Exception> firstFailure = new AtomicReference<>();
      for (ProducerRecord<byte[], byte[]> record : records) {
        Exception failed = firstFailure.get();
        if (failed != null) {
          // The request fails anyway; a send that blocked on missing metadata must not block once per record.
          acknowledged(failed, pending, firstFailure, done);
          continue;
        }
        try {
          producer.send(record, (metadata, exception) -> acknowledged(exception, pending, firstFailure, done));
        } catch (RuntimeException e) { // a closed producer, or an interrupt; API errors come through the callback
          acknowledged(e, pending, firstFailure, done);
        }
      }
      return done;
    }

    private void acknowledged(Exception exception, AtomicInteger pending, AtomicReference<Exception> firstFailure,
        CompletableFuture<Void> done) {
      if (exception != null) firstFailure.compareAndSet(null, exception);
      if (pending.decrementAndGet() > 0) return;
      Exception failure = firstFailure.get();
      if (failure == null) {
        done.complete(null);
        return;
      }
      String problem = failure.getClass().getSimpleName() + ": " + failure.getMessage();
      availability.markDown(KafkaAvailability.Outage.NOT_ACKNOWLEDGED, problem);
      done.completeExceptionally(new KafkaUnavailableException(
          "Kafka at " + kafka.bootstrapServers() + " did not acknowledge the request's records: " + problem, failure));
    }
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
