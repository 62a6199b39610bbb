package io.trackpipe.search;

import static io.trackpipe.search.IndexContents.assertIndexEqualsTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.embedded.EmbeddedOpenSearch;
import io.trackpipe.search.opensearch.SearchServerException;
import io.trackpipe.warehouse.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job-ads rollup tables of a real MariaDB indexed into a real OpenSearch node, each test in its own database and
 * with its own index prefix; every comparison reads both sides independently ({@link IndexContents}).
 */
class SearchIndexIT {
  private static final int EVENT_ROWS = 3000;

  private final EmbeddedOpenSearch search = EmbeddedOpenSearch.shared();
  private String prefix;
  private Warehouse warehouse;
  private SearchConfig config;

  @BeforeEach
  void freshDatabaseAndPrefix() {
    prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + "-";
    warehouse = TestWarehouse.createDatabase("search");
    config = SearchConfig.of(search.url(), prefix);
  }

  @Test
  void indexHoldsExactlyTheRowsOfEveryTableAfterUpdatesAndDeletes() throws Exception {
    TestWarehouse.insertEvents(warehouse, EVENT_ROWS, 42);
    SearchIndexJob job = new SearchIndexJob(config, warehouse, IndexProgress.NONE);

    Map<String, TableReport> first = byTable(job.run(TestWarehouse.JOB_ADS, false));
    assertThat(first).containsOnlyKeys(SearchIndexJob.tables(TestWarehouse.JOB_ADS));
    assertThat(first.get("events").mode()).isEqualTo("full");
    assertThat(first.get("events").rowsRead()).isEqualTo(EVENT_ROWS);
    // The KPI tables are created by the stream with its first rows; this database has never seen a stream.
    assertThat(first.get("campaign_daily").skipped()).isTrue();
    List<TableReport> indexed = first.values().stream().filter(r -> !r.skipped()).toList();
    assertThat(indexed).extracting(TableReport::table).contains("events", "dashboard_hour", "dashboard_day_job");
    for (TableReport report : indexed) {
      assertThat(assertIndexEqualsTable(warehouse, report.table(), search.url(), report.index()))
          .as(report.table()).isPositive().isEqualTo((int) report.documents());
    }

    // The stream adds to some rows and creates others; a recomputation drops a row; the dashboard tables are summed again.
    int updated = TestWarehouse.execute(warehouse, "UPDATE events SET clicks = clicks + 5, spend_hour = spend_hour + 1.25,"
        + " latest_update_time = UTC_TIMESTAMP(3) WHERE job_id = 7");
    int created = TestWarehouse.execute(warehouse, "INSERT INTO events (job_id, dates, hours, publisher_id, campaign_id,"
        + " group_id, clicks, spend_hour, sources, latest_update_time) VALUES (9999, '2026-11-30', 23, 1, 1000, 100, 3,"
        + " 1.5, 'kafka', UTC_TIMESTAMP(3)), (9999, '2026-11-30', 22, 1, 1000, 100, 1, 0.5, 'kafka', UTC_TIMESTAMP(3))");
    int deleted = TestWarehouse.execute(warehouse, "DELETE FROM events WHERE job_id = 3 AND hours = 5 AND dates = '2026-11-28'");
    assertThat(updated).isPositive();
    assertThat(deleted).isEqualTo(1);
    TestWarehouse.sumDashboardTables(warehouse);

    Map<String, TableReport> second = byTable(job.run(TestWarehouse.JOB_ADS, false));
    assertThat(second.get("events").mode()).isEqualTo("incremental");
    assertThat(second.get("events").rowsRead()).as("only the rows written since the first run").isEqualTo(updated + created);
    assertThat(second.get("events").deleted()).isEqualTo(1);
    for (TableReport report : second.values().stream().filter(r -> !r.skipped()).toList()) {
      assertIndexEqualsTable(warehouse, report.table(), search.url(), report.index());
    }

    Map<String, TableReport> full = byTable(job.run(TestWarehouse.JOB_ADS, true));
    assertThat(full.get("events").mode()).isEqualTo("full");
    assertThat(full.get("events").rowsRead()).isEqualTo(EVENT_ROWS + created - deleted);
    assertThat(full.get("events").documents()).isEqualTo(EVENT_ROWS + created - deleted);
    assertIndexEqualsTable(warehouse, "events", search.url(), full.get("events").index());
  }

  @Test
  void mapsTimesAsDatesDecimalsAsDoublesAndNamesAsKeywordsWithIdsFromTheKey() throws Exception {
    TestWarehouse.insertEvents(warehouse, 100, 7);
    TestWarehouse.execute(warehouse, "INSERT INTO events (job_id, dates, hours, publisher_id, campaign_id, group_id, clicks,"
        + " spend_hour, bid_set, sources, latest_update_time) VALUES (123456, '2026-11-29', 7, 2, 1003, 104, 4, 2.5, 0.625,"
        + " 'kafka', '2026-11-30 08:09:10.250')");
    new SearchIndexJob(config, warehouse, IndexProgress.NONE).run(TestWarehouse.JOB_ADS, false);
    String index = config.indexName("job-ads", "events");

    JsonNode mapping = IndexContents.send(search.url(), "GET", "/" + index + "/_mapping", null).path(index).path("mappings");
    assertThat(mapping.path("dynamic").asText()).isEqualTo("strict");
    JsonNode fields = mapping.path("properties");
    assertThat(fields.path("dates").path("type").asText()).isEqualTo("date");
    assertThat(fields.path("latest_update_time").path("type").asText()).isEqualTo("date");
    assertThat(fields.path("spend_hour").path("type").asText()).isEqualTo("double");
    assertThat(fields.path("bid_set").path("type").asText()).isEqualTo("double");
    assertThat(fields.path("clicks").path("type").asText()).isEqualTo("long");
    assertThat(fields.path("hours").path("type").asText()).isEqualTo("long");
    assertThat(fields.path("sources").path("type").asText()).isEqualTo("keyword");
    assertThat(mapping.path("_meta").path("trackpipe").path("key").toString())
        .isEqualTo("[\"job_id\",\"dates\",\"hours\",\"publisher_id\",\"campaign_id\",\"group_id\"]");

    JsonNode document = IndexContents.send(search.url(), "GET", "/" + index + "/_doc/123456%7C2026-11-29%7C7%7C2%7C1003%7C104", null);
    assertThat(document.path("found").asBoolean()).isTrue();
    assertThat(document.path("_source").path("latest_update_time").asText()).isEqualTo("2026-11-30T08:09:10.250");
    assertThat(document.path("_source").path("spend_hour").decimalValue()).isEqualByComparingTo("2.5");
    // Typed fields answer typed queries: a date range and a numeric range find that row.
    JsonNode hits = IndexContents.send(search.url(), "POST", "/" + index + "/_search", "{\"query\":{\"bool\":{\"filter\":["
        + "{\"range\":{\"latest_update_time\":{\"gte\":\"2026-11-30T08:09:10\",\"lt\":\"2026-11-30T08:09:11\"}}},"
        + "{\"range\":{\"bid_set\":{\"gt\":0.6,\"lt\":0.7}}}]}}}").path("hits");
    assertThat(hits.path("total").path("value").asInt()).isEqualTo(1);
    assertThat(hits.path("hits").path(0).path("_source").path("job_id").asLong()).isEqualTo(123456);
  }

  @Test
  void aKilledRunLeavesNoDuplicateAndTheNextRunMakesTheIndexEqualToTheTable(@TempDir Path dir) throws Exception {
    int rows = 20_000;
    TestWarehouse.insertEvents(warehouse, rows, 11);
    new SearchIndexJob(config, warehouse, IndexProgress.NONE).run(TestWarehouse.JOB_ADS, false);
    // Every row changes, so the next incremental run rewrites them all, and the crash lands in the middle of that.
    int updated = TestWarehouse.execute(warehouse, "UPDATE events SET conversion = conversion + 1,"
        + " latest_update_time = UTC_TIMESTAMP(3)");
    TestWarehouse.execute(warehouse, "DELETE FROM events WHERE hours = 3 AND job_id < 40");
    TestWarehouse.sumDashboardTables(warehouse);

    Path log = dir.resolve("indexer.log");
    Process child = IndexerProcess.start(warehouse.config(), search.url(), prefix, 200, log);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (progressLines(log) < 5 && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(child.isAlive()).as("the indexer is still running after 5 bulk requests: " + Files.readString(log)).isTrue();
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(Files.readString(log)).doesNotContain("done");
    String index = config.indexName("job-ads", "events");
    List<IndexContents.Document> halfway = IndexContents.documents(search.url(), index);
    // The fixture's conversions are clicks / 4; the update added one.
    long rewritten = halfway.stream()
        .filter(d -> d.source().path("conversion").asLong() == d.source().path("clicks").asLong() / 4 + 1).count();
    assertThat(rewritten).as("the crash came in the middle of the rewrite").isPositive().isLessThan(updated);
    assertThat(halfway).as("no document twice, whatever the crash").extracting(IndexContents.Document::id)
        .doesNotHaveDuplicates();

    List<TableReport> reports = new SearchIndexJob(config, warehouse, IndexProgress.NONE).run(TestWarehouse.JOB_ADS, false);
    TableReport events = byTable(reports).get("events");
    assertThat(events.mode()).as("the killed run recorded nothing: read again from the last complete run").isEqualTo("incremental");
    assertThat(events.deleted()).isPositive();
    for (TableReport report : reports.stream().filter(r -> !r.skipped()).toList()) {
      assertIndexEqualsTable(warehouse, report.table(), search.url(), report.index());
    }
  }

  @Test
  void anUnreachableServerFailsWithTheUrlAndWhatToCheck() throws Exception {
    TestWarehouse.insertEvents(warehouse, 10, 1);
    SearchConfig nowhere = SearchConfig.of("http://127.0.0.1:" + freePort(), prefix).withRetries(2, Duration.ofSeconds(2));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> new SearchIndexJob(nowhere, warehouse, IndexProgress.NONE).run(TestWarehouse.JOB_ADS, false))
        .isInstanceOf(SearchServerException.class)
        .hasMessageContaining("Cannot reach the search server at " + nowhere.url() + " (search.url)")
        .hasMessageContaining("failed 3 time(s)")
        .hasMessageContaining("ConnectException");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("two pauses, 0.5 s and 1 s").isGreaterThan(Duration.ofMillis(1400));
  }

  @Test
  void theDocumentedIndexTemplateAndAggregationWorkOnTheIndices() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "search-index.md"));
    String template = quotedJsonAfter(docs, "/_index_template/trackpipe")
        .replace("\"trackpipe-*\"", "\"" + prefix + "*\"");
    IndexContents.send(search.url(), "PUT", "/_index_template/" + prefix + "template", template);
    TestWarehouse.insertEvents(warehouse, 500, 3);
    new SearchIndexJob(config, warehouse, IndexProgress.NONE).run(TestWarehouse.JOB_ADS, false);
    String index = config.indexName("job-ads", "events");

    JsonNode settings = IndexContents.send(search.url(), "GET", "/" + index + "/_settings", null).path(index).path("settings")
        .path("index");
    assertThat(settings.path("refresh_interval").asText()).as("from the template").isEqualTo("5s");
    assertThat(settings.path("number_of_shards").asText()).isEqualTo("1");
    assertThat(IndexContents.send(search.url(), "GET", "/" + index + "/_mapping", null).path(index).path("mappings")
        .path("properties").path("clicks").path("type").asText()).as("from the indexer").isEqualTo("long");

    String aggregation = quotedJsonAfter(docs, "/trackpipe-job-ads-events/_search?size=0")
        .replace("2026-12-01", "2026-11-28").replace("2026-12-08", "2026-11-30");
    JsonNode buckets = IndexContents.send(search.url(), "POST", "/" + index + "/_search?size=0", aggregation)
        .path("aggregations").path("by_publisher").path("buckets");
    long clicks = 0;
    for (JsonNode bucket : buckets) clicks += bucket.path("clicks").path("value").asLong();
    long expected;
    try (java.sql.Connection c = warehouse.connect(); java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT SUM(clicks) FROM events")) {
      rs.next();
      expected = rs.getLong(1);
    }
    assertThat(buckets.size()).isEqualTo(3);
    assertThat(clicks).isEqualTo(expected).isPositive();
  }

  /** The JSON of the first {@code -d '…'} after {@code marker} in the docs. */
  private static String quotedJsonAfter(String docs, String marker) {
    int at = docs.indexOf(marker);
    assertThat(at).as("docs/search-index.md shows " + marker).isNotNegative();
    int start = docs.indexOf("-d '", at) + 4;
    return docs.substring(start, docs.indexOf("'\n", start));
  }

  private static long progressLines(Path log) throws Exception {
    return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith(IndexerProcess.PROGRESS)).count() : 0;
  }

  private static Map<String, TableReport> byTable(List<TableReport> reports) {
    return reports.stream().collect(Collectors.toMap(TableReport::table, r -> r));
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
