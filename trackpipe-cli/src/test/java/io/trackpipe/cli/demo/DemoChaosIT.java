package io.trackpipe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.it.FactRow;
import io.trackpipe.spark.it.Recount;
import io.trackpipe.spark.it.StreamFixture;
import io.trackpipe.spark.it.WarehouseRows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole demo SIGKILLed again and again (its servers orphaned each time), during start-up and while it works
 * through a backlog: every restart must either come up or say why it could not, and in the end every table must equal
 * an independent recount of what was sent, and every bad record must be in the dead-letter topic.
 */
class DemoChaosIT {
  private static final Logger LOG = LoggerFactory.getLogger(DemoChaosIT.class);
  private static final long SEED = 20_261_204L;
  /** The demo's own generator seed: its dimension tables are the ones the test's events refer to. */
  private static final long DEMO_SEED = 42;
  private static final int BACKLOG = 60_000;
  private static final int KILLED_RUNS = 6;
  private static final Duration ALLOWED_LATENESS = Duration.ofHours(2);
  private static final Duration START_LIMIT = Duration.ofMinutes(4);
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(6);
  private static final String EVENTS_TOPIC = "tracking-events";
  private static final String DEAD_LETTER_TOPIC = "tracking-events-dead-letter";
  /** Small batches, so that the backlog takes many of them and a kill is likely to land inside one. */
  private static final String[] STREAM = {"--no-generate", "--set", "stream.max-events-per-batch=4000",
      "--set", "stream.time-zone=UTC", "--set", "stream.allowed-lateness=2h"};

  @TempDir Path work;

  @AfterEach
  void leaveNothingRunning() {
    DemoProcess.killServersOn(work.resolve("data"));
  }

  @Test
  void countsEveryEventOnceThroughKillsOfTheWholeDemo() throws Exception {
    Path data = work.resolve("data");
    Path log = work.resolve("demo.log");
    Random random = new Random(SEED);
    Dimensions dimensions = SampleDimensions.generate(DEMO_SEED);
    Map<Long, Job> jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
    List<String> kills = new ArrayList<>();
    List<StreamFixture.Send> valid = new ArrayList<>();
    Set<String> malformedPositions = new HashSet<>();

    // Run 1 comes up, takes the backlog, and is killed while it works through it.
    try (DemoProcess demo = DemoProcess.start(data, log, STREAM)) {
      demo.awaitOutput(DemoProcess.RUNNING, START_LIMIT);
      sendBacklog(demo.bootstrapServers(), dimensions, valid, malformedPositions);
      kills.add(killAfter(demo, 2_000 + random.nextInt(6_000), "run 1, working"));
    }
    // Then kills at random moments, every other one during start-up (before the demo says it is running).
    for (int run = 2; run <= KILLED_RUNS; run++) {
      try (DemoProcess demo = DemoProcess.start(data, log, STREAM)) {
        if (run % 2 == 0) {
          kills.add(killAfter(demo, 2_000 + random.nextInt(25_000), "run " + run));
        } else {
          demo.awaitOutput(DemoProcess.RUNNING, START_LIMIT);
          kills.add(killAfter(demo, 1_000 + random.nextInt(10_000), "run " + run + ", working"));
        }
      }
    }
    LOG.info("Killed the demo {} times: {}", kills.size(), kills);

    Map<String, FactRow> expected = Recount.of(valid, jobs, ALLOWED_LATENESS);
    try (DemoProcess demo = DemoProcess.start(data, log, STREAM)) {
      demo.awaitOutput(DemoProcess.RUNNING, START_LIMIT);
      try (Connection c = demo.warehouse()) {
        awaitDrained(demo, c, expected);
        assertThat(WarehouseRows.facts(c)).as("events after %s", kills).isEqualTo(expected);
        WarehouseRows.assertKpiTablesMatchEvents(c, kills);
      }
      Set<String> deadLettered = deadLetterSources(demo.bootstrapServers());
      assertThat(malformedPositions).as("bad records sent").hasSizeGreaterThan(300);
      assertThat(deadLettered).as("source positions in the dead-letter topic")
          .containsExactlyInAnyOrderElementsOf(malformedPositions);
      demo.terminate();
    }
    assertThat(kills).as("kills during start-up").anyMatch(k -> k.contains("during start-up"));
    assertThat(kills).as("kills while working").anyMatch(k -> k.contains("working"));
    assertThat(WarehouseRows.countedTotal(expected)).as("a meaningful test").isGreaterThan(50_000);
  }

  /**
   * Kills the demo after {@code millis}; fails if it exited by itself before (a restart must not give up, least of all
   * silently). Says whether the kill came before or after start-up.
   */
  private static String killAfter(DemoProcess demo, long millis, String run) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      if (!demo.isAlive()) fail(run + ": the demo exited by itself:\n" + demo.output());
      Thread.sleep(100);
    }
    boolean running = demo.output().contains(DemoProcess.RUNNING);
    demo.kill();
    return run + (running ? "" : ", during start-up") + ", killed after " + millis + " ms";
  }

  /** 40 minutes of arrivals ending 10 minutes ago, with copies, late events and bad records; remembers what is what. */
  private static void sendBacklog(String bootstrapServers, Dimensions dimensions, List<StreamFixture.Send> valid,
      Set<String> malformedPositions) throws Exception {
    EventGenerator generator = new EventGenerator(GeneratorConfig.builder(dimensions).seed(SEED).duplicateRatio(0.05)
        .lateRatio(0.05).malformedRatio(0.01).build());
    Instant from = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofMinutes(50));
    List<StreamFixture.Send> sends = new ArrayList<>(BACKLOG);
    List<Boolean> malformed = new ArrayList<>(BACKLOG);
    for (int i = 0; i < BACKLOG; i++) {
      Instant arrival = from.plusMillis(i * 40L);
      GeneratedRecord r = generator.next(arrival);
      sends.add(new StreamFixture.Send(r.key(), r.value(), arrival.toEpochMilli()));
      malformed.add(r.kind() == GeneratedRecord.Kind.MALFORMED);
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> positions = new ArrayList<>(BACKLOG);
      for (StreamFixture.Send s : sends) {
        positions.add(producer.send(new ProducerRecord<>(EVENTS_TOPIC, null, s.timestampMillis(),
            s.key() == null ? null : s.key().getBytes(StandardCharsets.UTF_8), s.value())));
      }
      for (int i = 0; i < BACKLOG; i++) {
        RecordMetadata m = positions.get(i).get();
        if (malformed.get(i)) {
          malformedPositions.add(m.topic() + "/" + m.partition() + "/" + m.offset());
        } else {
          valid.add(sends.get(i));
        }
      }
    }
  }

  /** Waits until the facts hold as many counted events as the recount; fails at once on more. */
  private static void awaitDrained(DemoProcess demo, Connection c, Map<String, FactRow> expected) throws Exception {
    long expectedTotal = WarehouseRows.countedTotal(expected);
    long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
    long counted = -1;
    while (System.nanoTime() < deadline) {
      counted = WarehouseRows.countedTotal(WarehouseRows.facts(c));
      assertThat(counted).as("events counted while draining").isLessThanOrEqualTo(expectedTotal);
      if (counted == expectedTotal) return;
      if (!demo.isAlive()) fail("the demo exited while draining:\n" + demo.output());
      Thread.sleep(1000);
    }
    fail("not drained within " + DRAIN_LIMIT + ": " + counted + " of " + expectedTotal + " events counted:\n"
        + demo.output());
  }

  /** The {@code trackpipe.source} header ({@code topic/partition/offset}) of every dead letter. */
  private static Set<String> deadLetterSources(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    Set<String> sources = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(DEAD_LETTER_TOPIC)) {
        partitions.add(new TopicPartition(p.topic(), p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.currentTimeMillis() + 60_000;
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.currentTimeMillis() > deadline) fail("cannot read the dead-letter topic to its end");
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Header source = r.headers().lastHeader("trackpipe.source");
          sources.add(new String(source.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return sources;
  }

}
