package io.trackpipe.spark.deadletter;

import io.trackpipe.kafka.DeadLetterHeaders;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.spark.session.ShutdownHooks;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Keeps rejected records in the dead-letter topic, sent from the executors while they decode, so bad records never
 * travel further down the job. The original key and value are kept byte for byte; why and where from go in the
 * {@link DeadLetterHeaders} ({@code trackpipe.source} is the original's {@code topic/partition/offset}).
 *
 * <p>{@link #flush()} at the end of each task waits for Kafka's acknowledgement and fails the task if any send failed,
 * so a micro-batch never commits before its dead letters are stored. A re-run batch sends them again:
 * dead letters are at-least-once, de-duplicate them by {@link DeadLetterHeaders#SOURCE}.
 */
public final class DeadLetterProducer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One producer per executor JVM and cluster: producers are thread-safe and costly to create. */
  private static final Map<String, KafkaProducer<byte[], byte[]>> PRODUCERS = new ConcurrentHashMap<>();

  private final String bootstrapServers;
  private final String topic;
  private transient AtomicReference<Exception> failure;
  private transient boolean sent;

  public DeadLetterProducer(KafkaConfig kafka) {
    this.bootstrapServers = kafka.bootstrapServers();
    this.topic = kafka.deadLetterTopic();
  }

  /** Sends asynchronously; a failure surfaces in {@link #flush()}. */
  public void send(byte[] key, byte[] value, String reason, String error, String sourceTopic, int partition, long offset,
      long receivedAtMillis) {
    if (failure == null) failure = new AtomicReference<>();
    List<Header> headers = new ArrayList<>(4);
    headers.add(new RecordHeader(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8)));
    headers.add(new RecordHeader(DeadLetterHeaders.ERROR, error.getBytes(StandardCharsets.UTF_8)));
    headers.add(new RecordHeader(DeadLetterHeaders.SOURCE, (sourceTopic + "/" + partition + "/" + offset).getBytes(StandardCharsets.UTF_8)));
    headers.add(new RecordHeader(DeadLetterHeaders.RECEIVED_AT, Long.toString(receivedAtMillis).getBytes(StandardCharsets.UTF_8)));
    AtomicReference<Exception> failed = failure;
    producer().send(new ProducerRecord<>(topic, null, null, key, value, headers), (metadata, e) -> {
      if (e != null) failed.compareAndSet(null, e);
    });
    sent = true;
  }

  /** Waits until every record sent by this instance is acknowledged. */
  public void flush() {
    if (!sent) return;
    producer().flush();
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("cannot store rejected records in dead-letter topic " + topic + " at "
          + bootstrapServers + ": " + e.getMessage(), e);
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    return PRODUCERS.computeIfAbsent(bootstrapServers, servers -> {
      Map<String, Object> props = Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
          ProducerConfig.LINGER_MS_CONFIG, 5,
          ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
          ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
      KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
      // Every batch flushes its dead letters: nothing is left to send when the JVM stops.
      ShutdownHooks.afterSpark(() -> producer.close(Duration.ofSeconds(5)));
      return producer;
    });
  }
}
