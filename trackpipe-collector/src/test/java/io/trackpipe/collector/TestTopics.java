package io.trackpipe.collector;

import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** An events topic and a dead-letter topic of their own for one test class, and reading them back. */
final class TestTopics {
  static final int PARTITIONS = 4;

  private TestTopics() {}

  /** Creates a fresh pair of topics on {@code bootstrapServers}. */
  static KafkaConfig create(String bootstrapServers) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    KafkaConfig kafka = KafkaConfig.plaintext(bootstrapServers, "collector-it-events-" + suffix,
        "collector-it-dead-letter-" + suffix, PARTITIONS, (short) 1);
    KafkaTopics.ensureExist(kafka);
    return kafka;
  }

  /**
   * Every record of {@code topic} from the beginning, in partition order; waits until at least {@code expected} are
   * there (or 60 s), then a little longer so that any extra record (a duplicate) shows too.
   */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic, int expected) {
    Map<String, Object> properties = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) partitions.add(new TopicPartition(topic, p));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      consumer.poll(Duration.ofMillis(300)).forEach(records::add);
    }
    return records;
  }
}
