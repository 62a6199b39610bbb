package io.trackpipe.spark.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dedup log's file format, its files on Hadoop's local file system, expiry and what it can rebuild. */
class DedupLogTest {
  private static final long HOUR = 3_600_000L;
  private static final long NOW = Instant.parse("2026-12-04T12:30:00Z").toEpochMilli();

  @TempDir Path dir;

  private DedupLog open() throws Exception {
    return DedupLog.open(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(dir.resolve("log").toUri()));
  }

  private List<String> fileNames() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }

  @Test
  void aBatchFileReadsBackTheSameIdsAndArrivals() {
    String uuid = "5d3c0a3e-d2f1-11ef-9cd2-0242ac120002";
    List<String> ids = List.of(uuid, uuid.toUpperCase(), "job-ad 17 · clic", "", "x".repeat(300));
    long[] arrivals = {NOW, NOW - 1, NOW - 5 * HOUR, 0, NOW - 12_345};
    byte[] content = DedupLog.encode(42, NOW + 7, ids, arrivals);
    DedupLog.LoggedBatch read = DedupLog.decode(content, "test");
    assertThat(read.batchId()).isEqualTo(42);
    assertThat(read.newestArrival()).isEqualTo(NOW + 7);
    assertThat(read.ids()).isEqualTo(ids);
    assertThat(read.arrivals()).containsExactly(arrivals);
  }

  @Test
  void aTimeBasedUuidTakesAboutTwentyBytes() {
    int n = 10_000;
    List<String> ids = Stream.generate(() -> new UUID(System.nanoTime() << 16 | 0x1000, System.nanoTime()).toString())
        .limit(n).toList();
    long[] arrivals = new long[n];
    for (int i = 0; i < n; i++) arrivals[i] = NOW - i * 7L;
    byte[] content = DedupLog.encode(1, NOW, ids, arrivals);
    assertThat(content.length).as("bytes for %d UUIDs arriving within %d s", n, n * 7 / 1000).isLessThan(n * 21 + 40);
    assertThat(DedupLog.decode(content, "test").ids()).isEqualTo(ids);
  }

  @Test
  void aDamagedFileIsRefusedNotMisread() {
    byte[] content = DedupLog.encode(3, NOW, List.of("a", "b"), new long[] {NOW, NOW});
    content[30] ^= 1;
    assertThatThrownBy(() -> DedupLog.decode(content, "3-x.ids")).hasMessageContaining("3-x.ids is damaged");
    byte[] truncated = java.util.Arrays.copyOf(DedupLog.encode(3, NOW, List.of("a"), new long[] {NOW}), 20);
    assertThatThrownBy(() -> DedupLog.decode(truncated, "t")).hasMessageContaining("not a dedup log file");
  }

  @Test
  void aBatchWrittenAgainLeavesOneFileWhateverItsNewestArrival() throws Exception {
    try (DedupLog log = open()) {
      log.write(7, NOW, List.of("a"), new long[] {NOW});
      log.write(7, NOW + 1000, List.of("a", "b"), new long[] {NOW, NOW + 1000});
      log.write(7, NOW + 1000, List.of("a", "b", "c"), new long[] {NOW, NOW + 1000, NOW});
    }
    assertThat(fileNames()).containsExactly("7-" + (NOW + 1000) + ".ids");
    try (DedupLog log = open()) {
      assertThat(log.read(7).ids()).containsExactly("a", "b", "c");
    }
  }

  @Test
  void filesOfExpiredHoursAreDeletedByNameExceptFromTheLastBatchOn() throws Exception {
    try (DedupLog log = open()) {
      log.write(0, NOW - 6 * HOUR, List.of("a"), new long[] {NOW - 6 * HOUR});
      log.write(1, NOW - 5 * HOUR, List.of("b"), new long[] {NOW - 5 * HOUR});
      log.write(2, NOW - 6 * HOUR, List.of("c"), new long[] {NOW - 6 * HOUR});
      log.write(3, NOW, List.of(), new long[0]);
      // The hour of NOW - 5h is still live; batch 2's file is the last committed batch's when batch 3 runs.
      log.expire(Math.floorDiv(NOW - 5 * HOUR, HOUR), 2);
      assertThat(log.holds(0)).isFalse();
      assertThat(log.holds(1)).isTrue();
      assertThat(log.holds(2)).isTrue();
    }
    assertThat(fileNames()).containsExactly("1-" + (NOW - 5 * HOUR) + ".ids", "2-" + (NOW - 6 * HOUR) + ".ids",
        "3-" + NOW + ".ids");
  }

  @Test
  void filesOfBatchesAfterTheOneToResumeAtAreDropped() throws Exception {
    try (DedupLog log = open()) {
      for (int b = 0; b < 5; b++) log.write(b, NOW, List.of("id" + b), new long[] {NOW});
      log.dropAfter(2);
      assertThat(log.batchesToReplay(10, Long.MIN_VALUE)).containsExactly(0L, 1L, 2L);
    }
    try (DedupLog log = open()) {
      assertThat(log.batchesToReplay(10, Long.MIN_VALUE)).containsExactly(0L, 1L, 2L);
    }
  }

  @Test
  void aWriteCutShortLeavesNoFileBehindAtTheNextOpen() throws Exception {
    try (DedupLog log = open()) {
      log.write(0, NOW, List.of("a"), new long[] {NOW});
    }
    Files.writeString(dir.resolve("log").resolve("_tmp-1-" + NOW + ".ids-abc"), "half");
    try (DedupLog log = open()) {
      assertThat(log.fileCount()).isEqualTo(1);
    }
    assertThat(fileNames()).containsExactly("0-" + NOW + ".ids");
  }

  @Test
  void rebuildsOnlyWhatItBeganWithAndKeptUpToTheCommittedBatch() throws Exception {
    try (DedupLog log = open()) {
      assertThat(log.gap(3, Duration.ofHours(4))).hasValueSatisfying(reason -> assertThat(reason).contains("has no start file"));
      log.begin(0, OptionalLong.empty());
      for (int b = 0; b <= 3; b++) log.write(b, NOW, List.of("id" + b), new long[] {NOW});
      assertThat(log.gap(3, Duration.ofHours(4))).isEmpty();
      assertThat(log.gap(4, Duration.ofHours(4))).hasValueSatisfying(reason -> assertThat(reason).contains("lacks the file of batch 4"));
    }
    try (DedupLog log = open()) {
      assertThat(log.start()).hasValue(new DedupLog.Start(0, OptionalLong.empty()));
      assertThat(log.gap(3, Duration.ofHours(4))).isEmpty();
    }
  }

  @Test
  void aLogBegunNextToAnOlderStoreCoversItOnceItsIdsHaveAgedPastTheHorizon() throws Exception {
    long unloggedHour = Math.floorDiv(NOW, HOUR);
    try (DedupLog log = open()) {
      log.begin(10, OptionalLong.of(unloggedHour));
      log.write(10, NOW, List.of("a"), new long[] {NOW});
      assertThat(log.gap(10, Duration.ofHours(4))).hasValueSatisfying(reason -> assertThat(reason).contains("in no file"));
      log.write(11, NOW + 4 * HOUR, List.of("b"), new long[] {NOW + 4 * HOUR});
      assertThat(log.gap(11, Duration.ofHours(4))).as("the store's ids of 12:xx expire at 17:00").isPresent();
      log.write(12, (unloggedHour + 5) * HOUR, List.of("c"), new long[] {(unloggedHour + 5) * HOUR});
      assertThat(log.gap(12, Duration.ofHours(4))).isEmpty();
    }
  }
}
