package io.trackpipe.kafka;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.util.List;

/**
 * Where tracking events live in Kafka: the broker and the two topics every component agrees on.
 *
 * @param bootstrapServers comma-separated host:port list
 * @param eventsTopic raw tracking events, one JSON object per record
 * @param deadLetterTopic records that failed validation: original key and value, reason in headers
 */
public record KafkaConfig(String bootstrapServers, String eventsTopic, String deadLetterTopic, int partitions, short replicationFactor) {

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

  public static final List<Setting<?>> SETTINGS =
      List.of(BOOTSTRAP_SERVERS, EVENTS_TOPIC, DEAD_LETTER_TOPIC, PARTITIONS, REPLICATION_FACTOR);

  public static KafkaConfig from(Configuration config) {
    String events = config.get(EVENTS_TOPIC);
    String deadLetter = config.get(DEAD_LETTER_TOPIC);
    config.check(!events.equals(deadLetter), "kafka.topic.events and kafka.topic.dead-letter must differ, both are '" + events + "'");
    return new KafkaConfig(config.require(BOOTSTRAP_SERVERS), events, deadLetter, config.get(PARTITIONS),
        config.get(REPLICATION_FACTOR).shortValue());
  }
}
