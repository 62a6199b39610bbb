package io.trackpipe.spark.hive;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.RollupConfig;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.warehouse.WarehouseConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    Optional<Path> file = Optional.ofNullable(System.getenv("TRACKPIPE_CONFIG")).filter(s -> !s.isBlank()).map(Path::of);
    Map<String, String> overrides = new LinkedHashMap<>();
    String domainName = "all";
    String from = null;
    String to = null;
    ExportFormat format = ExportFormat.PARQUET;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> file = Optional.of(Path.of(argument(args, ++i, "--config")));
        case "--set" -> {
          String pair = argument(args, ++i, "--set");
          int eq = pair.indexOf('=');
          if (eq <= 0) usage("--set takes key=value, got '" + pair + "'");
          overrides.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        case "--domain" -> domainName = argument(args, ++i, "--domain");
        case "--from" -> from = argument(args, ++i, "--from");
        case "--to" -> to = argument(args, ++i, "--to");
        case "--format" -> {
          String text = argument(args, ++i, "--format");
          format = ExportFormat.parse(text).orElse(null);
          if (format == null) usage("--format: '" + text + "' (expected one of " + ExportFormat.names() + ")");
        }
        default -> usage("unknown argument '" + args[i] + "'");
      }
    }
    Optional<DateRange> range = Optional.empty();
    if ((from == null) != (to == null)) usage("--from and --to go together");
    if (from != null) {
      try {
        range = Optional.of(new DateRange(LocalDate.parse(from), LocalDate.parse(to)));
      } catch (DateTimeParseException | IllegalArgumentException e) {
        usage("--from/--to: " + e.getMessage());
      }
    }
    WarehouseConfig warehouse;
    HiveConfig hive;
    List<Domain> domains;
    try {
      Configuration config = Configuration.load(file, System.getenv(), overrides, SETTINGS);
      DomainCatalog catalog = DomainCatalog.from(config);
      warehouse = WarehouseConfig.from(config);
      hive = HiveConfig.from(config);
      config.throwIfInvalid();
      domains = select(catalog, domainName);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(3);
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

  private static String argument(String[] args, int i, String option) {
    if (i >= args.length) usage(option + " needs a value");
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println(problem + "\nusage: HiveExportMain [--config FILE] [--domain NAME|all] [--from DATE --to DATE]"
        + " [--format parquet|csv] [--set key=value …]");
    System.exit(2);
  }
}
