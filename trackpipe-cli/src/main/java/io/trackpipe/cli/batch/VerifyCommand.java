package io.trackpipe.cli.batch;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.spark.batch.BatchJob;
import java.time.LocalDateTime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code trackpipe verify}: recount a range from the raw store and list where the warehouse differs. */
@Command(name = "verify",
    header = "Recount a time range from the raw store and list where the warehouse differs (exit code 4).",
    mixinStandardHelpOptions = true,
    description = {"Recount [--from, --to) from the Cassandra raw store with the rollup engine and compare every rollup",
        "table bucket by bucket (hours; days for daily tables): counts, sums, minimums and maximums. Prints each difference",
        "(table, bucket, row key, column, warehouse and raw values). Writes nothing. Times are local in stream.time-zone",
        "unless they carry an offset. Buckets not settled yet (the stream may still add to them) are not compared: listed.",
        "Exit codes: 0 no difference, 4 differences found, 1 failed, 2 usage, 3 configuration."},
    footer = {"", "Example:", "  trackpipe verify --from 2024-05-01 --to 2024-05-02 --config prod.yaml"})
public final class VerifyCommand implements Callable<Integer> {
  /** Lines of differences printed at most; the count is always complete. */
  private static final int MAX_LINES = 200;

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
      BatchJob job = settings.prepare("trackpipe-verify");
      System.out.println("Verifying " + start + " – " + end + " (" + settings.stream.timeZone() + ") against "
          + settings.rawTable.qualifiedName() + " at " + settings.rawStore.contactPoints());
      BatchJob.VerifyReport report = job.verify(start, end, System.out::println);
      if (!report.notSettled().isEmpty()) {
        System.out.println("Not compared, not settled yet: " + report.notSettled().size() + " buckets ("
            + report.notSettled().get(0) + (report.notSettled().size() > 1 ? " … " + report.notSettled().get(report.notSettled().size() - 1) : "")
            + ")");
      }
      if (report.clean()) {
        System.out.printf("No difference: %d buckets, %,d rows compared in %,d ms%n", report.buckets(), report.rowsCompared(),
            report.millis());
        return ExitCodes.OK;
      }
      System.out.printf("%-22s %-26s %-18s %12s %12s  %s%n", "table", "bucket", "column", "warehouse", "raw store", "row");
      report.drifts().stream().limit(MAX_LINES).forEach(d -> System.out.printf("%-22s %-26s %-18s %12s %12s  %s%n", d.table(),
          d.bucket(), d.column(), d.warehouse(), d.raw(), d.key()));
      if (report.drifts().size() > MAX_LINES) System.out.println("… and " + (report.drifts().size() - MAX_LINES) + " more");
      long buckets = report.drifts().stream().map(d -> d.table() + d.bucket()).distinct().count();
      System.out.printf("DRIFT: %,d differences in %d table buckets (%d buckets, %,d rows compared). Repair with: trackpipe "
          + "backfill --from %s --to %s%s%n", report.drifts().size(), buckets, report.buckets(), report.rowsCompared(), range.from,
          range.to, settings.domain.name().equals(DomainCatalog.JOB_ADS) ? "" : " --domain " + settings.domain.name());
      return ExitCodes.DRIFT;
    }
  }
}
