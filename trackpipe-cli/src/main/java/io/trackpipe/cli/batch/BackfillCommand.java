package io.trackpipe.cli.batch;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.spark.batch.BatchJob;
import java.time.LocalDateTime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code trackpipe backfill}: recompute a time range of every rollup table from the raw store. */
@Command(name = "backfill",
    header = "Recompute every rollup table over a time range from the Cassandra raw store.",
    mixinStandardHelpOptions = true,
    description = {"Recompute every rollup table's rows of [--from, --to) from the Cassandra raw store and overwrite them",
        "(hourly tables: the hours in the range; daily tables: every day the range touches), one local day per transaction.",
        "Times are local in stream.time-zone unless they carry an offset. Every hour of the range must be settled",
        "(end + stream.allowed-lateness + batch.settle-time in the past), otherwise nothing is written; a day it touches",
        "that is not settled yet (today) is left out of the daily tables, and said so. The watermark of 'trackpipe batch'",
        "is not moved. Exit codes: 0 done, 1 failed or refused (days already done stay done), 2 usage, 3 configuration."},
    footer = {"", "Examples:", "  trackpipe backfill --from 2024-05-01 --to 2024-05-08 --config prod.yaml",
        "  trackpipe backfill --from 2024-05-01T10:00+07:00 --to 2024-05-01T14:00+07:00 --config prod.yaml"})
public final class BackfillCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Mixin DomainOption domain;
  @Spec CommandSpec spec;

  @Mixin TimeRangeOptions range;

  @Override
  public Integer call() throws Exception {
    BatchSettings settings = BatchSettings.load(config, domain.name);
    TimeRangeOptions.Range times = range.parse(spec, settings.stream.timeZone());
    LocalDateTime start = times.start();
    LocalDateTime end = times.end();
    try (settings) {
      BatchJob job = settings.prepare("trackpipe-backfill");
      System.out.println("Backfilling " + start + " – " + end + " (" + settings.stream.timeZone() + ") from "
          + settings.rawTable.qualifiedName() + " at " + settings.rawStore.contactPoints());
      BatchJob.BackfillResult r = job.backfill(start, end, System.out::println);
      System.out.printf("Done: %d hours and %d days rewritten, %,d rows replaced by %,d in %,d ms%s%n", r.hourlyBuckets(),
          r.dailyBuckets(), r.rowsDeleted(), r.rowsInserted(), r.millis(),
          r.notSettled().isEmpty() ? "" : "; not settled, left out of the daily tables: " + String.join(", ", r.notSettled()));
      return ExitCodes.OK;
    }
  }
}
