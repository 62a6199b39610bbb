package io.trackpipe.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates the events and dead-letter topics when they are missing; existing topics are left as they are. */
public final class KafkaTopics {
  private KafkaTopics() {}

  /**
   * A new topic's partitions get their leaders a moment after creation; an idempotent producer that writes in that
   * moment can get stuck retrying (NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE_NUMBER; once in the tests, for
   * the whole 120 s delivery timeout). Wait for them: first for the metadata to name a leader, then for each leader to
   * answer for its partition. The broker publishes a leader in its metadata before its replica manager has become
   * that leader, so the metadata alone is not enough.
   */
  private static void awaitLeaders(Admin admin, List<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Map<String, TopicDescription> described = Map.of();
    while (true) {
      boolean ready;
      try {
        described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        ready = described.values().stream()
            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
      } catch (ExecutionException e) {
        // Just created: the broker's metadata may not know the topic yet.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw e;
        ready = false;
      }
      if (ready) break;
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + topics + " have no leader after 30 s");
      }
      Thread.sleep(100);
    }
    // The admin client retries a partition whose leader is not ready yet, until the call's timeout.
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    for (TopicDescription d : described.values()) {
      d.partitions().forEach(p -> partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
    }
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs((int) Math.min(left, 30_000)))
        .all().get(left + 5_000, TimeUnit.MILLISECONDS);
  }

  /**
   * Creates whichever of the two topics is missing, with the configured partitions, replication factor and, when set,
   * {@code min.insync.replicas}.
   */
  public static void ensureExist(KafkaConfig kafka) {
    Map<String, Object> props = new HashMap<>(kafka.clientProperties());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : List.of(kafka.eventsTopic(), kafka.deadLetterTopic())) {
        if (!existing.contains(topic)) missing.add(newTopic(kafka, topic));
      }
      if (missing.isEmpty()) return;
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw e; // created concurrently by another process
      }
      awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthenticationException) {
        throw new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " refused trackpipe's client ("
            + kafka.security() + "): " + e.getCause().getMessage() + ". Check kafka.security.protocol, kafka.sasl.* "
            + "and kafka.ssl.*", e);
      }
      throw new IllegalStateException("cannot reach Kafka at " + kafka.bootstrapServers() + " to check topics "
          + kafka.eventsTopic() + " and " + kafka.deadLetterTopic() + ": " + e.getMessage(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot reach Kafka at " + kafka.bootstrapServers() + " to check topics "
          + kafka.eventsTopic() + " and " + kafka.deadLetterTopic() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking Kafka topics", e);
    }
  }

  static NewTopic newTopic(KafkaConfig kafka, String name) {
    NewTopic topic = new NewTopic(name, kafka.partitions(), kafka.replicationFactor());
    if (kafka.minInsyncReplicas() != null) {
      topic.configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, kafka.minInsyncReplicas().toString()));
    }
    return topic;
  }
}
