package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.fs.Folders;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.stream.StreamConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint that goes back (a restored older copy, lost {@code offsets/N} and {@code commits/N} files) makes Spark
 * plan batches over other Kafka offsets than the warehouse committed; the job must refuse instead of skipping or
 * counting events twice, and count exactly once again when the checkpoint that belongs to the warehouse is back.
 */
class CheckpointRegressionIT {
  private static final Duration LATENESS = Duration.ofHours(2);

  @TempDir Path work;

  private final List<StreamFixture.Send> sent = new ArrayList<>();
  private EventGenerator generator;
  private Map<Long, Job> jobs;
  private Instant clock;

  private StreamFixture fixture(String prefix) throws Exception {
    StreamFixture f = StreamFixture.create(prefix, work);
    Dimensions dimensions = SampleDimensions.generate(7, 5, 20, 4);
    f.loadDimensions(dimensions);
    generator = new EventGenerator(GeneratorConfig.builder(dimensions).seed(7).duplicateRatio(0.02).build());
    jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
    clock = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
    return f;
  }

  private void produce(StreamFixture f, int events) throws Exception {
    List<StreamFixture.Send> sends = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      clock = clock.plusMillis(50);
      GeneratedRecord r = generator.next(clock);
      sends.add(new StreamFixture.Send(r.key(), r.value(), clock.toEpochMilli()));
    }
    f.produce(sends);
    sent.addAll(sends);
  }

  private Map<String, FactRow> recountOf(List<StreamFixture.Send> sends) throws Exception {
    return Recount.of(sends, jobs, LATENESS);
  }

  @Test
  void refusesToRunOnAfterTheLastOffsetsAndCommitsFilesAreLost() throws Exception {
    StreamFixture f = fixture("lostoffsets");
    StreamConfig stream = f.streamConfig();
    produce(f, 1_000);
    StreamFixture.runToEnd(f.job(stream));
    produce(f, 1_000);
    StreamFixture.runToEnd(f.job(stream));
    Map<String, FactRow> committed = recountOf(sent);
    assertThat(f.facts()).isEqualTo(committed);
    long last = f.committedBatch();

    // The newest batch's files vanish (a disk that lost its last writes); Spark re-plans that batch over more offsets.
    Path lost = Files.createDirectories(work.resolve("lost"));
    for (String log : List.of("offsets", "commits")) {
      moveLogFiles(stream.checkpointDir().localPath().orElseThrow().resolve(log), last, lost.resolve(log));
    }
    produce(f, 1_000);

    assertThatThrownBy(() -> StreamFixture.runToEnd(f.job(stream)))
        .hasStackTraceContaining("does not match the warehouse")
        .hasStackTraceContaining("batch " + last + " is planned again over other Kafka offsets")
        .hasStackTraceContaining("--fresh");
    assertThat(f.facts()).as("nothing skipped nor counted twice by the refused run").isEqualTo(committed);

    // The way out: the checkpoint's files back, then it resumes where the warehouse is, counting each event once.
    for (String log : List.of("offsets", "commits")) {
      moveLogFiles(lost.resolve(log), last, stream.checkpointDir().localPath().orElseThrow().resolve(log));
    }
    StreamFixture.runToEnd(f.job(stream));
    assertThat(f.facts()).isEqualTo(recountOf(sent));
  }

  @Test
  void refusesToRunOnFromARestoredOlderCheckpointCopy() throws Exception {
    StreamFixture f = fixture("oldcopy");
    StreamConfig stream = f.streamConfig();
    produce(f, 1_000);
    StreamFixture.runToEnd(f.job(stream));
    // A backup of the checkpoint's offsets and commits, taken now (the dedup store is left where it is: its own check
    // is DedupStoreCheckpointIT's).
    Path backup = work.resolve("backup");
    copyLogs(stream.checkpointDir().localPath().orElseThrow(), backup);
    for (int run = 0; run < 2; run++) {
      produce(f, 800);
      StreamFixture.runToEnd(f.job(stream));
    }
    Map<String, FactRow> committed = recountOf(sent);
    assertThat(f.facts()).isEqualTo(committed);

    copyLogs(backup, stream.checkpointDir().localPath().orElseThrow());
    produce(f, 500);

    assertThatThrownBy(() -> StreamFixture.runToEnd(f.job(stream)))
        .hasStackTraceContaining("does not match the warehouse")
        .hasStackTraceContaining("the checkpoint went back");
    assertThat(f.facts()).as("nothing skipped nor counted twice by the refused run").isEqualTo(committed);
  }

  /** Replaces {@code to}'s offsets and commits logs by {@code from}'s. */
  private static void copyLogs(Path from, Path to) throws Exception {
    for (String log : List.of("offsets", "commits")) {
      Folders.deleteRecursively(to.resolve(log));
      Files.createDirectories(to.resolve(log));
      try (Stream<Path> files = Files.list(from.resolve(log))) {
        for (Path file : files.toList()) {
          Files.copy(file, to.resolve(log).resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Moves batch {@code batchId}'s file of a checkpoint log (and its checksum file) from one folder to another. */
  private static void moveLogFiles(Path from, long batchId, Path to) throws Exception {
    Files.createDirectories(to);
    for (String name : List.of(Long.toString(batchId), "." + batchId + ".crc")) {
      // What a refused run planned meanwhile is replaced.
      Files.deleteIfExists(to.resolve(name));
      if (Files.exists(from.resolve(name))) Files.move(from.resolve(name), to.resolve(name));
    }
  }
}
