package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainTopics;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sends generated records to a real broker and reads them back. Each test uses its own topic. */
class KafkaEventSinkIT {
  private static final int PARTITIONS = 4;
  private static String bootstrapServers;

  @BeforeAll
  static void startBroker() {
    bootstrapServers = EmbeddedStack.shared().kafka().bootstrapServers();
  }

  @Test
  void everyRecordArrivesWithItsKeyAndEachJobsEventsKeepTheirOrder() throws Exception {
    String topic = createTopic();
    GeneratorConfig config = GeneratorConfig.builder(SampleDimensions.generate(3))
        .eventsPerSecond(0).maxEvents(20_000).duplicateRatio(0.02).lateRatio(0.05).malformedRatio(0.01).build();
    RecordingSink sent = new RecordingSink();

    try (KafkaEventSink kafka = KafkaEventSink.forEvents(topics(topic))) {
      EventSink both = new EventSink() {
        @Override
        public void send(GeneratedRecord record) {
          sent.send(record);
          kafka.send(record);
        }

        @Override
        public void flush() {
          kafka.flush();
        }

        @Override
        public void close() {
          kafka.close();
        }
      };
      GeneratorProgress result = new GeneratorRun(new EventGenerator(config), both, new SimulatedClock(
          Instant.parse("2024-05-01T00:00:00Z"))).run(report -> { });
      assertThat(result.total()).isEqualTo(20_000);
    }

    List<ConsumerRecord<String, byte[]>> received = readAll(topic, 20_000);

    assertThat(received).hasSize(20_000);
    assertThat(valuesByKey(received)).isEqualTo(sent.records.stream().collect(Collectors.groupingBy(
        GeneratedRecord::key, LinkedHashMap::new,
        Collectors.mapping(r -> Base64.getEncoder().encodeToString(r.value()), Collectors.toList()))));
    // Keyed by job: a job's records all land in one partition.
    Map<String, Set<Integer>> partitionsByKey = received.stream().collect(Collectors.groupingBy(
        ConsumerRecord::key, Collectors.mapping(ConsumerRecord::partition, Collectors.toSet())));
    assertThat(partitionsByKey.values()).allSatisfy(partitions -> assertThat(partitions).hasSize(1));
    assertThat(received).extracting(ConsumerRecord::partition).contains(0, 1, 2, 3);
  }

  @Test
  void aUserDomainsEventsArriveInItsTopicKeyedByItsPartitionKey() throws Exception {
    String topic = createTopic();
    Domain orders = SchemaEventGeneratorTest.domain("orders").withTopics(new DomainTopics(topic, topic + "-dead-letter"));
    EventDecoder decoder = new EventDecoder(orders.schema(), EventLimits.DEFAULT);
    int shop = orders.schema().indexOf("shop");
    GeneratorConfig config = GeneratorConfig.builder(SampleDimensions.generate(3))
        .eventsPerSecond(0).maxEvents(5_000).duplicateRatio(0.02).lateRatio(0.05).malformedRatio(0.02).build();
    Instant start = Instant.parse("2024-05-01T00:00:00Z");

    try (KafkaEventSink kafka = KafkaEventSink.forEvents(topics(orders.topics().events()))) {
      GeneratorProgress result = new GeneratorRun(RecordGenerator.forDomain(orders, config, ZoneOffset.UTC), kafka,
          new SimulatedClock(start)).run(report -> { });
      assertThat(result.total()).isEqualTo(5_000);
    }

    List<ConsumerRecord<String, byte[]>> received = readAll(topic, 5_000);
    assertThat(received).hasSize(5_000);
    int accepted = 0;
    for (ConsumerRecord<String, byte[]> record : received) {
      // Read back as the stream reads it, at a time after the generator's clock.
      if (decoder.decode(record.value(), start.plusSeconds(3600).toEpochMilli()) instanceof DecodeResult.Accepted event) {
        accepted++;
        assertThat(record.key()).isEqualTo(event.event().value(shop));
      }
    }
    assertThat(accepted).isBetween(4_800, 4_950);
    // A few shops, each in one partition: their events keep their order.
    Map<String, Set<Integer>> partitionsByKey = received.stream().collect(Collectors.groupingBy(
        ConsumerRecord::key, Collectors.mapping(ConsumerRecord::partition, Collectors.toSet())));
    assertThat(partitionsByKey).hasSizeBetween(2, SchemaEventGenerator.PARTITION_KEY_VALUES);
    assertThat(partitionsByKey.values()).allSatisfy(partitions -> assertThat(partitions).hasSize(1));
  }

  @Test
  void aRecordTheBrokerRefusesFailsFlushInsteadOfVanishing() throws Exception {
    String topic = createTopic();
    byte[] tooLarge = new byte[2 * 1024 * 1024]; // above the producer's default max.request.size of 1 MiB

    KafkaEventSink sink = KafkaEventSink.forEvents(topics(topic));
    try {
      sink.send(new GeneratedRecord("1", tooLarge, GeneratedRecord.Kind.MALFORMED));
      assertThatThrownBy(sink::flush)
          .isInstanceOf(EventSinkException.class)
          .hasMessageContaining("1 record(s) were not delivered to Kafka topic '" + topic + "'");
    } finally {
      assertThatThrownBy(sink::close).isInstanceOf(EventSinkException.class);
    }
  }

  /**
   * A producer that writes the moment {@link KafkaTopics#ensureExist} returns reaches every partition's leader: the
   * broker had named leaders in its metadata before they could take writes, and an idempotent producer once spent its
   * whole delivery timeout on such a partition. Twenty fresh topics, each written at once: no record is retried.
   */
  @Test
  void aTopicJustCreatedTakesRecordsOnEveryPartitionAtOnce() throws Exception {
    Map<String, Object> properties = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    for (int round = 0; round < 20; round++) {
      String topic = createTopic();
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer())) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
          sent.add(producer.send(new ProducerRecord<>(topic, p, null, ("r" + p).getBytes(StandardCharsets.UTF_8))));
        }
        for (Future<RecordMetadata> f : sent) {
          assertThat(f.get(30, TimeUnit.SECONDS).offset()).as("round %d, %s", round, topic).isZero();
        }
        // Without the wait for the leaders themselves, most rounds retried after NOT_LEADER_OR_FOLLOWER.
        double retries = producer.metrics().entrySet().stream()
            .filter(m -> m.getKey().group().equals("producer-metrics") && m.getKey().name().equals("record-retry-total"))
            .mapToDouble(m -> ((Number) m.getValue().metricValue()).doubleValue()).sum();
        assertThat(retries).as("records retried in round %d", round).isZero();
      }
    }
  }

  private static KafkaConfig topics(String events) {
    return KafkaConfig.plaintext(bootstrapServers, events, events + "-dead-letter", PARTITIONS, (short) 1);
  }

  private static String createTopic() {
    String topic = "generator-it-" + UUID.randomUUID();
    KafkaTopics.ensureExist(topics(topic));
    return topic;
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected) {
    Map<String, Object> properties = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new TopicPartition(topic, p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (received.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(received::add);
      }
      // Anything beyond the expected count would be a duplicate the generator did not make.
      consumer.poll(Duration.ofMillis(500)).forEach(received::add);
    }
    return received;
  }

  private static Map<String, List<String>> valuesByKey(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().collect(Collectors.groupingBy(ConsumerRecord::key, LinkedHashMap::new,
        Collectors.mapping(r -> Base64.getEncoder().encodeToString(r.value()), Collectors.toList())));
  }
}
