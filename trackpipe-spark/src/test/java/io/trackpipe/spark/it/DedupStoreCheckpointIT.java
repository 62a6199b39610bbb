package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.fs.Folders;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dedup store lives on the driver's disk; its durable copy, the dedup log, in the query's checkpoint. A store lost
 * with the driver's disk (or left behind) is rebuilt from the log at the next start, and copies of counted events are
 * still dropped. Only when the log cannot cover the committed batches either does the job refuse to start.
 */
class DedupStoreCheckpointIT {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @TempDir Path work;

  @Test
  void rebuildsALostDedupStoreFromTheLogInTheCheckpointAndDropsTheCopies() throws Exception {
    StreamFixture f = StreamFixture.create("dedupdisk", work);
    StreamConfig stream = smallBatches(f.streamConfig());
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).minusHours(1);
    List<StreamFixture.Send> sent = clicks(hour, 1, hour.plusMinutes(61));
    f.produce(sent);
    StreamFixture.runToEnd(f.job(stream));
    assertThat(logFiles(f)).as("one file per batch of 50 records").hasSizeGreaterThanOrEqualTo(4);

    // The driver's disk is replaced: the store is gone, the checkpoint (with the log) is not.
    Folders.deleteRecursively(stream.dedupStoreDir());
    List<StreamFixture.Send> copies = clicks(hour, 4, hour.plusMinutes(70));
    copies.add(click("e-new", hour.plusMinutes(5), hour.plusMinutes(70)));
    f.produce(copies);
    sent.addAll(copies);
    Map<String, FactRow> expected = Recount.of(sent, Map.of(), stream.allowedLateness());

    StreamFixture.runToEnd(f.job(stream));
    assertThat(f.facts()).as("the copies dropped by the rebuilt store, the new event counted").isEqualTo(expected);
    assertThat(WarehouseRows.countedTotal(expected)).isEqualTo(201);

    // The store is behind the log (an older copy of the driver's disk): rebuilt too.
    Path older = work.resolve("older-store");
    copyFolder(stream.dedupStoreDir(), older);
    List<StreamFixture.Send> more = List.of(click("e-later", hour.plusMinutes(7), hour.plusMinutes(75)));
    f.produce(more);
    StreamFixture.runToEnd(f.job(stream));
    Folders.deleteRecursively(stream.dedupStoreDir());
    Files.move(older, stream.dedupStoreDir());
    List<StreamFixture.Send> copiesAgain = List.of(click("e-later", hour.plusMinutes(7), hour.plusMinutes(80)),
        click("e-3", hour.plusMinutes(3), hour.plusMinutes(80)));
    f.produce(copiesAgain);
    sent.addAll(more);
    sent.addAll(copiesAgain);
    StreamFixture.runToEnd(f.job(stream));
    assertThat(f.facts()).as("copies of events counted after the older store was taken, dropped")
        .isEqualTo(Recount.of(sent, Map.of(), stream.allowedLateness()));
  }

  @Test
  void refusesToStartWhenTheLogCannotCoverALostStore() throws Exception {
    StreamFixture f = StreamFixture.create("dedupgone", work);
    StreamConfig stream = f.streamConfig();
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).minusHours(1);
    List<StreamFixture.Send> sent = clicks(hour, 1, hour.plusMinutes(61));
    f.produce(sent);
    StreamFixture.runToEnd(f.job(stream));

    // Both gone: the store (kept aside here, to be restored) and the log.
    Path aside = work.resolve("dedup-aside");
    Files.move(stream.dedupStoreDir(), aside);
    Folders.deleteRecursively(logDir(f));
    List<StreamFixture.Send> copies = clicks(hour, 4, hour.plusMinutes(70));
    f.produce(copies);
    sent.addAll(copies);
    Map<String, FactRow> expected = Recount.of(sent, Map.of(), stream.allowedLateness());

    assertThatThrownBy(() -> f.job(stream).start(StreamFixture.spark()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the dedup store in")
        .hasMessageContaining("is empty")
        .hasMessageContaining("has no start file")
        .hasMessageContaining("stream.accept-dedup-store-loss")
        .hasMessageContaining("--fresh");
    assertThat(StreamFixture.spark().streams().active()).as("no query left running").isEmpty();
    assertThat(f.facts()).as("no copy counted").isEqualTo(expected);

    // The store is back, the log is not (an installation from before the log): the job runs and the log begins again,
    // noting that the store holds ids of this hour that are in no file.
    Folders.deleteRecursively(stream.dedupStoreDir());
    Files.move(aside, stream.dedupStoreDir());
    StreamFixture.runToEnd(f.job(stream));
    assertThat(f.facts()).as("with its own store back, the copies are dropped").isEqualTo(expected);
    assertThat(Files.readString(logDir(f).resolve("start"))).contains("unlogged-until-hour=");

    // So a store lost now cannot be rebuilt yet: its ids from before the log are within the horizon.
    Folders.deleteRecursively(stream.dedupStoreDir());
    f.produce(copies);
    assertThatThrownBy(() -> f.job(stream).start(StreamFixture.spark()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in no file and still within the horizon");
    assertThat(f.facts()).as("no copy counted").isEqualTo(expected);
  }

  /**
   * The job is killed (SIGKILL) after a batch's first sightings are logged and before its facts are committed, and the
   * driver's disk is lost with it: the store rebuilt from the log holds that batch's ids as its own, so the batch's
   * re-run counts them once, and copies sent while the job was down are dropped.
   */
  @Test
  void countsEachEventOnceWhenTheJobDiesBetweenDedupAndCommitAndLosesItsDisk() throws Exception {
    StreamFixture f = StreamFixture.create("dedupkill", work);
    Dimensions dimensions = SampleDimensions.generate(7, 10, 60, 8);
    f.loadDimensions(dimensions);
    Map<Long, Job> jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
    EventGenerator generator = new EventGenerator(GeneratorConfig.builder(dimensions).seed(7).duplicateRatio(0.05).build());
    Instant start = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
    List<StreamFixture.Send> sent = StreamFixture.generate(generator, 30_000, start, 40);
    f.produce(sent);
    Map<String, String> settings = Map.of("stream.max-events-per-batch", "3000");
    StreamConfig stream = f.streamConfig();

    List<String> kills = new ArrayList<>();
    for (int attempt = 1; attempt <= 4 && kills.size() < 2; attempt++) {
      try (StreamJobProcess run = StreamJobProcess.start(f, work, "run-" + attempt + ".log", settings)) {
        // A batch logged by this run: after the last committed one, and after any a killed run logged.
        long logged = awaitLoggedBatchAfter(f, run,
            Math.max(f.committedBatch(), newestLoggedBatch(f).orElse(-1)) + 1);
        run.kill();
        long committedAtKill = f.committedBatch();
        if (committedAtKill < logged) kills.add("batch " + logged + " logged, " + committedAtKill + " committed");
      }
      Folders.deleteRecursively(stream.dedupStoreDir()); // the driver's disk goes with the driver
    }
    assertThat(kills).as("kills between a batch's dedup and its commit").isNotEmpty();

    // Copies of events counted before the kills, sent while the job was down.
    Random random = new Random(7);
    List<StreamFixture.Send> copies = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      StreamFixture.Send original = sent.get(random.nextInt(3_000));
      copies.add(new StreamFixture.Send(original.key(), original.value(), Instant.now().toEpochMilli()));
    }
    f.produce(copies);
    sent.addAll(copies);
    Map<String, FactRow> expected = Recount.of(sent, jobs, stream.allowedLateness());

    try (StreamJobProcess run = StreamJobProcess.start(f, work, "run-last.log", settings)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
      while (WarehouseRows.countedTotal(f.facts()) < WarehouseRows.countedTotal(expected)) {
        if (!run.isAlive()) fail("the job died\n" + run.logTail());
        if (System.nanoTime() > deadline) fail("not drained within 180 s\n" + run.logTail());
        Thread.sleep(500);
      }
      Thread.sleep(2_000); // nothing more may come
      run.stop();
      assertThat(Files.readString(work.resolve("run-last.log"))).contains("rebuilt it from the dedup log");
    }
    assertThat(f.facts()).as("facts after %s", kills).isEqualTo(expected);
    assertThat(WarehouseRows.countedTotal(expected)).as("a meaningful test").isGreaterThan(25_000);
  }

  /** Waits until the log holds a file of batch {@code batch} or later; its batch id. */
  private static long awaitLoggedBatchAfter(StreamFixture f, StreamJobProcess run, long batch) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      OptionalLong newest = newestLoggedBatch(f);
      if (newest.isPresent() && newest.getAsLong() >= batch) return newest.getAsLong();
      if (!run.isAlive()) fail("the job died before logging batch " + batch + "\n" + run.logTail());
      if (System.nanoTime() > deadline) fail("no log file of batch " + batch + " within 120 s\n" + run.logTail());
      Thread.sleep(2);
    }
  }

  private static OptionalLong newestLoggedBatch(StreamFixture f) throws Exception {
    return logFiles(f).stream().mapToLong(n -> Long.parseLong(n.substring(0, n.indexOf('-')))).max();
  }

  private static Path logDir(StreamFixture f) {
    return f.checkpointDir.resolve(TrackingStreamJob.DEDUP_LOG_FOLDER);
  }

  private static List<String> logFiles(StreamFixture f) throws Exception {
    if (!Files.isDirectory(logDir(f))) return List.of();
    try (Stream<Path> files = Files.list(logDir(f))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+-\\d+\\.ids")).toList();
    }
  }

  private static void copyFolder(Path from, Path to) throws Exception {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
  }

  /** The fixture's settings with batches of 50 records, so that a run has several. */
  private static StreamConfig smallBatches(StreamConfig s) {
    return new StreamConfig(s.checkpointDir(), s.sparkMaster(), s.triggerInterval(), 50, s.shufflePartitions(),
        s.dedupStoreDir(), s.startingOffsets(), s.timeZone(), s.allowedLateness(), s.dedupHorizon(), s.maxFutureSkew(),
        s.dimensionRefresh(), s.deadLetterMaxBytes(), s.acceptDedupStoreLoss(), s.domains());
  }

  /** Clicks {@code e-0} to {@code e-199}, every {@code step}-th, in the minutes of {@code hour}; a list to add to. */
  private static List<StreamFixture.Send> clicks(LocalDateTime hour, int step, LocalDateTime arrival) {
    List<StreamFixture.Send> clicks = new ArrayList<>();
    for (int i = 0; i < 200; i += step) {
      clicks.add(click("e-" + i, hour.plusMinutes(i % 60), arrival));
    }
    return clicks;
  }

  private static StreamFixture.Send click(String id, LocalDateTime time, LocalDateTime arrival) {
    String json = "{\"create_time\":\"" + id + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":1,\"publisher_id\":2,"
        + "\"campaign_id\":3,\"group_id\":4,\"bid\":0.5,\"custom_track\":\"click\"}";
    return new StreamFixture.Send("1", json.getBytes(StandardCharsets.UTF_8), arrival.toInstant(ZoneOffset.UTC).toEpochMilli());
  }
}
