package io.trackpipe.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConfigTest {
  @TempDir Path dir;

  @Test
  void saslSslSettingsBecomeTheClientsSecurityProperties() throws Exception {
    Path truststore = Files.writeString(dir.resolve("truststore.p12"), "not read by this test");
    KafkaConfig kafka = bind(Map.of(
        "kafka.security.protocol", "SASL_SSL",
        "kafka.sasl.mechanism", "SCRAM-SHA-512",
        "kafka.sasl.username", "collector",
        "kafka.sasl.password", "s3cret",
        "kafka.ssl.truststore-location", truststore.toString(),
        "kafka.ssl.truststore-password", "changeit"));

    assertThat(kafka.clientProperties()).containsExactly(
        entry("bootstrap.servers", "kafka-1:9093"),
        entry("security.protocol", "SASL_SSL"),
        entry("sasl.mechanism", "SCRAM-SHA-512"),
        entry("sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"collector\" password=\"s3cret\";"),
        entry("ssl.truststore.location", truststore.toString()),
        entry("ssl.truststore.password", "changeit"));
  }

  @Test
  void plainSaslCredentialsWithQuotesSurviveKafkasJaasParser() {
    KafkaConfig kafka = bind(Map.of(
        "kafka.security.protocol", "sasl_plaintext",
        "kafka.sasl.username", "ops\\team",
        "kafka.sasl.password", "a \"quoted\" pass;word"));

    Map<String, String> client = kafka.clientProperties();
    assertThat(client).containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "PLAIN")
        .doesNotContainKey("ssl.truststore.location");
    // Parsed as the Kafka client parses it: the module's options are the configured user and password, unchanged.
    var entries = JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(client.get("sasl.jaas.config"))))
        .configurationEntries();
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).getLoginModuleName()).isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule");
    Map<String, Object> options = Map.copyOf(entries.get(0).getOptions());
    assertThat(options).containsEntry("username", "ops\\team").containsEntry("password", "a \"quoted\" pass;word");
  }

  @Test
  void sslWithAClientCertificateSetsTheKeystoreAndItsKeyPassword() throws Exception {
    Path keystore = Files.writeString(dir.resolve("client.p12"), "not read by this test");
    KafkaConfig kafka = bind(Map.of(
        "kafka.security.protocol", "SSL",
        "kafka.ssl.keystore-location", keystore.toString(),
        "kafka.ssl.keystore-password", "k3y"));

    assertThat(kafka.clientProperties()).containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.keystore.location", keystore.toString())
        .containsEntry("ssl.keystore.password", "k3y")
        .containsEntry("ssl.key.password", "k3y")
        .doesNotContainKeys("sasl.jaas.config", "ssl.truststore.location");
  }

  @Test
  void plaintextByDefaultWithOnlyBootstrapServersAndProtocol() {
    KafkaConfig kafka = bind(Map.of());

    assertThat(kafka.clientProperties()).containsExactly(entry("bootstrap.servers", "kafka-1:9093"),
        entry("security.protocol", "PLAINTEXT"));
    assertThat(kafka.minInsyncReplicas()).isNull();
    assertThat(KafkaTopics.newTopic(kafka, "t").configs()).isNullOrEmpty();
  }

  @Test
  void everySecurityMistakeIsReportedAtOnceWithItsKey() {
    Path missing = dir.resolve("no-such-truststore.jks");
    Configuration config = load(Map.of(
        "kafka.security.protocol", "SASL_SSL",
        "kafka.ssl.truststore-location", missing.toString(),
        "kafka.ssl.keystore-location", missing.toString(),
        "kafka.topic.replication-factor", "2",
        "kafka.topic.min-insync-replicas", "3"));

    KafkaConfig.from(config);
    ConfigException e = catchThrowableOfType(ConfigException.class, config::throwIfInvalid);

    assertThat(e.problems()).containsExactlyInAnyOrder(
        "kafka.topic.min-insync-replicas (3) must be at most kafka.topic.replication-factor (2): no write could succeed",
        "kafka.security.protocol is SASL_SSL but kafka.sasl.username is not set",
        "kafka.security.protocol is SASL_SSL but kafka.sasl.password is not set (use TRACKPIPE_KAFKA_SASL_PASSWORD)",
        "kafka.ssl.truststore-location: " + missing + " does not exist or is not readable",
        "kafka.ssl.keystore-location: " + missing + " does not exist or is not readable",
        "kafka.ssl.keystore-location is set but kafka.ssl.keystore-password is not");
  }

  @Test
  void credentialsAndStoresWithoutAProtocolThatUsesThemAreReported() {
    Configuration config = load(Map.of(
        "kafka.sasl.username", "collector",
        "kafka.ssl.truststore-password", "changeit"));

    KafkaConfig.from(config);
    ConfigException e = catchThrowableOfType(ConfigException.class, config::throwIfInvalid);

    assertThat(e.problems()).containsExactlyInAnyOrder(
        "kafka.sasl.username or kafka.sasl.password is set but kafka.security.protocol is PLAINTEXT: use SASL_PLAINTEXT"
            + " or SASL_SSL",
        "kafka.ssl.* is set but kafka.security.protocol is PLAINTEXT: use SSL or SASL_SSL",
        "kafka.ssl.truststore-password is set but kafka.ssl.truststore-location is not");
  }

  @Test
  void anUnknownProtocolOrMechanismIsRefusedWithTheChoices() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(Map.of(
        "kafka.security.protocol", "TLS", "kafka.sasl.mechanism", "GSSAPI")));

    assertThat(e.problems()).containsExactlyInAnyOrder(
        "kafka.security.protocol (from command line): must be one of [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL], got 'TLS'",
        "kafka.sasl.mechanism (from command line): must be one of [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512], got 'GSSAPI'");
  }

  @Test
  void topicsAreCreatedWithTheConfiguredMinInsyncReplicas() {
    KafkaConfig kafka = bind(Map.of("kafka.topic.replication-factor", "3", "kafka.topic.min-insync-replicas", "2"));

    NewTopic topic = KafkaTopics.newTopic(kafka, "tracking-events");

    assertThat(topic.replicationFactor()).isEqualTo((short) 3);
    assertThat(topic.numPartitions()).isEqualTo(4);
    assertThat(topic.configs()).containsExactly(entry("min.insync.replicas", "2"));
  }

  @Test
  void anotherDomainsTopicsKeepTheSecurityAndTopicSettings() {
    KafkaConfig kafka = bind(Map.of("kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.username", "u",
        "kafka.sasl.password", "p", "kafka.topic.min-insync-replicas", "1"));

    KafkaConfig signups = kafka.withTopics("signups", "signups-dead");

    assertThat(signups.eventsTopic()).isEqualTo("signups");
    assertThat(signups.deadLetterTopic()).isEqualTo("signups-dead");
    assertThat(signups.clientProperties()).isEqualTo(kafka.clientProperties());
    assertThat(signups.minInsyncReplicas()).isEqualTo(1);
  }

  @Test
  void survivesJavaSerialisationToSparkExecutorsAndNeverPrintsAPassword() throws Exception {
    KafkaConfig kafka = bind(Map.of("kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.username", "u",
        "kafka.sasl.password", "hunter2"));

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(kafka);
    }
    Object copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = in.readObject();
    }

    assertThat(copy).isEqualTo(kafka);
    assertThat(((KafkaConfig) copy).clientProperties().get("sasl.jaas.config")).contains("password=\"hunter2\"");
    assertThat(kafka.toString()).contains("SASL_PLAINTEXT", "user u").doesNotContain("hunter2");
  }

  private static KafkaConfig bind(Map<String, String> overrides) {
    Configuration config = load(overrides);
    KafkaConfig kafka = KafkaConfig.from(config);
    config.throwIfInvalid();
    return kafka;
  }

  private static Configuration load(Map<String, String> overrides) {
    Map<String, String> all = new HashMap<>(overrides);
    all.putIfAbsent("kafka.bootstrap-servers", "kafka-1:9093");
    return Configuration.load(Optional.empty(), Map.of(), all, KafkaConfig.SETTINGS);
  }
}
