package io.trackpipe.search;

import static io.trackpipe.search.IndexContents.assertIndexEqualsTable;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.embedded.EmbeddedOpenSearch;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TimeGrain;
import io.trackpipe.warehouse.Warehouse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The web clickstream's tables indexed into a real OpenSearch node: text keys that are URLs (slashes, query strings)
 * and cities with accents, each index equal to its MariaDB table after the first run and after the stream changed,
 * added and removed rows.
 */
class ClickstreamSearchIndexIT {
  private static final Domain CLICKS = DomainCatalog.load(List.of(), List.of()).domain(DomainCatalog.CLICKSTREAM).orElseThrow();
  private static final List<String> URLS = List.of("https://www.example-shop.com/", "https://www.example-shop.com/cart",
      "https://www.example-shop.com/search?q=rain+jacket", "https://www.example-shop.com/lp/spring-sale?utm_source=google&utm_medium=cpc",
      "https://www.example-shop.com/products/shoes-001");
  private static final List<String[]> PLACES = List.of(new String[] {"Brazil", "São Paulo"},
      new String[] {"Vietnam", "Ho Chi Minh City"}, new String[] {"Germany", "Köln"}, new String[] {"unknown", "unknown"});

  private final EmbeddedOpenSearch search = EmbeddedOpenSearch.shared();

  @Test
  void everyClickstreamTableItsStreamCreatedEqualsItsIndexAfterChanges() throws Exception {
    String prefix = "c" + UUID.randomUUID().toString().substring(0, 8) + "-";
    Warehouse warehouse = TestWarehouse.createDatabase("clicksearch");
    SearchConfig config = SearchConfig.of(search.url(), prefix);
    List<RollupDefinition> created = CLICKS.rollups().rollups().stream()
        .filter(r -> List.of("url_daily", "city_daily", "page_views_hourly").contains(r.table())).toList();
    try (Connection c = warehouse.connect()) {
      for (RollupDefinition r : created) fill(c, r, new Random(r.table().hashCode()));
    }
    SearchIndexJob job = new SearchIndexJob(config, warehouse, IndexProgress.NONE);

    Map<String, TableReport> first = job.run(CLICKS, false).stream().collect(Collectors.toMap(TableReport::table, r -> r));
    assertThat(first).containsOnlyKeys(SearchIndexJob.tables(CLICKS));
    assertThat(first.get("technology_daily").skipped()).as("not created by a stream yet").isTrue();
    for (String table : List.of("url_daily", "city_daily", "page_views_hourly")) {
      assertThat(first.get(table).mode()).isEqualTo("full");
      assertThat(assertIndexEqualsTable(warehouse, table, search.url(), first.get(table).index())).as(table).isPositive();
    }

    // A document per row, its id the key: a URL with a query string is found by its id.
    String index = config.indexName(CLICKS.name(), "url_daily");
    String id = URLS.get(3) + "|2026-11-28";
    JsonNode document = IndexContents.send(search.url(), "GET", "/" + index + "/_doc/"
        + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"), null);
    assertThat(document.path("found").asBoolean()).as(id).isTrue();
    assertThat(document.path("_source").path("url").asText()).isEqualTo(URLS.get(3));

    try (Connection c = warehouse.connect(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE url_daily SET page_views = page_views + 3, unique_users = unique_users + 1,"
          + " latest_update_time = UTC_TIMESTAMP(3) WHERE url LIKE '%/cart'");
      s.executeUpdate("INSERT INTO city_daily VALUES ('Japan', 'Tōkyō', '2026-11-30', 4, 2, 'kafka', UTC_TIMESTAMP(3))");
      assertThat(s.executeUpdate("DELETE FROM page_views_hourly WHERE country = 'unknown'")).isPositive();
    }
    Map<String, TableReport> second = job.run(CLICKS, false).stream().collect(Collectors.toMap(TableReport::table, r -> r));
    assertThat(second.get("url_daily").mode()).isEqualTo("incremental");
    assertThat(second.get("page_views_hourly").deleted()).isPositive();
    for (String table : List.of("url_daily", "city_daily", "page_views_hourly")) {
      assertIndexEqualsTable(warehouse, table, search.url(), second.get(table).index());
    }
  }

  /** The rollup's table as the stream creates it, with a row per key of a few days of made-up traffic. */
  private static void fill(Connection c, RollupDefinition rollup, Random random) throws Exception {
    StringBuilder columns = new StringBuilder();
    for (Dimension d : rollup.dimensions()) {
      columns.append('`').append(d.name()).append("` ").append(d.time() == TimeGrain.DAY ? "DATE"
          : d.time() == TimeGrain.HOUR_OF_DAY ? "INT" : "VARCHAR(191) COLLATE utf8mb4_bin").append(" NOT NULL, ");
    }
    String key = String.join(", ", rollup.dimensions().stream().map(d -> "`" + d.name() + "`").toList());
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE `" + rollup.table() + "` (" + columns + "page_views BIGINT NOT NULL, unique_users BIGINT"
          + " NOT NULL, sources VARCHAR(32) NOT NULL, latest_update_time DATETIME(3) NOT NULL, PRIMARY KEY (" + key
          + ")) DEFAULT CHARSET = utf8mb4");
    }
    LocalDateTime written = LocalDateTime.now(ZoneOffset.UTC).minusDays(1).withNano(250_000_000);
    String marks = String.join(", ", rollup.dimensions().stream().map(d -> "?").toList());
    try (PreparedStatement insert = c.prepareStatement("INSERT IGNORE INTO `" + rollup.table() + "` VALUES (" + marks
        + ", ?, ?, 'kafka', ?)")) {
      int n = rollup.dimensions().size();
      for (int row = 0; row < 300; row++) {
        String[] place = PLACES.get(random.nextInt(PLACES.size()));
        for (int i = 0; i < n; i++) {
          Dimension d = rollup.dimensions().get(i);
          insert.setObject(i + 1, switch (d.name()) {
            case "dates" -> LocalDate.of(2026, 11, 28).plusDays(random.nextInt(3));
            case "hours" -> random.nextInt(24);
            case "url" -> URLS.get(random.nextInt(URLS.size()));
            case "country" -> place[0];
            case "city" -> place[1];
            default -> "unknown";
          });
        }
        long users = 1 + random.nextInt(50);
        insert.setLong(n + 1, users + random.nextInt(100));
        insert.setLong(n + 2, users);
        insert.setObject(n + 3, written.plusSeconds(row));
        insert.executeUpdate();
      }
    }
  }
}
