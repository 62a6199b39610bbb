package io.trackpipe.spark.dedup;

import io.trackpipe.fs.Folders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * What the dedup log costs: writing one batch's first sightings, and rebuilding a store from a horizon's worth of
 * files. Not a test; run by hand (see docs/performance.md):
 * {@code java -cp <trackpipe-spark test classes and classpath> io.trackpipe.spark.dedup.DedupLogBenchmark [folder]}.
 */
public final class DedupLogBenchmark {
  private static final Duration HORIZON = Duration.ofHours(4);
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  public static void main(String[] args) throws Exception {
    Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("dedup-log-bench");
    try {
      FileSystem fs = FileSystem.getLocal(new Configuration());
      writeCost(fs, work.resolve("write"), 200_000, 20);
      writeCost(fs, work.resolve("write-small"), 20_000, 50);
      rebuild(fs, work.resolve("many-small"), 14_400, 100);
      rebuild(fs, work.resolve("fewer-large"), 720, 20_000);
    } finally {
      Folders.deleteRecursively(work);
    }
  }

  /** One batch of {@code ids} time-based UUIDs, {@code rounds} times: the median and worst write of a batch file. */
  private static void writeCost(FileSystem fs, Path dir, int ids, int rounds) throws Exception {
    try (DedupLog log = DedupLog.open(fs, new org.apache.hadoop.fs.Path(dir.toUri()))) {
      List<Long> millis = new ArrayList<>();
      long bytes = 0;
      for (int r = 0; r < rounds; r++) {
        Batch b = batch(r, ids, NOW.toEpochMilli() + r * 1000L);
        long started = System.nanoTime();
        log.write(r, b.newest, b.ids, b.arrivals);
        millis.add((System.nanoTime() - started) / 100_000);
      }
      try (var files = Files.list(dir)) {
        bytes = files.filter(p -> p.getFileName().toString().endsWith(".ids")).mapToLong(p -> p.toFile().length()).sum();
      }
      millis.sort(null);
      System.out.printf("write: %,d ids per batch, %d batches: median %.1f ms, worst %.1f ms, %,d bytes per batch%n", ids,
          rounds, millis.get(rounds / 2) / 10.0, millis.get(rounds - 1) / 10.0, bytes / rounds);
    }
  }

  /** {@code files} batch files of {@code idsPerFile} ids within the horizon, then a store rebuilt from them. */
  private static void rebuild(FileSystem fs, Path dir, int files, int idsPerFile) throws Exception {
    org.apache.hadoop.fs.Path logDir = new org.apache.hadoop.fs.Path(dir.resolve("log").toUri());
    long span = HORIZON.toMillis() - 60_000;
    try (DedupLog log = DedupLog.open(fs, logDir)) {
      log.begin(0, java.util.OptionalLong.empty());
      for (int f = 0; f < files; f++) {
        Batch b = batch(f, idsPerFile, NOW.toEpochMilli() - span + f * span / files);
        log.write(f, b.newest, b.ids, b.arrivals);
      }
    }
    long started = System.nanoTime();
    try (DedupStore store = DedupStore.rebuild(dir.resolve("store"), DedupLog.open(fs, logDir), files - 1, HORIZON,
        Duration.ofMinutes(15), Clock.fixed(NOW, ZoneOffset.UTC))) {
      DedupStore.Rebuild r = store.lastRebuild().orElseThrow();
      System.out.printf("rebuild: %,d files of %,d ids: %,d ids in %,d ms (%,d ms with open and close)%n", r.files(),
          idsPerFile, r.ids(), r.millis(), (System.nanoTime() - started) / 1_000_000);
    }
  }

  private record Batch(List<String> ids, long[] arrivals, long newest) {}

  private static Batch batch(int seed, int n, long newest) {
    List<String> ids = new ArrayList<>(n);
    long[] arrivals = new long[n];
    for (int i = 0; i < n; i++) {
      ids.add(new UUID((long) seed << 32 | i, 0x8000_0000_0000_0000L | System.nanoTime()).toString());
      arrivals[i] = newest - (n - i);
    }
    return new Batch(ids, arrivals, newest);
  }
}
