package io.trackpipe.cli.bench;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.embedded.EmbeddedMariaDb;
import io.trackpipe.serve.DashboardServer;
import io.trackpipe.serve.ServeConfig;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.summary.DashboardTables;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trackpipe bench-api}: the query API's latency over a large fact table. Fills {@code events} on an embedded
 * MariaDB with deterministic rows (LOAD DATA from a generated stream), starts the dashboard server on it, and times
 * every query one dashboard refresh makes, over several ranges and filters, from a client on loopback.
 */
@Command(name = "bench-api",
    header = "Measure the query API's latency (p50/p99 per dashboard query) over millions of fact rows.",
    mixinStandardHelpOptions = true,
    description = {"Measure the query API's latency (p50/p99 per dashboard query) over a fact table of --rows rows",
        "spread over --days days, on an embedded MariaDB. Uses a fresh temporary folder unless --data-dir is given",
        "(a folder that already holds the rows is reused: the fill is skipped)."},
    footer = {"", "Examples:", "  trackpipe bench-api", "  trackpipe bench-api --rows 1000000 --iterations 50"})
public final class ApiBenchCommand implements Callable<Integer> {
  private static final String DATABASE = "benchapi";

  @Option(names = "--rows", defaultValue = "10000000", description = "Fact rows (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(names = "--days", defaultValue = "90", description = "Days the rows spread over, ending today (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--jobs", defaultValue = "2000", description = "Jobs (default: ${DEFAULT-VALUE}).")
  int jobs;

  @Option(names = "--publishers", defaultValue = "20", description = "Publishers (default: ${DEFAULT-VALUE}).")
  int publishers;

  @Option(names = "--iterations", defaultValue = "30", description = "Timed calls per query (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--data-dir", description = "Keep MariaDB's data here instead of a temporary folder.")
  Path dataDir;


  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("trackpipe-bench-api");
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(dir, 0)) {
      db.createDatabase(DATABASE);
      Warehouse warehouse = new Warehouse(WarehouseConfig.unencrypted(db.jdbcUrl(DATABASE) + "?allowLocalInfile=true", db.user(),
          db.password()));
      warehouse.migrate();
      long existing = count(warehouse);
      if (existing < rows) {
        long t0 = System.nanoTime();
        new BenchFacts(rows, days, jobs, publishers, today).fill(warehouse, out);
        out.printf(Locale.ROOT, "Filled %,d rows in %.0f s%n", count(warehouse), (System.nanoTime() - t0) / 1e9);
      } else {
        out.printf(Locale.ROOT, "Reusing %,d rows in %s%n", existing, dir);
      }
      ServeConfig serve = new ServeConfig("127.0.0.1", 0, AuthMode.NONE, null, null, null, 400, Duration.ofSeconds(30), 4,
          "USD", Duration.ofSeconds(5), ZoneId.of("UTC"),
          List.of(), ServeConfig.MAX_CONCURRENT_REQUESTS.defaultValue(), null, null);
      DomainCatalog domains = DomainCatalog.load(List.of(), List.of());
      if (existing < rows || count(warehouse, domains.domains().get(0).dashboard().tables().get(1)) == 0) {
        // The stream writes the dashboard's coarser tables with events; the loaded facts are summed into them.
        long t0 = System.nanoTime();
        try (Connection c = warehouse.connect()) {
          DashboardTables.fillFromFinest(c, domains.domains().get(0));
        }
        out.printf(Locale.ROOT, "Dashboard tables filled from events in %.0f s%n", (System.nanoTime() - t0) / 1e9);
      }
      try (DashboardServer server = DashboardServer.start(serve, domains, warehouse, Clock.systemUTC())) {
        measure(server.url(), today, out);
      }
    }
    return ExitCodes.OK;
  }

  private void measure(URI base, LocalDate today, PrintStream out) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<String, String> ranges = new LinkedHashMap<>();
    ranges.put("today", "from=" + today + "&to=" + today);
    ranges.put("7 days", "from=" + today.minusDays(6) + "&to=" + today);
    ranges.put("30 days", "from=" + today.minusDays(29) + "&to=" + today);
    Map<String, String> filters = new LinkedHashMap<>();
    filters.put("none", "");
    filters.put("campaign", "&campaign=" + BenchFacts.campaignOf(7));
    filters.put("publisher", "&publisher=3");
    filters.put("company", "&company=" + BenchFacts.companyOf(7));
    List<String> queries = List.of("kpis", "facts?bucket=hour", "heatmap", "top/job?sort=clicks",
        "top/campaign?sort=spend", "top/publisher?sort=cpc", "top/company?sort=conversions");
    out.println();
    out.printf("%-30s %-8s %-10s %8s %8s %8s %6s%n", "query", "range", "filter", "p50 ms", "p99 ms", "max ms", "rows");
    List<Double> all = new ArrayList<>();
    double worstP99 = 0;
    String worst = "";
    for (var range : ranges.entrySet()) {
      for (var filter : filters.entrySet()) {
        for (String query : queries) {
          String url = base + "/api/v1/" + query + (query.contains("?") ? "&" : "?") + range.getValue() + filter.getValue();
          HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET().build();
          int rowsAnswered = 0;
          for (int warm = 0; warm < 2; warm++) rowsAnswered = call(http, request);
          double[] millis = new double[iterations];
          for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            call(http, request);
            millis[i] = (System.nanoTime() - t0) / 1e6;
            all.add(millis[i]);
          }
          Arrays.sort(millis);
          double p99 = percentile(millis, 0.99);
          if (p99 > worstP99) {
            worstP99 = p99;
            worst = query + " / " + range.getKey() + " / " + filter.getKey();
          }
          out.printf(Locale.ROOT, "%-30s %-8s %-10s %8.1f %8.1f %8.1f %6d%n", query, range.getKey(), filter.getKey(),
              percentile(millis, 0.5), p99, millis[millis.length - 1], rowsAnswered);
        }
      }
    }
    double[] sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    out.printf(Locale.ROOT, "%nAll %,d calls: p50 %.1f ms, p99 %.1f ms; slowest p99 %.1f ms (%s)%n", sorted.length,
        percentile(sorted, 0.5), percentile(sorted, 0.99), worstP99, worst);
  }

  /** @return how many rows (or cells) the answer holds, to show the query did real work */
  private static int call(HttpClient http, HttpRequest request) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
    }
    String body = response.body();
    int count = 0;
    for (int i = body.indexOf("\"clicks\""); i >= 0; i = body.indexOf("\"clicks\"", i + 1)) count++;
    return count;
  }

  private static double percentile(double[] sorted, double fraction) {
    int index = (int) Math.ceil(fraction * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static long count(Warehouse warehouse) throws SQLException {
    return count(warehouse, "events");
  }

  private static long count(Warehouse warehouse, String table) throws SQLException {
    try (Connection c = warehouse.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Deterministic facts for the benchmark, generated in primary-key order and loaded with LOAD DATA. */
  static final class BenchFacts {
    private final long rows;
    private final int days;
    private final int jobs;
    private final int publishers;
    private final LocalDate firstDay;

    /** The hour of the last row: facts stop at the current hour, as a live warehouse's do. */
    private final int lastHourIndex;

    BenchFacts(long rows, int days, int jobs, int publishers, LocalDate today) {
      this.rows = rows;
      this.days = days;
      this.jobs = jobs;
      this.publishers = publishers;
      this.firstDay = today.minusDays(days - 1L);
      this.lastHourIndex = (days - 1) * 24 + java.time.LocalTime.now(ZoneOffset.UTC).getHour();
    }

    static long campaignOf(long job) {
      return 1 + job % 100;
    }

    static long groupOf(long job) {
      return 1 + job % 300;
    }

    static long companyOf(long job) {
      return 1 + job % 150;
    }

    void fill(Warehouse warehouse, PrintStream out) throws SQLException {
      try (Connection c = warehouse.connect(); Statement s = c.createStatement()) {
        try (PreparedStatement company = c.prepareStatement("INSERT IGNORE INTO company (id, name) VALUES (?, ?)")) {
          for (int id = 1; id <= 150; id++) {
            company.setLong(1, id);
            company.setString(2, "Company " + id);
            company.addBatch();
          }
          company.executeBatch();
        }
        try (PreparedStatement publisher = c.prepareStatement("INSERT IGNORE INTO master_publisher (id, name) VALUES (?, ?)")) {
          for (int id = 1; id <= publishers; id++) {
            publisher.setLong(1, id);
            publisher.setString(2, "Publisher " + id);
            publisher.addBatch();
          }
          publisher.executeBatch();
        }
        try (PreparedStatement job = c.prepareStatement("INSERT IGNORE INTO job (id, company_id, group_id, campaign_id,"
            + " title, industry) VALUES (?, ?, ?, ?, ?, ?)")) {
          for (long id = 1; id <= jobs; id++) {
            job.setLong(1, id);
            job.setLong(2, companyOf(id));
            job.setLong(3, groupOf(id));
            job.setLong(4, campaignOf(id));
            job.setString(5, "Job ad " + id);
            job.setString(6, "Industry " + id % 12);
            job.addBatch();
          }
          job.executeBatch();
        }
        // Secondary indexes are built once after the load (sorted builds), with their migrated definitions.
        Map<String, String> indexes = secondaryIndexes(c);
        if (!indexes.isEmpty()) {
          s.execute("ALTER TABLE events " + String.join(", ", indexes.keySet().stream().map(i -> "DROP INDEX " + i).toList()));
        }
        out.printf(Locale.ROOT, "Loading %,d rows (%d days, %d jobs, %d publishers) …%n", rows, days, jobs, publishers);
        s.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(new RowStream());
        s.execute("LOAD DATA LOCAL INFILE 'events.tsv' INTO TABLE events (job_id, dates, hours, publisher_id, campaign_id,"
            + " group_id, impressions, clicks, conversion, qualified_application, disqualified_application, bid_set,"
            + " spend_hour, company_id, sources, latest_update_time)");
        out.println("Building the secondary indexes …");
        if (!indexes.isEmpty()) {
          s.execute("ALTER TABLE events " + String.join(", ", indexes.entrySet().stream()
              .map(e -> "ADD INDEX " + e.getKey() + " (" + e.getValue() + ")").toList()));
        }
        s.execute("ANALYZE TABLE events");
      }
    }

    private static Map<String, String> secondaryIndexes(Connection c) throws SQLException {
      Map<String, String> indexes = new LinkedHashMap<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT index_name,"
          + " GROUP_CONCAT(column_name ORDER BY seq_in_index) FROM information_schema.statistics"
          + " WHERE table_schema = DATABASE() AND table_name = 'events' AND index_name <> 'PRIMARY' GROUP BY index_name")) {
        while (rs.next()) indexes.put(rs.getString(1), rs.getString(2));
      }
      return indexes;
    }

    /**
     * Rows in primary-key order: per job, per hour, per publisher, a row exists with a fixed probability (so ~rows
     * rows in all); counts follow the hour of day and the weekday. The same arguments always give the same rows.
     */
    private final class RowStream extends InputStream {
      private final double density = Math.min(1.0, rows * 1.03 / ((double) jobs * (lastHourIndex + 1) * publishers));
      private long job = 1;
      private int hourIndex;
      private int publisher = 1;
      private long emitted;
      private byte[] line = new byte[0];
      private int pos;
      private final StringBuilder text = new StringBuilder(160);

      @Override
      public int read() {
        if (pos >= line.length && !next()) return -1;
        return line[pos++] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (len == 0) return 0;
        int n = 0;
        while (n < len) {
          if (pos >= line.length && !next()) break;
          int take = Math.min(len - n, line.length - pos);
          System.arraycopy(line, pos, b, off + n, take);
          pos += take;
          n += take;
        }
        return n == 0 ? -1 : n;
      }

      private boolean next() {
        while (emitted < rows && job <= jobs) {
          long key = ((job * 100_003L + hourIndex) * 131L + publisher);
          long h = mix(key);
          boolean present = (h >>> 11) * 0x1.0p-53 < density;
          int hourIndexNow = hourIndex;
          int publisherNow = publisher;
          long jobNow = job;
          if (++publisher > publishers) {
            publisher = 1;
            if (++hourIndex > lastHourIndex) {
              hourIndex = 0;
              job++;
            }
          }
          if (!present) continue;
          emitted++;
          LocalDate date = firstDay.plusDays(hourIndexNow / 24);
          int hour = hourIndexNow % 24;
          double daytime = 0.3 + Math.sin(Math.PI * Math.max(0, hour - 6) / 18.0);
          double weekday = date.getDayOfWeek().getValue() >= 6 ? 0.6 : 1.0;
          long clicks = Math.round(((h >>> 3) % 8) * daytime * weekday);
          long impressions = clicks * 20 + (h >>> 7) % 40;
          long conversions = clicks == 0 ? 0 : (h >>> 13) % (clicks + 1) / 2;
          long qualified = (h >>> 17) % 3;
          long unqualified = (h >>> 19) % 2;
          long bidCents = 10 + (h >>> 23) % 190;
          text.setLength(0);
          text.append(jobNow).append('\t').append(date).append('\t').append(hour).append('\t').append(publisherNow)
              .append('\t').append(campaignOf(jobNow)).append('\t').append(groupOf(jobNow)).append('\t')
              .append(impressions).append('\t').append(clicks).append('\t').append(conversions).append('\t')
              .append(qualified).append('\t').append(unqualified).append('\t')
              .append(clicks == 0 ? "\\N" : cents(bidCents)).append('\t').append(cents(bidCents * clicks)).append('\t')
              .append(companyOf(jobNow)).append("\tbench\t").append(firstDay).append(" 00:00:00\n");
          line = text.toString().getBytes(StandardCharsets.US_ASCII);
          pos = 0;
          return true;
        }
        return false;
      }

      private static String cents(long cents) {
        return cents / 100 + "." + (cents % 100 < 10 ? "0" : "") + cents % 100;
      }

      /** SplitMix64's finalizer: a well-spread hash of the row's key. */
      private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
      }
    }
  }
}
