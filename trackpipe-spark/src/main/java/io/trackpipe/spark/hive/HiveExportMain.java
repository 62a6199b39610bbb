package io.trackpipe.spark.hive;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.RollupConfig;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.session.SubmitArguments;
import io.trackpipe.warehouse.WarehouseConfig;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point for {@code spark-submit}: the Hive export alone, configured like {@code trackpipe export hive} (once; a
 * scheduler repeats it).
 *
 * <pre>spark-submit --class io.trackpipe.spark.hive.HiveExportMain trackpipe-spark-job.jar --config prod.yaml
 *     [--domain NAME|all] [--from DATE --to DATE] [--format parquet|csv] [--set key=value …]</pre>
 */
public final class HiveExportMain {
  static final List<Setting<?>> SETTINGS;

  static {
    List<Setting<?>> all = new ArrayList<>();
    all.addAll(WarehouseConfig.SETTINGS);
    all.addAll(DomainCatalog.SETTINGS);
    all.addAll(RollupConfig.SETTINGS);
    all.addAll(HiveConfig.SETTINGS);
    SETTINGS = List.copyOf(all);
  }

  private HiveExportMain() {}

  public static void main(String[] args) throws Exception {
    SubmitArguments arguments = new SubmitArguments(args, "HiveExportMain [--config FILE] [--domain NAME|all]"
        + " [--from DATE --to DATE] [--format parquet|csv] [--set key=value …]");
    String domainName = "all";
    String from = null;
    String to = null;
    ExportFormat format = ExportFormat.PARQUET;
    for (String option; (option = arguments.nextOption()) != null; ) {
      switch (option) {
        case "--domain" -> domainName = arguments.value(option);
        case "--from" -> from = arguments.value(option);
        case "--to" -> to = arguments.value(option);
        case "--format" -> {
          String text = arguments.value(option);
          format = ExportFormat.parse(text).orElse(null);
          if (format == null) arguments.usage("--format: '" + text + "' (expected one of " + ExportFormat.names() + ")");
        }
        default -> arguments.usage("unknown argument '" + option + "'");
      }
    }
    Optional<DateRange> range = Optional.empty();
    if ((from == null) != (to == null)) arguments.usage("--from and --to go together");
    if (from != null) {
      try {
        range = Optional.of(new DateRange(LocalDate.parse(from), LocalDate.parse(to)));
      } catch (DateTimeParseException | IllegalArgumentException e) {
        arguments.usage("--from/--to: " + e.getMessage());
      }
    }
    WarehouseConfig warehouse;
    HiveConfig hive;
    List<Domain> domains;
    try {
      Configuration config = arguments.load(SETTINGS);
      DomainCatalog catalog = DomainCatalog.from(config);
      warehouse = WarehouseConfig.from(config);
      hive = HiveConfig.from(config);
      config.throwIfInvalid();
      domains = select(catalog, domainName);
    } catch (ConfigException e) {
      SubmitArguments.exitOnConfigProblem(e);
      return;
    }
    SparkSession spark = SparkSessions.forHive("trackpipe-export-hive", "local[*]", hive);
    try {
      HiveExportJob job = new HiveExportJob(spark, warehouse, hive, Clock.systemUTC());
      for (Domain domain : domains) {
        for (HiveExportJob.TableResult r : job.export(domain, range, format)) {
          System.out.printf("%s: %,d rows, %d partitions, %,d ms%n", r.hiveTable(), r.rows(), r.partitions(), r.millis());
        }
      }
    } finally {
      SparkSessions.stopHive(spark, hive);
    }
  }

  /**
   * The domains {@code name} selects: one by its name, or every one for {@code all}.
   *
   * @throws ConfigException naming the defined domains when there is no such domain
   */
  public static List<Domain> select(DomainCatalog catalog, String name) {
    if (name.equals("all")) return catalog.domains();
    return List.of(catalog.domain(name).orElseThrow(() -> new ConfigException(List.of("--domain: no domain '" + name
        + "' (defined: " + String.join(", ", catalog.names()) + ", or all; add one with domain.definitions)"))));
  }
}
