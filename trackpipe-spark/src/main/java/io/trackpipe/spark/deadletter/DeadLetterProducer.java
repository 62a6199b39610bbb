package io.trackpipe.spark.deadletter;

import io.trackpipe.kafka.DeadLetterHeaders;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.spark.session.ShutdownHooks;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps rejected records in the dead-letter topic, sent from the executors while they decode, so bad records never
 * travel further down the job. The original key and value are kept byte for byte up to {@code maxBytes} each (longer
 * ones are cut, so that a record Kafka took in compressed can always be sent on); why and where from go in the
 * {@link DeadLetterHeaders} ({@code trackpipe.source} is the original's {@code topic/partition/offset}), with the
 * original value's size and SHA-256.
 *
 * <p>{@link #flush()} at the end of each task waits for Kafka's acknowledgement and fails the task if a send failed
 * for a reason that passes (Kafka unreachable: the batch runs again later), so a micro-batch never commits before its
 * dead letters are stored. A record Kafka refuses for good (too large for the topic, say) is counted in
 * {@code notStored} and logged with its position: one bad record must never stop the stream. A re-run batch sends its
 * dead letters again: dead letters are at-least-once, de-duplicate them by {@link DeadLetterHeaders#SOURCE}.
 */
public final class DeadLetterProducer implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(DeadLetterProducer.class);
  /** Room for a cut key and value of the largest allowed limit, and the headers. */
  private static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;
  private static final int MAX_ERROR_CHARS = 1000;

  /**
   * One producer per executor JVM and client configuration (cluster and credentials): producers are thread-safe and
   * costly to create.
   */
  private static final Map<Map<String, String>, KafkaProducer<byte[], byte[]>> PRODUCERS = new ConcurrentHashMap<>();

  /** Travels to the executors with this object: the brokers and the clients' security settings. */
  private final KafkaConfig kafka;
  private final String topic;
  private final int maxBytes;
  private final LongAccumulator notStored;
  private transient AtomicReference<Exception> failure;
  private transient boolean sent;
  /** This instance's shared producer, looked up once: the lookup key is built from the settings. */
  private transient KafkaProducer<byte[], byte[]> producer;

  /**
   * @param maxBytes the most bytes of a rejected record's key, and of its value, that are kept
   * @param notStored counts the dead letters Kafka refused for good (a driver-side accumulator)
   */
  public DeadLetterProducer(KafkaConfig kafka, int maxBytes, LongAccumulator notStored) {
    if (maxBytes <= 0 || maxBytes > MAX_REQUEST_BYTES / 4) throw new IllegalArgumentException("maxBytes " + maxBytes);
    this.kafka = kafka;
    this.topic = kafka.deadLetterTopic();
    this.maxBytes = maxBytes;
    this.notStored = notStored;
  }

  /** Sends asynchronously; a failure that passes surfaces in {@link #flush()}. */
  public void send(byte[] key, byte[] value, String reason, String error, String sourceTopic, int partition, long offset,
      long receivedAtMillis) {
    if (failure == null) failure = new AtomicReference<>();
    String source = sourceTopic + "/" + partition + "/" + offset;
    List<Header> headers = new ArrayList<>(6);
    headers.add(header(DeadLetterHeaders.REASON, reason));
    headers.add(header(DeadLetterHeaders.ERROR, error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) + "…" : error));
    headers.add(header(DeadLetterHeaders.SOURCE, source));
    headers.add(header(DeadLetterHeaders.RECEIVED_AT, Long.toString(receivedAtMillis)));
    int size = value == null ? 0 : value.length;
    headers.add(header(DeadLetterHeaders.ORIGINAL_SIZE, Integer.toString(size)));
    if (value != null) headers.add(header(DeadLetterHeaders.ORIGINAL_SHA256, sha256(value)));
    AtomicReference<Exception> failed = failure;
    producer().send(new ProducerRecord<>(topic, null, null, cut(key), cut(value), headers), (metadata, e) -> {
      if (e == null) return;
      if (e instanceof RetriableException) {
        failed.compareAndSet(null, e);
      } else {
        notStored.add(1);
        log.warn("Dead letter of {} ({} bytes, reason {}) not stored in {}: {}", source, size, reason, topic, e.toString());
      }
    });
    sent = true;
  }

  /** Waits until every record sent by this instance is acknowledged or refused. */
  public void flush() {
    if (!sent) return;
    producer().flush();
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("cannot store rejected records in dead-letter topic " + topic + " at "
          + kafka.bootstrapServers() + ": " + e.getMessage(), e);
    }
  }

  private byte[] cut(byte[] bytes) {
    return bytes == null || bytes.length <= maxBytes ? bytes : Arrays.copyOf(bytes, maxBytes);
  }

  private static RecordHeader header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The dead-letter producer's configuration: the cluster's client properties and the producer's own. */
  static Map<String, Object> producerProperties(Map<String, String> clientProperties) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
    return props;
  }

  private KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) producer = PRODUCERS.computeIfAbsent(kafka.clientProperties(), client -> {
      KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(producerProperties(client), new ByteArraySerializer(),
          new ByteArraySerializer());
      // Every batch flushes its dead letters: nothing is left to send when the JVM stops.
      ShutdownHooks.afterSpark(() -> created.close(Duration.ofSeconds(5)));
      return created;
    });
    return producer;
  }
}
