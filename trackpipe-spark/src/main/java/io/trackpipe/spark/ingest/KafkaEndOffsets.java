package io.trackpipe.spark.ingest;

import io.trackpipe.kafka.KafkaConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The end offsets of the events topic's partitions as the broker has them now: what the job's committed offsets are
 * measured against for its lag. Not thread-safe (a Kafka consumer): one caller at a time.
 */
public final class KafkaEndOffsets implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final KafkaConsumer<byte[], byte[]> consumer;

  public KafkaEndOffsets(KafkaConfig kafka) {
    this.consumer = new KafkaConsumer<>(consumerProperties(kafka));
  }

  static Properties consumerProperties(KafkaConfig kafka) {
    Properties props = new Properties();
    props.putAll(kafka.clientProperties());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "trackpipe-lag-probe");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return props;
  }

  /**
   * The end offset (the next offset to be written) of each partition, keyed {@code topic/partition}.
   *
   * @throws org.apache.kafka.common.KafkaException when the broker does not answer within 5 s
   */
  public Map<String, Long> latest(Collection<String> topicPartitions) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(topicPartitions.stream().map(KafkaEndOffsets::parse).toList(),
        TIMEOUT);
    Map<String, Long> byKey = new TreeMap<>();
    ends.forEach((partition, offset) -> byKey.put(partition.topic() + "/" + partition.partition(), offset));
    return byKey;
  }

  private static TopicPartition parse(String key) {
    int slash = key.lastIndexOf('/');
    return new TopicPartition(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)));
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
