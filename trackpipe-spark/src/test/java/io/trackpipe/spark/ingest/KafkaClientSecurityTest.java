package io.trackpipe.spark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaSecurity;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The streaming job's Kafka source and lag probe carry the configured Kafka security. */
class KafkaClientSecurityTest {
  private static final KafkaConfig SECURED = new KafkaConfig("kafka-1:9093", "tracking-events", "tracking-events-dead-letter", 4,
      (short) 3, 2, new KafkaSecurity("SASL_SSL", "PLAIN", "stream", "s3cret", "/etc/trackpipe/kafka-ca.p12", "changeit",
          null, null));

  @Test
  void theSparkSourcePassesTheSecurityToItsConsumersPrefixedKafka() {
    Map<String, String> options = KafkaEventSource.options(SECURED);

    assertThat(options)
        .containsEntry("kafka.bootstrap.servers", "kafka-1:9093")
        .containsEntry("kafka.security.protocol", "SASL_SSL")
        .containsEntry("kafka.sasl.mechanism", "PLAIN")
        .containsEntry("kafka.sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"stream\" password=\"s3cret\";")
        .containsEntry("kafka.ssl.truststore.location", "/etc/trackpipe/kafka-ca.p12")
        .containsEntry("kafka.ssl.truststore.password", "changeit");
    assertThat(options.keySet()).allMatch(key -> key.startsWith("kafka."));
  }

  @Test
  void theLagProbeAuthenticatesAsTheSourceDoes() {
    Properties consumer = KafkaEndOffsets.consumerProperties(SECURED);

    assertThat(consumer)
        .containsEntry("bootstrap.servers", "kafka-1:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", SECURED.clientProperties().get("sasl.jaas.config"))
        .containsEntry("ssl.truststore.location", "/etc/trackpipe/kafka-ca.p12");
  }
}
