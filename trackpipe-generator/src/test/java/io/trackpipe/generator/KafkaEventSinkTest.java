package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaSecurity;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class KafkaEventSinkTest {

  @Test
  void producerSettingsAreIdempotentCompressedAndBatched() {
    Map<String, Object> properties = KafkaEventSink.producerProperties(kafka("127.0.0.1:9092"));

    assertThat(properties).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092")
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 10)
        .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
  }

  @Test
  void producerSettingsCarryTheConfiguredSecurity() {
    KafkaConfig kafka = new KafkaConfig("kafka-1:9093", "tracking-events", "tracking-events-dead-letter", 4, (short) 3,
        null, new KafkaSecurity("SASL_SSL", "PLAIN", "generator", "s3cret", "/etc/trackpipe/kafka-ca.p12", null, null,
            null));

    Map<String, Object> properties = KafkaEventSink.producerProperties(kafka);

    assertThat(properties).containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka-1:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.location", "/etc/trackpipe/kafka-ca.p12")
        .doesNotContainKey("ssl.truststore.password")
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all");
    assertThat((String) properties.get("sasl.jaas.config")).contains("PlainLoginModule", "username=\"generator\"");
  }

  @Test
  void aRecordThatCannotBeDeliveredFailsFlushAndCloseInsteadOfVanishing() throws IOException {
    Map<String, Object> properties = KafkaEventSink.producerProperties(kafka("127.0.0.1:" + unusedPort()));
    properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
    KafkaEventSink sink = new KafkaEventSink("tracking-events", properties);
    GeneratedRecord record =
        new GeneratedRecord("7", "{}".getBytes(StandardCharsets.UTF_8), GeneratedRecord.Kind.VALID);

    sink.send(record); // asynchronous: the failure arrives later
    assertThatThrownBy(sink::flush)
        .isInstanceOf(EventSinkException.class)
        .hasMessageContaining("1 record(s) were not delivered to Kafka topic 'tracking-events' at 127.0.0.1:");
    assertThatThrownBy(() -> sink.send(record)).isInstanceOf(EventSinkException.class);
    assertThatThrownBy(sink::close).isInstanceOf(EventSinkException.class);
  }

  private static KafkaConfig kafka(String bootstrapServers) {
    return KafkaConfig.plaintext(bootstrapServers, "tracking-events", "tracking-events-dead-letter", 1, (short) 1);
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
