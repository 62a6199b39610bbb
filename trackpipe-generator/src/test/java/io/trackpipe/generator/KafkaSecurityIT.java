package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.Configuration;
import io.trackpipe.embedded.EmbeddedKafka;
import io.trackpipe.fs.Folders;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * trackpipe's Kafka clients, configured only through the {@code kafka.*} settings, against a real broker that also
 * listens with SASL_PLAINTEXT (mechanism PLAIN): the right credentials create topics, produce and consume; wrong ones
 * fail with an error that names the cause.
 */
class KafkaSecurityIT {
  private static final String USER = "trackpipe";
  private static final String PASSWORD = "it-s3cret";
  private static Path dir;
  private static EmbeddedKafka broker;

  @BeforeAll
  static void startBrokerWithSaslUsers() throws Exception {
    dir = Files.createTempDirectory("kafka-security-it");
    broker = EmbeddedKafka.start(dir, EmbeddedKafka.Options.defaults()
        .withSaslPlainUsers(Map.of(USER, PASSWORD)));
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) broker.close();
    Folders.deleteRecursively(dir);
  }

  @Test
  void theRightCredentialsCreateTopicsProduceAndConsume() throws Exception {
    String topic = "secured-" + UUID.randomUUID();
    KafkaConfig kafka = bind(topic, USER, PASSWORD);

    KafkaTopics.ensureExist(kafka);
    try (KafkaEventSink sink = KafkaEventSink.forEvents(kafka)) {
      for (int i = 0; i < 10; i++) {
        sink.send(new GeneratedRecord("k" + i, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8),
            GeneratedRecord.Kind.VALID));
      }
    }

    List<String> values = new ArrayList<>();
    Map<String, Object> consumer = new HashMap<>(kafka.clientProperties());
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "security-it");
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(consumer, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      reader.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (values.size() < 10 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(500))) {
          values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    assertThat(values).hasSize(10).contains("{\"n\":0}", "{\"n\":9}");
  }

  @Test
  void topicsAreCreatedWithTheConfiguredReplicationAndMinInsyncReplicas() throws Exception {
    String topic = "min-isr-" + UUID.randomUUID();
    KafkaConfig kafka = bind(topic, USER, PASSWORD);

    KafkaTopics.ensureExist(kafka);

    try (Admin admin = Admin.create(new HashMap<>(kafka.clientProperties()))) {
      for (String name : List.of(topic, topic + "-dead-letter")) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        ConfigEntry minInsync = config.get("min.insync.replicas");
        assertThat(minInsync.value()).as(name).isEqualTo("1");
        // Set on the topic by trackpipe, not inherited from the broker's default.
        assertThat(minInsync.source()).as(name).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS)
            .get(name);
        assertThat(description.partitions()).hasSize(2)
            .allSatisfy(p -> assertThat(p.replicas()).hasSize(1));
      }
    }
  }

  @Test
  void aWrongPasswordFailsWithAnAuthenticationErrorInsteadOfTimingOut() {
    String topic = "refused-" + UUID.randomUUID();
    KafkaConfig wrong = bind(topic, USER, "not-the-password");

    assertThatThrownBy(() -> KafkaTopics.ensureExist(wrong))
        .hasMessageContaining("Kafka at " + broker.saslBootstrapServers() + " refused trackpipe's client")
        .hasMessageContaining("user trackpipe")
        .hasMessageContaining("Authentication failed")
        .hasRootCauseInstanceOf(SaslAuthenticationException.class);

    Map<String, Object> producer = KafkaEventSink.producerProperties(wrong);
    producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    KafkaEventSink sink = new KafkaEventSink(topic, producer);
    assertThatThrownBy(() -> {
      try {
        sink.send(new GeneratedRecord("k", "{}".getBytes(StandardCharsets.UTF_8), GeneratedRecord.Kind.VALID));
        sink.flush();
      } finally {
        sink.close();
      }
    }).isInstanceOf(EventSinkException.class)
        .hasMessageContaining("Authentication failed")
        .hasMessageContaining("Check the Kafka security settings");
  }

  private static KafkaConfig bind(String topic, String user, String password) {
    Map<String, String> settings = Map.of(
        "kafka.bootstrap-servers", broker.saslBootstrapServers(),
        "kafka.topic.events", topic,
        "kafka.topic.dead-letter", topic + "-dead-letter",
        "kafka.topic.partitions", "2",
        "kafka.topic.replication-factor", "1",
        "kafka.topic.min-insync-replicas", "1",
        "kafka.security.protocol", "SASL_PLAINTEXT",
        "kafka.sasl.mechanism", "PLAIN",
        "kafka.sasl.username", user,
        "kafka.sasl.password", password);
    Configuration config = Configuration.load(Optional.empty(), Map.of(), settings, KafkaConfig.SETTINGS);
    KafkaConfig kafka = KafkaConfig.from(config);
    config.throwIfInvalid();
    return kafka;
  }
}
