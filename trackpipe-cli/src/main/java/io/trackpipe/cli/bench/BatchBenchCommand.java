package io.trackpipe.cli.bench;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.Configuration;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedMariaDb;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.TrackerContext;
import io.trackpipe.rawstore.RawEventWriter;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawStoreSchema;
import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.spark.batch.BatchConfig;
import io.trackpipe.spark.batch.BatchJob;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.WarehouseConfig;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trackpipe bench-batch}: does an incremental batch cycle cost the same over a raw store with ten times more old
 * rows? Two raw stores (keyspaces) and warehouses on one embedded Cassandra and MariaDB, one with N old rows and one
 * with 10×N, each loaded by a first cycle; then the same N new rows into three settled hours, and the cycle that
 * rewrites them, timed.
 */
@Command(name = "bench-batch", mixinStandardHelpOptions = true,
    description = {"Measure one incremental 'trackpipe batch' cycle over a raw store with N and with 10×N old rows (embedded",
        "Cassandra and MariaDB): the cycle should cost the same, as it reads only the hours that received new rows."},
    footer = {"", "Example:", "  trackpipe bench-batch --new-rows 20000 --rounds 3"})
public final class BatchBenchCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--new-rows", defaultValue = "20000", description = "New rows per timed cycle (default: ${DEFAULT-VALUE}).")
  int newRows;

  @Option(names = "--old-factor", defaultValue = "10", description = "Old rows of the big store, in N (default: ${DEFAULT-VALUE}).")
  int oldFactor;

  @Option(names = "--rounds", defaultValue = "3", description = "Timed cycles per store; the median is reported (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    // A short lookback: the first cycle's own writes are not read again by the timed ones (the default is for writers
    // in flight on a real cluster).
    Configuration settings = config.load(Map.of("batch.lookback", "3s"));
    StreamConfig stream = StreamConfig.from(settings);
    BatchConfig batch = BatchConfig.from(settings);
    settings.throwIfInvalid();
    Path dir = Files.createTempDirectory("trackpipe-bench-batch");
    // Old rows in the ten days before the new ones, which fall into three hours two days ago (settled whatever the time).
    Instant newHours = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(2, ChronoUnit.DAYS).plus(20, ChronoUnit.HOURS);
    try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(dir.resolve("cassandra"), EmbeddedCassandra.Options.defaults());
        EmbeddedMariaDb db = EmbeddedMariaDb.start(dir.resolve("mariadb"), 0)) {
      SparkSession spark = SparkSessions.forStream("trackpipe-bench-batch", stream);
      try {
        List<long[]> results = new ArrayList<>();
        for (int factor : new int[] {1, oldFactor}) {
          String name = "bench_" + factor + "x";
          db.createDatabase(name);
          WarehouseConfig warehouse = new WarehouseConfig(db.jdbcUrl(name), db.user(), db.password());
          RawStoreConfig raw = RawStoreConfig.defaults(cassandra.contactPoint(), name);
          RawStoreSchema.apply(RawStoreSessions.get(raw), raw);
          long t0 = System.nanoTime();
          write(raw, (long) newRows * factor, newHours.truncatedTo(ChronoUnit.DAYS).minus(10, ChronoUnit.DAYS), 240, factor);
          long writeMillis = (System.nanoTime() - t0) / 1_000_000;
          BatchJob job = BatchJob.prepare(spark, warehouse, raw, stream, batch, Clock.systemUTC());
          BatchJob.CycleResult initial = job.runCycle();
          out.printf(Locale.ROOT, "%2d× store: %,d old rows written in %,d ms; first cycle (everything) %,d ms: %d hours, %d days%n",
              factor, (long) newRows * factor, writeMillis, initial.millis(), initial.hourlyBuckets(), initial.dailyBuckets());
          Thread.sleep(batch.lookback().toMillis() + 1000);
          long[] millis = new long[rounds];
          for (int round = 0; round < rounds; round++) {
            write(raw, newRows, newHours, 3, 1000 * factor + round);
            BatchJob.CycleResult cycle = job.runCycle();
            millis[round] = cycle.millis();
            out.printf(Locale.ROOT, "    cycle %d: %,d new rows → %d hours and %d days rewritten (%,d rows) in %,d ms (load %.2f)%n",
                round + 1, newRows, cycle.hourlyBuckets(), cycle.dailyBuckets(), cycle.rowsInserted(), cycle.millis(), load());
          }
          Arrays.sort(millis);
          results.add(new long[] {factor, (long) newRows * factor, millis[rounds / 2]});
        }
        out.println();
        out.printf(Locale.ROOT, "%-10s %14s %28s%n", "store", "old rows", "incremental cycle (median)");
        for (long[] r : results) out.printf(Locale.ROOT, "%-10s %,14d %,25d ms%n", r[0] + "× old", r[1], r[2]);
        out.printf(Locale.ROOT, "%d× old data / 1×: %.2f (load average %.2f on %d cores)%n", oldFactor,
            (double) results.get(1)[2] / results.get(0)[2], load(), Runtime.getRuntime().availableProcessors());
      } finally {
        spark.stop();
      }
    }
    return ExitCodes.OK;
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** {@code rows} click, conversion and impression events spread over {@code hours} hours from {@code firstHour}. */
  private static void write(RawStoreConfig raw, long rows, Instant firstHour, int hours, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    RawEventWriter writer = new RawEventWriter(RawStoreSessions.get(raw), raw, Clock.systemUTC());
    long span = hours * 3_600_000L;
    String[] tracks = {null, null, null, null, "click", "click", "conversion", "qualified"};
    long now = System.currentTimeMillis();
    for (long i = 0; i < rows; i++) {
      long time = firstHour.toEpochMilli() + random.nextLong(span);
      String track = tracks[random.nextInt(tracks.length)];
      writer.write(new DecodedEvent("bench-" + seed + "-" + i, time, 1L + random.nextInt(500), 1L + random.nextInt(20),
          1L + random.nextInt(50), 1L + random.nextInt(10), "click".equals(track) ? 10_000L * (1 + random.nextInt(200)) : null,
          track, TrackerContext.EMPTY), now);
      if (i % 50_000 == 49_999) writer.flush();
    }
    writer.flush();
  }
}
