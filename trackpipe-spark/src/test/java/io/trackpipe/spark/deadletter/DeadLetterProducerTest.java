package io.trackpipe.spark.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaSecurity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterProducerTest {

  @Test
  void theExecutorsProducerAuthenticatesWithTheConfiguredUser() {
    KafkaConfig kafka = new KafkaConfig("kafka-1:9093", "tracking-events", "tracking-events-dead-letter", 4, (short) 3,
        null, new KafkaSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", "stream", "s3cret", null, null, null, null));

    Map<String, Object> producer = DeadLetterProducer.producerProperties(kafka.clientProperties());

    assertThat(producer)
        .containsEntry("bootstrap.servers", "kafka-1:9093")
        .containsEntry("security.protocol", "SASL_PLAINTEXT")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("acks", "all");
    assertThat((String) producer.get("sasl.jaas.config")).contains("ScramLoginModule", "username=\"stream\"");
  }
}
