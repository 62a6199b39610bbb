package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import io.trackpipe.kafka.KafkaConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces records to one Kafka topic with an idempotent producer ({@code acks=all}), so the broker keeps exactly
 * what the generator sent, in order per key: duplicates in the topic are only the ones the generator made on purpose.
 *
 * <p>Sends are asynchronous. The first delivery failure is kept and thrown as an {@link EventSinkException} from the
 * next {@link #send}, {@link #flush()} or {@link #close()}. Use from one thread.
 */
public final class KafkaEventSink implements EventSink {
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final String bootstrapServers;
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
  private final AtomicLong failedRecords = new AtomicLong();
  private boolean closed;


  /**
   * @param producerProperties complete producer configuration, usually {@link #producerProperties(KafkaConfig)} with
   *     changes; the serializers are always String keys and byte-array values
   */
  public KafkaEventSink(String topic, Map<String, Object> producerProperties) {
    this.topic = requireNonNull(topic, "topic is null");
    Map<String, Object> properties = new HashMap<>(producerProperties);
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.bootstrapServers = String.valueOf(properties.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    try {
      this.producer = new KafkaProducer<>(properties);
    } catch (KafkaException e) {
      throw new EventSinkException("Cannot create a Kafka producer for topic '" + topic + "' at " + bootstrapServers
          + ": " + e.getMessage(), e);
    }
  }

  /** Sends tracking events to the configured events topic. */
  public static KafkaEventSink forEvents(KafkaConfig kafka) {
    return new KafkaEventSink(kafka.eventsTopic(), producerProperties(kafka));
  }

  /**
   * The generator's producer settings: idempotent with {@code acks=all}, lz4, 10 ms linger and 256 KiB batches, which
   * sustained about 200k events/s into a single local broker.
   */
  public static Map<String, Object> producerProperties(KafkaConfig kafka) {
    Map<String, Object> properties = new HashMap<>(kafka.clientProperties());
    properties.put(ProducerConfig.CLIENT_ID_CONFIG, "trackpipe-generator");
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    properties.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return properties;
  }

  @Override
  public void send(GeneratedRecord record) {
    throwIfFailed();
    try {
      producer.send(new ProducerRecord<>(topic, record.key(), record.value()), (metadata, exception) -> {
        if (exception != null) {
          failedRecords.incrementAndGet();
          firstFailure.compareAndSet(null, exception);
        }
      });
    } catch (KafkaException e) {
      throw new EventSinkException(describe("Cannot send a record") + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void flush() {
    try {
      producer.flush();
    } catch (KafkaException e) {
      throw new EventSinkException(describe("Cannot flush records") + ": " + e.getMessage(), e);
    }
    throwIfFailed();
  }

  /** Waits for outstanding records (at most the producer's delivery timeout), then reports any failure. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      producer.close();
    } catch (KafkaException e) {
      throw new EventSinkException(describe("Cannot close the producer") + ": " + e.getMessage(), e);
    }
    throwIfFailed();
  }

  private void throwIfFailed() {
    Exception failure = firstFailure.get();
    if (failure != null) {
      String hint = failure instanceof AuthenticationException
          ? "Check the Kafka security settings (kafka.security.protocol, kafka.sasl.*, kafka.ssl.*)."
          : "Check that the broker is reachable and the topic exists.";
      throw new EventSinkException(describe(failedRecords.get() + " record(s) were not delivered") + ": "
          + failure.getMessage() + ". " + hint, failure);
    }
  }

  private String describe(String what) {
    return what + " to Kafka topic '" + topic + "' at " + bootstrapServers;
  }
}
