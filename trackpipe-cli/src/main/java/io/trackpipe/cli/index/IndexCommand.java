package io.trackpipe.cli.index;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.config.ValueType;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.search.SearchConfig;
import io.trackpipe.search.SearchIndexJob;
import io.trackpipe.search.TableReport;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trackpipe index}: the search-index sink. Self-contained, so that it can also hang under another command
 * (an {@code export} group) unchanged.
 */
@Command(name = "index",
    header = "Index a domain's rollup tables into OpenSearch (or Elasticsearch): one document per row.",
    mixinStandardHelpOptions = true,
    description = {"Copies each rollup table of the domain (or of every domain) from the warehouse into its own index,",
        "<search.index-prefix><domain>-<table>, created with an explicit mapping from the table's columns (times as dates,",
        "decimals as doubles, integers as longs, text as keywords). Each row is one document whose id is made from the",
        "row's key, so runs and restarts overwrite rather than duplicate; documents of rows gone from the table are",
        "deleted. After a first full run, a run reads only the rows written since the previous one (latest_update_time);",
        "--full reads every row. A run cut short (Ctrl-C, kill -9) records nothing: the next one redoes it.",
        "Exit codes: 0 done, 1 failed (the search server or the warehouse unreachable), 2 usage, 3 configuration."},
    footer = {"", "Examples:",
        "  trackpipe index --set search.url=http://127.0.0.1:9200           every domain once, incrementally",
        "  trackpipe index --domain job-ads --full --config prod.yaml       every row of the job-ads tables",
        "  trackpipe index --every 30s --config prod.yaml                   a run every 30 s until Ctrl-C",
        "", "docs/search-index.md: mappings, ids, an index template and an OpenSearch Dashboards example."})
public final class IndexCommand implements Callable<Integer> {
  /** The {@code --domain} value that indexes every domain of the catalogue. */
  public static final String ALL = "all";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Mixin ConfigOptions config;

  @Option(names = "--domain", paramLabel = "NAME", defaultValue = ALL,
      description = "The domain whose rollup tables are indexed, or 'all' (default: ${DEFAULT-VALUE}).")
  String domainName;

  @Option(names = "--full", description = "Read and index every row, not only the rows written since the last run.")
  boolean full;

  @Option(names = "--every", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Run again every DURATION (e.g. 30s, 5m) until stopped; a failed run is reported and retried. "
          + "--full applies to the first run only.")
  Duration every;

  /** {@code 30s}, {@code 5m}, … as every duration setting reads them. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration duration = ValueType.DURATION_TYPE.parse(value);
      if (duration.isZero() || duration.isNegative()) throw new IllegalArgumentException("must be positive: " + value);
      return duration;
    }
  }

  @Override
  public Integer call() throws Exception {
    Configuration settings = config.load();
    DomainCatalog catalog = DomainCatalog.from(settings);
    WarehouseConfig warehouse = WarehouseConfig.from(settings);
    SearchConfig search = SearchConfig.from(settings);
    settings.throwIfInvalid();
    List<Domain> domains = domainName.equals(ALL) ? catalog.domains()
        : List.of(catalog.domain(domainName).orElseThrow(() -> new ConfigException(List.of("--domain: no domain '"
            + domainName + "' (defined: " + String.join(", ", catalog.names()) + ", or all; add one with domain.definitions)"))));
    SearchIndexJob job = new SearchIndexJob(search, new Warehouse(warehouse), (index, written, deleted) -> {
      long sent = written + deleted;
      if (sent >= 50_000 && sent % 50_000 < search.bulkRows()) { // about every 50,000 documents of a big table
        System.out.printf("  %s: %,d documents written, %,d deleted so far%n", index, written, deleted);
      }
    });
    System.out.println("Indexing " + domains.stream().map(Domain::name).toList() + " from " + warehouse.jdbcUrl() + " into "
        + job.server() + " at " + search.url() + " (indices " + search.indexPrefix() + "<domain>-<table>)");
    if (every == null) {
      runOnce(job, domains, full);
      return ExitCodes.OK;
    }
    return loop(job, domains);
  }

  private static void runOnce(SearchIndexJob job, List<Domain> domains, boolean full) throws Exception {
    for (Domain domain : domains) {
      for (TableReport report : job.run(domain, full)) {
        System.out.println(describe(report));
      }
    }
  }

  private int loop(SearchIndexJob job, List<Domain> domains) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        stopped.await(30, TimeUnit.SECONDS); // let a bulk request in flight finish; an unfinished run is redone anyway
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "trackpipe-index-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.println("A run every " + ValueType.formatDuration(every) + ". Ctrl-C stops.");
    boolean firstFull = full;
    try {
      while (stop.getCount() > 0) {
        long started = System.nanoTime();
        try {
          runOnce(job, domains, firstFull);
          firstFull = false;
        } catch (Exception e) { // an unreachable server or warehouse: report, try again next time
          System.err.println(LocalTime.now(ZoneOffset.UTC).format(TIME) + " run failed (retrying in "
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

  static String describe(TableReport r) {
    String time = LocalTime.now(ZoneOffset.UTC).format(TIME);
    if (r.skipped()) {
      return String.format("%s %-34s skipped: %s", time, r.table(), r.note());
    }
    return String.format("%s %-34s %-11s %,9d rows read, %,7d deleted, %,9d documents in %s, %,6d ms (%,.0f rows/s)", time,
        r.table(), r.mode(), r.rowsRead(), r.deleted(), r.documents(), r.index(), r.took().toMillis(), r.rowsPerSecond());
  }
}
