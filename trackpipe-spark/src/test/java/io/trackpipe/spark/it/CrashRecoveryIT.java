package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job in a child JVM, SIGKILLed again and again while it works through a backlog, must still end with
 * facts equal to an independent recount: every event counted exactly once, duplicates dropped across restarts, and
 * every bad record kept in the dead-letter topic (at least once).
 */
class CrashRecoveryIT {
  private static final long SEED = 20_240_611L;
  private static final int BACKLOG = 40_000;
  private static final int MORE_WHILE_DOWN = 6_000;
  private static final int RESENT_FROM_BACKLOG = 500;
  /** Small batches, so that the backlog takes many of them and a kill is likely to land inside one. */
  private static final Map<String, String> SMALL_BATCHES = Map.of("stream.max-events-per-batch", "4000");
  private static final Duration ALLOWED_LATENESS = Duration.ofHours(2);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(150);
  private static final Logger LOG = LoggerFactory.getLogger(CrashRecoveryIT.class);

  @TempDir Path work;
  private final List<Kill> kills = new ArrayList<>();

  /** Where a kill left the job, read from the warehouse and the checkpoint right after it. */
  private record Kill(String moment, long countedBefore, long countedAfter, long expectedSoFar, long warehouseBatch,
      long checkpointOffsetsBatch, long checkpointCommitsBatch) {

    boolean workLeft() {
      return countedAfter < expectedSoFar;
    }

    /** Spark had planned a batch (written its offsets) and not yet recorded it as done. */
    boolean interruptedABatch() {
      return checkpointOffsetsBatch > checkpointCommitsBatch;
    }

    /** The facts of a batch were committed, Spark's checkpoint did not record it: the restart must skip it. */
    boolean betweenFactsAndCheckpointCommit() {
      return warehouseBatch > checkpointCommitsBatch;
    }
  }

  /** Everything sent to the events topic so far, as the recount and the dead-letter check need it. */
  private static final class Sent {
    final List<StreamFixture.Send> valid = new ArrayList<>();
    final Set<String> malformedPositions = new HashSet<>();

    void add(StreamFixture f, List<StreamFixture.Send> sends, List<Boolean> malformed) throws Exception {
      List<RecordMetadata> positions = f.produceAndGetOffsets(sends);
      for (int i = 0; i < sends.size(); i++) {
        if (malformed.get(i)) {
          RecordMetadata m = positions.get(i);
          malformedPositions.add(m.topic() + "/" + m.partition() + "/" + m.offset());
        } else {
          valid.add(sends.get(i));
        }
      }
    }
  }

  @Test
  void countsEveryEventExactlyOnceAfterTheJobIsKilledMidStream() throws Exception {
    StreamFixture f = StreamFixture.create("crash", work);
    Dimensions dimensions = SampleDimensions.generate(SEED, 10, 60, 8);
    f.loadDimensions(dimensions);
    Map<Long, Job> jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
    EventGenerator generator = new EventGenerator(GeneratorConfig.builder(dimensions).seed(SEED).duplicateRatio(0.05)
        .lateRatio(0.05).malformedRatio(0.01).build());
    Random random = new Random(SEED);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Sent sent = new Sent();
    // 40 minutes of arrivals ending 10 minutes ago; event times reach back up to 90 minutes before their arrival.
    generate(f, sent, generator, BACKLOG, now.minus(Duration.ofMinutes(50)), 60);
    long expectedFirst = WarehouseRows.countedTotal(Recount.of(sent.valid, jobs, ALLOWED_LATENESS));
    try (StreamJobProcess run = start(f, 1)) {
      StreamProgress.awaitWarehouseBatch(f, run, 2, 20);
      kill(f, run, "after batch 2 committed", expectedFirst, 0);
    }
    // While the backlog lasts, a batch's commit runs behind the next batch, and Spark records the batch as done before
    // its commit: a lock held on the sink's commit row keeps that commit from finishing until the job is killed.
    long heldBatch;
    try (StreamJobProcess run = start(f, 2); Connection lock = f.warehouse.connect()) {
      StreamProgress.awaitWarehouseBatch(f, run, f.committedBatch() + 1, 0);
      lock.setAutoCommit(false);
      try (ResultSet row = lock.createStatement().executeQuery(
          "SELECT batch_id FROM stream_commit WHERE sink = '" + StreamFixture.JOB_ADS_SINK + "' FOR UPDATE")) {
        assertThat(row.next()).isTrue();
        heldBatch = row.getLong(1) + 1;
      }
      StreamProgress.awaitFile(run, f.checkpointDir.resolve("commits").resolve(String.valueOf(heldBatch)));
      kill(f, run, "batch " + heldBatch + " done in Spark's checkpoint, its commit held behind a lock", expectedFirst, 0);
      lock.rollback();
    }
    assertThat(kills.get(kills.size() - 1).warehouseBatch()).as("the held commit did not reach the warehouse")
        .isEqualTo(heldBatch - 1);

    // While the job is down: more traffic, whose generated duplicates copy backlog events, and explicit re-sends of
    // backlog events long after their first arrival (but within the dedup horizon).
    generate(f, sent, generator, MORE_WHILE_DOWN, now.minus(Duration.ofMinutes(9)), 30);
    List<StreamFixture.Send> resent = new ArrayList<>();
    for (int i = 0; i < RESENT_FROM_BACKLOG; i++) {
      StreamFixture.Send original = sent.valid.get(random.nextInt(BACKLOG / 2));
      resent.add(new StreamFixture.Send(original.key(), original.value(), now.minus(Duration.ofMinutes(2)).toEpochMilli()));
    }
    sent.add(f, resent, resent.stream().map(s -> false).toList());
    Map<String, FactRow> expected = Recount.of(sent.valid, jobs, ALLOWED_LATENESS);
    long expectedTotal = WarehouseRows.countedTotal(expected);

    try (StreamJobProcess run = start(f, 3)) {
      // Once the batch is planned, the warehouse is polled as fast as it answers, so the kill lands right after the
      // batch's facts commit: often before Spark has recorded the batch as done in its checkpoint.
      long next = f.committedBatch() + 1;
      StreamProgress.awaitFile(run, f.checkpointDir.resolve("offsets").resolve(String.valueOf(next)));
      StreamProgress.awaitWarehouseBatch(f, run, next, 0);
      kill(f, run, "the moment batch " + next + "'s facts committed", expectedTotal, 0);
    }
    assertThat(Files.readString(work.resolve("run-3.log"))).as("the restart after the held commit")
        .contains("batch " + heldBatch + " runs again");
    try (StreamJobProcess run = start(f, 4)) {
      StreamProgress.awaitWarehouseBatch(f, run, f.committedBatch() + 1, 20);
      long delay = 200 + random.nextInt(1500);
      kill(f, run, delay + " ms after the restart's first commit", expectedTotal, delay);
    }
    LOG.info("Killed the job {} times: {}", kills.size(), kills);
    try (StreamJobProcess run = start(f, 5)) {
      StreamProgress.awaitDrained(f, run, expectedTotal, DRAIN_TIMEOUT);
      run.stop();
    }

    assertThat(f.facts()).as("facts after %s", kills).isEqualTo(expected);
    try (Connection c = f.warehouse.connect()) {
      WarehouseRows.assertKpiTablesMatchEvents(c, kills);
    }
    assertThat(expectedTotal).as("a meaningful test").isGreaterThan(35_000);
    assertThat(kills).as("kills that left events uncounted").filteredOn(Kill::workLeft).hasSizeGreaterThanOrEqualTo(2);
    assertThat(kills).as("kills with a batch in flight").filteredOn(Kill::interruptedABatch).isNotEmpty();
    assertThat(kills).as("each run counted something before it was killed")
        .allMatch(k -> k.countedAfter() > k.countedBefore());
    for (int i = 0; i < kills.size(); i++) {
      Kill kill = kills.get(i);
      if (kill.betweenFactsAndCheckpointCommit()) {
        // The case the exactly-once writer exists for: Spark re-runs the batch, the warehouse already has it.
        assertThat(new String(Files.readAllBytes(work.resolve("run-" + (i + 2) + ".log")), StandardCharsets.UTF_8))
            .as("after the kill %s, the restart re-runs batch %d and skips it", kill.moment(), kill.warehouseBatch())
            .contains("Batch " + kill.warehouseBatch() + " was committed before the restart; skipping it");
      }
    }

    Set<String> deadLettered = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : f.deadLettersToEnd()) {
      Header source = r.headers().lastHeader("trackpipe.source");
      deadLettered.add(new String(source.value(), StandardCharsets.UTF_8));
    }
    assertThat(sent.malformedPositions).as("bad records sent").hasSizeGreaterThan(300);
    assertThat(deadLettered).as("source positions in the dead-letter topic")
        .containsExactlyInAnyOrderElementsOf(sent.malformedPositions);
  }

  private static void generate(StreamFixture f, Sent sent, EventGenerator generator, int count, Instant from,
      long millisApart) throws Exception {
    List<StreamFixture.Send> sends = new ArrayList<>(count);
    List<Boolean> malformed = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Instant arrival = from.plusMillis(i * millisApart);
      GeneratedRecord r = generator.next(arrival);
      sends.add(new StreamFixture.Send(r.key(), r.value(), arrival.toEpochMilli()));
      malformed.add(r.kind() == GeneratedRecord.Kind.MALFORMED);
    }
    sent.add(f, sends, malformed);
  }

  private StreamJobProcess start(StreamFixture f, int run) throws Exception {
    return StreamJobProcess.start(f, work, "run-" + run + ".log", SMALL_BATCHES);
  }

  /** SIGKILLs the run (after {@code delayMillis}) and records where it left the job. */
  private void kill(StreamFixture f, StreamJobProcess run, String moment, long expectedSoFar, long delayMillis)
      throws Exception {
    if (delayMillis > 0) Thread.sleep(delayMillis);
    run.kill();
    long before = kills.isEmpty() ? 0 : kills.get(kills.size() - 1).countedAfter();
    kills.add(new Kill(moment, before, WarehouseRows.countedTotal(f.facts()), expectedSoFar, f.committedBatch(),
        StreamProgress.latestBatchFile(f.checkpointDir.resolve("offsets")), StreamProgress.latestBatchFile(f.checkpointDir.resolve("commits"))));
  }
}
