package io.trackpipe.kafka;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Where tracking events live in Kafka and how to reach it: the brokers, the two topics every component agrees on, how
 * trackpipe creates them, and the clients' security. Every Kafka client trackpipe builds starts from
 * {@link #clientProperties()}, so a security setting reaches all of them. Serializable: Spark ships it to executors.
 *
 * @param bootstrapServers comma-separated host:port list (null only in a configuration with problems)
 * @param eventsTopic raw tracking events, one JSON object per record
 * @param deadLetterTopic records that failed validation: original key and value, reason in headers
 * @param minInsyncReplicas {@code min.insync.replicas} of the topics trackpipe creates; null: the broker's default
 */
public record KafkaConfig(
    String bootstrapServers,
    String eventsTopic,
    String deadLetterTopic,
    int partitions,
    short replicationFactor,
    Integer minInsyncReplicas,
    KafkaSecurity security) implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final Setting<String> BOOTSTRAP_SERVERS = Setting.of("kafka.bootstrap-servers", ValueType.STRING, null,
      "Kafka bootstrap servers (host:port,…). The demo sets it to its embedded broker.");
  public static final Setting<String> EVENTS_TOPIC = Setting.of("kafka.topic.events", ValueType.STRING, "tracking-events",
      "Topic of raw tracking events.");
  public static final Setting<String> DEAD_LETTER_TOPIC = Setting.of("kafka.topic.dead-letter", ValueType.STRING,
      "tracking-events-dead-letter", "Topic that keeps rejected records with their reason.");
  public static final Setting<Integer> PARTITIONS = Setting.of("kafka.topic.partitions", ValueType.INT, 4,
      "Partitions of the topics trackpipe creates when they do not exist (existing topics are left alone).")
      .checked(Setting.positive(), "> 0");
  public static final Setting<Integer> REPLICATION_FACTOR = Setting.of("kafka.topic.replication-factor", ValueType.INT, 1,
      "Replication factor of the topics trackpipe creates.").checked(Setting.positive(), "> 0");
  public static final Setting<Integer> MIN_INSYNC_REPLICAS = Setting.of("kafka.topic.min-insync-replicas", ValueType.INT,
      null, "min.insync.replicas of the topics trackpipe creates (at most the replication factor); unset: the "
          + "broker's default. With acks=all a write fails when fewer replicas are in sync.")
      .checked(Setting.positive(), "> 0");

  public static final List<Setting<?>> SETTINGS;

  static {
    List<Setting<?>> all = new ArrayList<>(List.of(BOOTSTRAP_SERVERS, EVENTS_TOPIC, DEAD_LETTER_TOPIC, PARTITIONS,
        REPLICATION_FACTOR, MIN_INSYNC_REPLICAS));
    all.addAll(KafkaSecurity.SETTINGS);
    SETTINGS = List.copyOf(all);
  }

  public KafkaConfig {
    requireNonNull(eventsTopic, "eventsTopic is null");
    requireNonNull(deadLetterTopic, "deadLetterTopic is null");
    requireNonNull(security, "security is null");
  }

  public static KafkaConfig from(Configuration config) {
    String events = config.get(EVENTS_TOPIC);
    String deadLetter = config.get(DEAD_LETTER_TOPIC);
    config.check(!events.equals(deadLetter), "kafka.topic.events and kafka.topic.dead-letter must differ, both are '" + events + "'");
    int replicationFactor = config.get(REPLICATION_FACTOR);
    Integer minInsync = config.get(MIN_INSYNC_REPLICAS);
    config.check(minInsync == null || minInsync <= replicationFactor, "kafka.topic.min-insync-replicas (" + minInsync
        + ") must be at most kafka.topic.replication-factor (" + replicationFactor + "): no write could succeed");
    KafkaSecurity security = KafkaSecurity.from(config);
    return new KafkaConfig(config.require(BOOTSTRAP_SERVERS), events, deadLetter, config.get(PARTITIONS),
        (short) replicationFactor, minInsync, security);
  }

  /** Unsecured topics on {@code bootstrapServers} with the broker's min.insync.replicas: embedded brokers and tests. */
  public static KafkaConfig plaintext(String bootstrapServers, String eventsTopic, String deadLetterTopic, int partitions,
      short replicationFactor) {
    return new KafkaConfig(bootstrapServers, eventsTopic, deadLetterTopic, partitions, replicationFactor, null,
        KafkaSecurity.PLAINTEXT);
  }

  /** The same brokers, security and topic settings for another pair of topics (a domain's). */
  public KafkaConfig withTopics(String events, String deadLetters) {
    return new KafkaConfig(bootstrapServers, events, deadLetters, partitions, replicationFactor, minInsyncReplicas,
        security);
  }

  /** A domain's topics: job ads keep the configured ones ({@code kafka.topic.*}); another domain's are in its file. */
  public KafkaConfig forDomain(Domain domain) {
    if (domain.name().equals(DomainCatalog.JOB_ADS)) return this;
    return withTopics(domain.topics().events(), domain.topics().deadLetters());
  }

  /**
   * {@code bootstrap.servers} and the security properties: the start of every Kafka client's configuration (a Spark
   * Kafka source takes them prefixed {@code kafka.}). Contains passwords: never log it.
   */
  public Map<String, String> clientProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.putAll(security.clientProperties());
    return properties;
  }

  /** Never prints a password. */
  @Override
  public String toString() {
    return "KafkaConfig[" + bootstrapServers + ", topics " + eventsTopic + " and " + deadLetterTopic + ", " + partitions
        + " partitions, replication " + replicationFactor
        + (minInsyncReplicas == null ? "" : ", min.insync.replicas " + minInsyncReplicas) + ", " + security + "]";
  }
}
