package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a streaming job of a fixture stands, read from outside the job (the warehouse's commits, Spark's checkpoint
 * files, the topic's end offsets), for tests that kill it at chosen moments and wait for it to finish the work.
 */
public final class StreamProgress {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StreamProgress() {}

  /** Waits until the warehouse's last committed batch is at least {@code batch}, polling every {@code pollMillis}. */
  public static void awaitWarehouseBatch(StreamFixture f, RunningJob run, long batch, long pollMillis) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    try (Connection c = f.warehouse.connect();
        PreparedStatement s = c.prepareStatement("SELECT batch_id FROM stream_commit WHERE sink = ?")) {
      s.setString(1, StreamFixture.JOB_ADS_SINK);
      while (true) {
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next() && rs.getLong(1) >= batch) return;
        }
        if (!run.isAlive()) fail("the job died before committing batch " + batch + "\n" + run.logTail());
        if (System.nanoTime() > deadline) fail("no commit of batch " + batch + " within 120 s\n" + run.logTail());
        if (pollMillis > 0) Thread.sleep(pollMillis);
      }
    }
  }

  /** Waits until {@code file} exists (Spark writes {@code offsets/N} when it plans batch N). */
  public static void awaitFile(RunningJob run, Path file) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!Files.exists(file)) {
      if (!run.isAlive()) fail("the job died before writing " + file.getFileName() + "\n" + run.logTail());
      if (System.nanoTime() > deadline) fail("no " + file + " within 120 s\n" + run.logTail());
      Thread.sleep(20);
    }
  }

  /** The highest batch id among Spark's checkpoint log files ({@code offsets/N}, {@code commits/N}); -1 if none. */
  public static long latestBatchFile(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) return -1;
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
          .mapToLong(Long::parseLong).max().orElse(-1);
    }
  }

  /**
   * Waits until Spark has committed a batch that ends at the topic's end offsets, and the facts hold as many counted
   * events as the recount; fails early on a count above it.
   */
  public static void awaitDrained(StreamFixture f, RunningJob run, long expectedTotal, Duration timeout)
      throws Exception {
    Map<String, Long> end = endOffsets(f);
    long deadline = System.nanoTime() + timeout.toNanos();
    long counted = -1;
    while (System.nanoTime() < deadline) {
      counted = WarehouseRows.countedTotal(f.facts());
      assertThat(counted).as("events counted while draining (expected %d)", expectedTotal).isLessThanOrEqualTo(expectedTotal);
      long committed = latestBatchFile(f.checkpointDir.resolve("commits"));
      if (counted == expectedTotal && committed >= 0 && committed == latestBatchFile(f.checkpointDir.resolve("offsets"))
          && checkpointOffsets(f.checkpointDir, committed).equals(end)) {
        return;
      }
      if (!run.isAlive()) fail("the job died while draining\n" + run.logTail());
      Thread.sleep(500);
    }
    fail("not drained within " + timeout + ": " + counted + " of " + expectedTotal + " events counted\n"
        + run.logTail());
  }

  /** {@code partition → next offset} of the events topic. */
  private static Map<String, Long> endOffsets(StreamFixture f) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, f.kafka.bootstrapServers());
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(f.kafka.eventsTopic())) {
        partitions.add(new TopicPartition(p.topic(), p.partition()));
      }
      Map<String, Long> end = new HashMap<>();
      consumer.endOffsets(partitions).forEach((tp, offset) -> end.put(String.valueOf(tp.partition()), offset));
      return end;
    }
  }

  /** The source offsets Spark planned for a batch: the last line of {@code offsets/N}, {@code {"topic":{"0":n}}}. */
  private static Map<String, Long> checkpointOffsets(Path checkpoint, long batch) throws Exception {
    List<String> lines = Files.readAllLines(checkpoint.resolve("offsets").resolve(String.valueOf(batch)));
    JsonNode topics = JSON.readTree(lines.get(lines.size() - 1));
    Map<String, Long> offsets = new HashMap<>();
    topics.fields().forEachRemaining(t -> t.getValue().fields()
        .forEachRemaining(p -> offsets.put(p.getKey(), p.getValue().asLong())));
    return offsets;
  }
}
