package io.trackpipe.collector.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaSecurity;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The collector's producer and probe carry the configured Kafka security, not only the bootstrap servers. */
class KafkaClientSecurityTest {
  private static final KafkaConfig SECURED = new KafkaConfig("kafka-1:9093", "tracking-events",
      "tracking-events-dead-letter", 4, (short) 3, 2,
      new KafkaSecurity("SASL_SSL", "SCRAM-SHA-256", "collector", "s3cret", "/etc/trackpipe/kafka-ca.p12", "changeit",
          null, null));

  @Test
  void theProducerAuthenticatesWithTheConfiguredUserOverTls() {
    Map<String, Object> producer = EventPublisher.producerProperties(SECURED, "trackpipe-collector", Duration.ofSeconds(5), 1 << 20, 1 << 20);

    assertSecured(producer);
    assertThat(producer).containsEntry("acks", "all").containsEntry("client.id", "trackpipe-collector");
  }

  @Test
  void theProbeAuthenticatesAsTheProducerDoes() {
    Map<String, Object> admin = KafkaProbe.adminProperties(SECURED, 5000);

    assertSecured(admin);
    assertThat(admin).containsEntry("client.id", "trackpipe-collector-probe");
  }

  private static void assertSecured(Map<String, Object> properties) {
    assertThat(properties)
        .containsEntry("bootstrap.servers", "kafka-1:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-256")
        .containsEntry("ssl.truststore.location", "/etc/trackpipe/kafka-ca.p12")
        .containsEntry("ssl.truststore.password", "changeit");
    assertThat((String) properties.get("sasl.jaas.config")).startsWith("org.apache.kafka.common.security.scram.ScramLoginModule")
        .contains("username=\"collector\"", "password=\"s3cret\"");
  }
}
