package io.trackpipe.cli.batch;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.ValueType;
import io.trackpipe.spark.batch.BatchJob;
import io.trackpipe.spark.metrics.MetricsEndpoint;
import io.trackpipe.spark.session.ShutdownHooks;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trackpipe batch}: the incremental ETL from the raw store to the warehouse, once or in a loop. */
@Command(name = "batch",
    header = "Rewrite settled hours and days from the Cassandra raw store (incremental ETL, heals late events).",
    mixinStandardHelpOptions = true,
    description = {"Recompute, from the Cassandra raw store, the time buckets (hours; days for daily tables) that received",
        "new rows since the last run, once they are settled (end + stream.allowed-lateness + batch.settle-time), and",
        "overwrite them in every rollup table; the watermark is kept in MySQL, committed with the rows. Heals the hours",
        "whose events arrived too late for the stream. Needs warehouse.* and rawstore.contact-points; reads stream.time-zone,",
        "stream.allowed-lateness and rollup.* like the stream. See docs/batch.md.",
        "Exit codes: 0 done, 1 failed (nothing of the failed cycle is committed), 3 invalid configuration."},
    footer = {"", "Examples:", "  trackpipe batch --once --config prod.yaml        one cycle (cron, Airflow)",
        "  trackpipe batch --every 10s --config prod.yaml   a cycle every 10 s until Ctrl-C",
        "  trackpipe batch --once --domain signups          the same for a domain of domain.definitions"})
public final class BatchCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Mixin DomainOption domain;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode mode;

  static final class Mode {
    @Option(names = "--once", required = true, description = "Run one cycle and exit.")
    boolean once;

    @Option(names = "--every", required = true, paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Run a cycle every DURATION (e.g. 10s, 5m) until stopped; a failed cycle is reported and retried.")
    Duration every;
  }

  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = ValueType.DURATION_TYPE.parse(value);
      if (d.isZero() || d.isNegative()) throw new IllegalArgumentException("must be > 0: '" + value + "'");
      return d;
    }
  }

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Override
  public Integer call() throws Exception {
    BatchSettings settings = BatchSettings.load(config, domain.name);
    try (settings) {
      BatchJob job = settings.prepare("trackpipe-batch");
      Optional<MetricsEndpoint> endpoint = MetricsEndpoint.start(settings.batch.metrics(), job.metrics().registry());
      try {
        System.out.println("Batch: raw store " + settings.rawTable.qualifiedName() + " at " + settings.rawStore.contactPoints()
            + " → " + settings.warehouse.jdbcUrl() + " (zone " + settings.stream.timeZone() + ", buckets settle "
            + ValueType.formatDuration(settings.stream.allowedLateness()) + " + "
            + ValueType.formatDuration(settings.batch.settleTime()) + " after they end)");
        endpoint.ifPresent(e -> System.out.println("Prometheus metrics at " + e.url()));
        if (mode.once) {
          System.out.println(describe(job.runCycle()));
          return ExitCodes.OK;
        }
        return loop(job, mode.every);
      } finally {
        endpoint.ifPresent(MetricsEndpoint::close);
      }
    }
  }

  private static int loop(BatchJob job, Duration every) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    ShutdownHooks.beforeSpark(() -> {
      stop.countDown();
      try {
        stopped.await(2, TimeUnit.MINUTES); // let a running cycle commit or roll back while Spark is up
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    System.out.println("A cycle every " + ValueType.formatDuration(every) + ". Ctrl-C stops.");
    try {
      while (stop.getCount() > 0) {
        long started = System.nanoTime();
        try {
          System.out.println(describe(job.runCycle()));
        } catch (Exception e) { // SQLException, an unreachable raw store, Spark's failures: report, try again next time
          job.metrics().cycleFailed();
          System.err.println(LocalTime.now(ZoneOffset.UTC).format(TIME) + " cycle failed (nothing committed; retrying in "
              + ValueType.formatDuration(every) + "): " + e.getMessage());
        }
        long waitMillis = every.toMillis() - (System.nanoTime() - started) / 1_000_000;
        if (waitMillis > 0) stop.await(waitMillis, TimeUnit.MILLISECONDS);
      }
      System.out.println("Stopped.");
      return ExitCodes.OK;
    } finally {
      stopped.countDown();
    }
  }

  static String describe(BatchJob.CycleResult r) {
    return String.format("%s cycle: %d event hours written since the last one; %s%d buckets pending; watermark %s; %,d ms",
        LocalTime.now(ZoneOffset.UTC).format(TIME), r.eventHoursWritten(),
        r.wroteFacts() ? String.format("%d hours and %d days rewritten (%,d rows replaced by %,d); ", r.hourlyBuckets(),
            r.dailyBuckets(), r.rowsDeleted(), r.rowsInserted()) : "nothing to rewrite; ",
        r.pending(), r.watermark(), r.millis());
  }
}
