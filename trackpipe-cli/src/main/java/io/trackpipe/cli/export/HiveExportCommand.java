package io.trackpipe.cli.export;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.schedule.RunEvery;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.spark.hive.DateRange;
import io.trackpipe.spark.hive.ExportFormat;
import io.trackpipe.spark.hive.HiveConfig;
import io.trackpipe.spark.hive.HiveExportJob;
import io.trackpipe.spark.hive.HiveExportMain;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.WarehouseConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code trackpipe export hive}: the rollup tables as external Hive tables, once or in a loop. */
@Command(name = "hive",
    header = "Write the rollup tables as Parquet or CSV files and register them as external Hive tables.",
    mixinStandardHelpOptions = true,
    description = {"Read each rollup table of the domain(s) from the warehouse (Spark JDBC), write it under hive.warehouse-dir",
        "and create or refresh an external table of the same name in the Hive database hive.database: in the embedded",
        "Derby metastore of hive.metastore-dir, or in the metastore of hive.metastore.uris. Tables with a day column are",
        "partitioned by it; --from/--to rewrites only those days' partitions (tables without a day are rewritten whole).",
        "Each table or partition is written to a new folder and then switched to, so readers never see half of it; the",
        "folders it replaced are deleted. Runs must not overlap. See docs/hive-export.md.",
        "Exit codes: 0 done, 1 failed (tables not yet switched keep their previous rows), 2 usage, 3 invalid configuration."},
    footer = {"", "Examples:", "  trackpipe export hive --config prod.yaml                   every domain, all days, Parquet",
        "  trackpipe export hive --domain job-ads --from 2026-11-30 --to 2026-12-02   two days' partitions",
        "  trackpipe export hive --format csv --every 1h             CSV tables, refreshed every hour until Ctrl-C"})
public final class HiveExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ConfigOptions config;

  @Option(names = "--domain", paramLabel = "NAME|all", defaultValue = "all",
      description = "The domain whose rollup tables are exported, or all of them (default: ${DEFAULT-VALUE}).")
  String domainName;

  @Option(names = "--from", paramLabel = "DATE", description = "First day (yyyy-MM-dd) of the partitions to rewrite.")
  String from;

  @Option(names = "--to", paramLabel = "DATE", description = "End of the days (exclusive) of the partitions to rewrite.")
  String to;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "parquet", converter = FormatConverter.class,
      description = "parquet (default) or csv; a table exported in the other format before is recreated.")
  ExportFormat format;

  @Option(names = "--every", paramLabel = "DURATION", converter = RunEvery.DurationConverter.class,
      description = "Export every DURATION (e.g. 15m, 1h) until stopped; a failed run is reported and retried. "
          + "Without it: once.")
  Duration every;

  static final class FormatConverter implements ITypeConverter<ExportFormat> {
    @Override
    public ExportFormat convert(String value) {
      return ExportFormat.parse(value).orElseThrow(() -> new IllegalArgumentException(
          "'" + value + "' (expected one of " + ExportFormat.names() + ")"));
    }
  }

  @Override
  public Integer call() throws Exception {
    Optional<DateRange> range = range();
    Configuration settings = config.load();
    DomainCatalog catalog = DomainCatalog.from(settings);
    WarehouseConfig warehouse = WarehouseConfig.from(settings);
    HiveConfig hive = HiveConfig.from(settings);
    String sparkMaster = settings.get(StreamConfig.SPARK_MASTER);
    settings.throwIfInvalid();
    List<Domain> domains = HiveExportMain.select(catalog, domainName);

    System.out.println("Hive export: " + String.join(", ", domains.stream().map(Domain::name).toList()) + " from "
        + warehouse.jdbcUrl() + " → " + hive.warehouseUri() + " as " + format.optionName() + ", database " + hive.database()
        + " in " + (hive.embeddedMetastore() ? "the Derby metastore in " + hive.metastoreDir().toAbsolutePath()
            : "the metastore at " + hive.metastoreUris().orElseThrow())
        + range.map(r -> ", days " + r).orElse(", all days"));
    SparkSession spark = SparkSessions.forHive("trackpipe-export-hive", sparkMaster, hive);
    try {
      HiveExportJob job = new HiveExportJob(spark, warehouse, hive, Clock.systemUTC());
      RunEvery.Cycle cycle = () -> run(job, domains, range);
      if (every == null) {
        System.out.println(cycle.run());
        return ExitCodes.OK;
      }
      return RunEvery.loop(every, cycle, e -> { }, "tables not yet switched keep their previous rows");
    } finally {
      SparkSessions.stopHive(spark, hive);
    }
  }

  private String run(HiveExportJob job, List<Domain> domains, Optional<DateRange> range) throws Exception {
    long started = System.nanoTime();
    List<HiveExportJob.TableResult> results = new ArrayList<>();
    for (Domain domain : domains) {
      for (HiveExportJob.TableResult r : job.export(domain, range, format)) {
        System.out.printf("  %-45s %,12d rows  %s%n", r.hiveTable(), r.rows(), r.partitioned()
            ? r.partitions() + " partitions written" + (r.partitionsDropped() > 0 ? ", " + r.partitionsDropped() + " dropped" : "")
            : "whole table");
        results.add(r);
      }
    }
    return String.format("%s export: %d tables, %,d rows, %d partitions written; %,d ms", RunEvery.now(), results.size(),
        results.stream().mapToLong(HiveExportJob.TableResult::rows).sum(),
        results.stream().mapToInt(HiveExportJob.TableResult::partitions).sum(), (System.nanoTime() - started) / 1_000_000);
  }

  /** @throws ParameterException (exit 2) for one of --from/--to alone, a date that does not parse, or an empty range */
  private Optional<DateRange> range() {
    if (from == null && to == null) return Optional.empty();
    if (from == null || to == null) throw new ParameterException(spec.commandLine(), "--from and --to go together");
    try {
      return Optional.of(new DateRange(LocalDate.parse(from), LocalDate.parse(to)));
    } catch (DateTimeParseException e) {
      throw new ParameterException(spec.commandLine(), "--from/--to: a date as yyyy-MM-dd, got '" + e.getParsedString() + "'");
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
