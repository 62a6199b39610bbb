package io.trackpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

  private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void producesConsumesAndResumesAfterRestart(@TempDir Path dir) throws Exception {
    List<String> values = IntStream.range(0, 20).mapToObj(i -> "event-" + i).toList();
    String clusterId;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
      assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
      assertThat(kafka.dataDir()).isEqualTo(dir.toRealPath());
      assertThat(kafka.clusterId()).hasSize(22).doesNotStartWith("-");
      assertThat(Files.readString(dir.resolve("kafka.pid")).trim()).isEqualTo(Long.toString(kafka.pid()));
      KafkaTestClients.createTopic(kafka.bootstrapServers(), "events", 2);
      KafkaTestClients.produce(kafka.bootstrapServers(), "events", values);
      assertThat(KafkaTestClients.consume(kafka.bootstrapServers(), "events", values.size(), CONSUME_TIMEOUT))
          .containsExactlyInAnyOrderElementsOf(values);
      clusterId = kafka.clusterId();
    }
    assertThat(dir.resolve("kafka.pid")).doesNotExist();
    // A broker stopped as usual leaves its classes archived (unless it mapped them from the archive already).
    Path classArchive = EmbeddedKafka.brokerClassArchive(EmbeddedKafka.brokerClasspath()).orElseThrow().path();
    assertThat(classArchive).isRegularFile();

    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
      assertThat(Files.readString(Path.of("/proc", Long.toString(kafka.pid()), "maps")))
          .as("the broker maps its class archive").contains(classArchive.toString());
      assertThat(kafka.clusterId()).isEqualTo(clusterId);
      assertThat(KafkaTestClients.listTopics(kafka.bootstrapServers())).contains("events");
      assertThat(KafkaTestClients.consume(kafka.bootstrapServers(), "events", values.size(), CONSUME_TIMEOUT))
          .containsExactlyInAnyOrderElementsOf(values);
      // auto.create.topics.enable=false: an unknown topic is an error, not a silently created topic.
      assertThat(KafkaTestClients.listTopics(kafka.bootstrapServers())).doesNotContain("unknown");
    }
  }

  @Test
  void stopsABrokerLeftRunningOnTheSameFolder(@TempDir Path dir) throws Exception {
    EmbeddedKafka orphan = EmbeddedKafka.start(dir, 0);
    long orphanPid = orphan.pid();
    KafkaTestClients.createTopic(orphan.bootstrapServers(), "kept", 1);
    KafkaTestClients.produce(orphan.bootstrapServers(), "kept", List.of("a", "b"));
    // The handle is dropped without close(), as after a SIGKILLed parent: the same port and folder must still work.
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, orphan.port())) {
      assertThat(ProcessHandle.of(orphanPid)).isEmpty();
      assertThat(kafka.pid()).isNotEqualTo(orphanPid);
      assertThat(kafka.port()).isEqualTo(orphan.port());
      assertThat(KafkaTestClients.consume(kafka.bootstrapServers(), "kept", 2, CONSUME_TIMEOUT))
          .containsExactlyInAnyOrder("a", "b");
      orphan.close(); // harmless now, and must not touch the new broker's pid file
      assertThat(Files.readString(dir.resolve("kafka.pid")).trim()).isEqualTo(Long.toString(kafka.pid()));
      assertThat(kafka.isRunning()).isTrue();
    }
  }

  @Test
  void reportsTheBrokerLogWhenTheBrokerCannotStart(@TempDir Path dir) {
    EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults()
        .withStartTimeout(Duration.ofSeconds(30))
        .withBrokerProperty("num.network.threads", "not-a-number");
    assertThatThrownBy(() -> EmbeddedKafka.start(dir, options))
        .isInstanceOf(EmbeddedServerException.class)
        .hasMessageContaining("num.network.threads");
  }
}
