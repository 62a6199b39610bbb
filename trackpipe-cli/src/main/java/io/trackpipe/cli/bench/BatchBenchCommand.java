package io.trackpipe.cli.bench;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.Configuration;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedMariaDb;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.rawstore.RawEventWriter;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawStoreSchema;
import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.rawstore.RawTable;
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
import java.util.Arrays;
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
 * with 10×N, each loaded by a first cycle; then, round by round and alternating between the stores (so that neither gets
 * a colder JVM or a busier moment), N new rows into three settled hours of a day of their own, and the cycle that
 * rewrites them (three hours and one day), timed.
 */
@Command(name = "bench-batch",
    header = "Measure one incremental batch cycle over a raw store with N and with 10×N old rows.",
    mixinStandardHelpOptions = true,
    description = {"Measure one incremental 'trackpipe batch' cycle over a raw store with N and with 10×N old rows (embedded",
        "Cassandra and MariaDB): the cycle should cost the same, as it reads only the hours that received new rows."},
    footer = {"", "Example:", "  trackpipe bench-batch --new-rows 20000 --rounds 3"})
public final class BatchBenchCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--new-rows", defaultValue = "20000", description = "New rows per timed cycle (default: ${DEFAULT-VALUE}).")
  int newRows;

  @Option(names = "--old-factor", defaultValue = "10", description = "Old rows of the big store, in N (default: ${DEFAULT-VALUE}).")
  int oldFactor;

  @Option(names = "--rounds", defaultValue = "5", description = "Timed cycles per store, alternating between the stores; the"
      + " median is reported (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    // A short lookback: the first cycle's own writes are not read again by the timed ones (the default is for writers
    // in flight on a real cluster).
    Configuration settings = config.load(Map.of("batch.lookback", "3s"));
    StreamConfig stream = StreamConfig.from(settings);
    BatchConfig batch = BatchConfig.from(settings);
    Domain jobAds = DomainCatalog.from(settings).jobAds();
    settings.throwIfInvalid();
    Path dir = Files.createTempDirectory("trackpipe-bench-batch");
    // Round r's new rows fall into three hours (20:00–22:59 UTC) of the day r + 2 days ago: settled whatever the time,
    // and a day of their own. The old rows fill the ten days before the twentieth day ago: other hours, other days.
    Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
    Instant oldFrom = today.minus(30, ChronoUnit.DAYS);
    int[] factors = {1, oldFactor};
    try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(dir.resolve("cassandra"), EmbeddedCassandra.defaultOptions());
        EmbeddedMariaDb db = EmbeddedMariaDb.start(dir.resolve("mariadb"), 0)) {
      SparkSession spark = SparkSessions.forStream("trackpipe-bench-batch", stream);
      try {
        BatchJob[] jobs = new BatchJob[factors.length];
        RawTable[] stores = new RawTable[factors.length];
        for (int s = 0; s < factors.length; s++) {
          String name = "bench_" + factors[s] + "x";
          db.createDatabase(name);
          WarehouseConfig warehouse = WarehouseConfig.unencrypted(db.jdbcUrl(name), db.user(), db.password());
          stores[s] = RawTable.of(jobAds, RawStoreConfig.defaults(cassandra.contactPoint(), name));
          RawStoreSchema.apply(RawStoreSessions.get(stores[s].store()), stores[s]);
          long t0 = System.nanoTime();
          write(stores[s], (long) newRows * factors[s], oldFrom, 240, factors[s]);
          long writeMillis = (System.nanoTime() - t0) / 1_000_000;
          jobs[s] = BatchJob.prepare(spark, jobAds, warehouse, stores[s].store(), stream, batch, Clock.systemUTC());
          // Past the lookback, so that the timed cycles do not read the old rows' writes again.
          Thread.sleep(batch.lookback().toMillis() + 1000);
          BatchJob.CycleResult initial = jobs[s].runCycle();
          out.printf(Locale.ROOT, "%2d× store: %,d old rows written in %,d ms; first cycle (loads everything) %,d ms: %d hours, %d days%n",
              factors[s], (long) newRows * factors[s], writeMillis, initial.millis(), initial.hourlyBuckets(), initial.dailyBuckets());
        }
        long[][] millis = new long[factors.length][rounds];
        for (int round = 0; round < rounds; round++) {
          Instant hours = today.minus(2 + round, ChronoUnit.DAYS).plus(20, ChronoUnit.HOURS);
          for (int s = 0; s < factors.length; s++) {
            write(stores[s], newRows, hours, 3, 1000L * factors[s] + round);
            // Past the lookback: the previous cycle's own hours are not read again (each cycle rewrites this round's only).
            Thread.sleep(batch.lookback().toMillis() + 1000);
            BatchJob.CycleResult cycle = jobs[s].runCycle();
            millis[s][round] = cycle.millis();
            out.printf(Locale.ROOT, "  round %d, %2d× store: %,d new rows → %d hours and %d days rewritten (%,d rows) in %,d ms"
                + " (load %.2f)%n", round + 1, factors[s], newRows, cycle.hourlyBuckets(), cycle.dailyBuckets(),
                cycle.rowsInserted(), cycle.millis(), load());
          }
        }
        out.println();
        out.printf(Locale.ROOT, "%-10s %14s %28s%n", "store", "old rows", "incremental cycle (median)");
        long[] medians = new long[factors.length];
        for (int s = 0; s < factors.length; s++) {
          long[] sorted = millis[s].clone();
          Arrays.sort(sorted);
          medians[s] = sorted[rounds / 2];
          out.printf(Locale.ROOT, "%-10s %,14d %,25d ms%n", factors[s] + "× old", (long) newRows * factors[s], medians[s]);
        }
        out.printf(Locale.ROOT, "%d× old data / 1×: %.2f (load average %.2f on %d cores)%n", oldFactor,
            (double) medians[1] / medians[0], load(), Runtime.getRuntime().availableProcessors());
      } finally {
        spark.stop();
      }
    }
    return ExitCodes.OK;
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /**
   * {@code rows} job-ads click, conversion and impression events spread over {@code hours} hours from
   * {@code firstHour} (sample data: the only place here that names the domain's fields).
   */
  private static void write(RawTable raw, long rows, Instant firstHour, int hours, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    RawEventWriter writer = new RawEventWriter(RawStoreSessions.get(raw.store()), raw, Clock.systemUTC());
    EventSchema schema = raw.schema();
    int id = schema.indexOf("create_time");
    int ts = schema.indexOf("ts");
    int job = schema.indexOf("job_id");
    int publisher = schema.indexOf("publisher_id");
    int campaign = schema.indexOf("campaign_id");
    int group = schema.indexOf("group_id");
    int bid = schema.indexOf("bid");
    int customTrack = schema.indexOf("custom_track");
    long span = hours * 3_600_000L;
    String[] tracks = {null, null, null, null, "click", "click", "conversion", "qualified"};
    long now = System.currentTimeMillis();
    for (long i = 0; i < rows; i++) {
      long time = firstHour.toEpochMilli() + random.nextLong(span);
      String track = tracks[random.nextInt(tracks.length)];
      Object[] values = new Object[schema.fields().size()];
      values[id] = "bench-" + seed + "-" + i;
      values[ts] = time;
      values[job] = 1L + random.nextInt(500);
      values[publisher] = 1L + random.nextInt(20);
      values[campaign] = 1L + random.nextInt(50);
      values[group] = 1L + random.nextInt(10);
      values[bid] = "click".equals(track) ? 10_000L * (1 + random.nextInt(200)) : null; // micros: scale 6
      values[customTrack] = track;
      writer.write(new DecodedEvent((String) values[id], time, values), now);
      if (i % 50_000 == 49_999) writer.flush();
    }
    writer.flush();
  }
}
