package io.trackpipe.cli.batch;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.schedule.RunEvery;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.ValueType;
import io.trackpipe.spark.batch.BatchJob;
import io.trackpipe.spark.metrics.MetricsEndpoint;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
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

    @Option(names = "--every", required = true, paramLabel = "DURATION", converter = RunEvery.DurationConverter.class,
        description = "Run a cycle every DURATION (e.g. 10s, 5m) until stopped; a failed cycle is reported and retried.")
    Duration every;
  }

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
        return RunEvery.loop(mode.every, () -> describe(job.runCycle()), e -> job.metrics().cycleFailed(), "nothing committed");
      } finally {
        endpoint.ifPresent(MetricsEndpoint::close);
      }
    }
  }

  static String describe(BatchJob.CycleResult r) {
    return String.format("%s cycle: %d event hours written since the last one; %s%d buckets pending; watermark %s; %,d ms",
        RunEvery.now(), r.eventHoursWritten(),
        r.wroteFacts() ? String.format("%d hours and %d days rewritten (%,d rows replaced by %,d); ", r.hourlyBuckets(),
            r.dailyBuckets(), r.rowsDeleted(), r.rowsInserted()) : "nothing to rewrite; ",
        r.pending(), r.watermark(), r.millis());
  }
}
