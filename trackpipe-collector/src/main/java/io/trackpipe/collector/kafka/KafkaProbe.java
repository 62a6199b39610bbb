package io.trackpipe.collector.kafka;

import static java.util.Objects.requireNonNull;

import io.trackpipe.collector.kafka.KafkaAvailability.Outage;
import io.trackpipe.kafka.KafkaConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Asks Kafka every second whether every domain's two topics are there, and keeps {@link KafkaAvailability} current: this is what
 * brings the collector back after an outage or once a domain's topics are created, and what {@code /health} reports. Runs on its own daemon thread.
 */
public final class KafkaProbe implements AutoCloseable {
  public static final Duration INTERVAL = Duration.ofSeconds(1);

  private final Admin admin;
  private final KafkaConfig kafka;
  private final List<String> topics;
  private final Duration timeout;
  private final KafkaAvailability availability;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "trackpipe-collector-kafka-probe");
    thread.setDaemon(true);
    return thread;
  });

  /** @param topics every topic the collector writes to */
  public KafkaProbe(KafkaConfig kafka, List<String> topics, Duration timeout, KafkaAvailability availability) {
    this.kafka = requireNonNull(kafka, "kafka is null");
    this.topics = List.copyOf(topics);
    this.timeout = requireNonNull(timeout, "timeout is null");
    this.availability = requireNonNull(availability, "availability is null");
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    this.admin = Admin.create(adminProperties(kafka, timeoutMs));
  }

  static Map<String, Object> adminProperties(KafkaConfig kafka, int timeoutMs) {
    Map<String, Object> properties = new HashMap<>(kafka.clientProperties());
    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "trackpipe-collector-probe");
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    return properties;
  }

  /** Probes once now (so the first requests find the state known), then every {@link #INTERVAL}. */
  public void start() {
    probe();
    timer.scheduleWithFixedDelay(this::probe, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One check; never throws. Kafka up with some topics missing is not an outage: only their domains wait. */
  public void probe() {
    try {
      Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics).topicNameValues();
      long deadline = System.nanoTime() + timeout.toNanos();
      Set<String> missing = new HashSet<>();
      for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : described.entrySet()) {
        try {
          topic.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw e;
          missing.add(topic.getKey());
        }
      }
      availability.topicsMissing(missing);
      availability.markUp();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      availability.markDown(Outage.UNREACHABLE, "cannot reach Kafka at " + kafka.bootstrapServers() + ": "
          + cause.getMessage());
    } catch (TimeoutException e) {
      availability.markDown(Outage.UNREACHABLE, "no answer from Kafka at " + kafka.bootstrapServers() + " within "
          + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      availability.markDown(Outage.UNREACHABLE, "cannot check Kafka at " + kafka.bootstrapServers() + ": "
          + e.getMessage());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
