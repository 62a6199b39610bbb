package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TimeGrain;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.rollup.RollupTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unique users of the web clickstream over any date range, exact: through the range route of the rollup API and the
 * dashboard's distinct measure, on a handful of page views whose answers are worked out by hand below. Alice is seen on
 * both days, so she is one user of the range and one user of each day.
 */
class ClickstreamApiIT {
  private static final Domain CLICKS = DomainCatalog.load(List.of(), List.of()).domain(DomainCatalog.CLICKSTREAM).orElseThrow();
  private static final String HOME = "https://www.example-shop.com/";
  private static final String CART = "https://www.example-shop.com/cart";

  /** A page view: day, hour, URL, country, visitor. */
  private record View(String date, int hour, String url, String country, String user) {}

  /**
   * 2026-03-02: alice views home twice (09 h and 10 h) and the cart, bob views home (VN). 2026-03-03: alice views home
   * again, carol views the cart (VN). 2026-02-20 (outside the ranges asked): dave views home.
   */
  private static final List<View> VIEWS = List.of(
      new View("2026-03-02", 9, HOME, "Germany", "alice"),
      new View("2026-03-02", 10, HOME, "Germany", "alice"),
      new View("2026-03-02", 10, CART, "Germany", "alice"),
      new View("2026-03-02", 10, HOME, "Vietnam", "bob"),
      new View("2026-03-03", 8, HOME, "Germany", "alice"),
      new View("2026-03-03", 8, CART, "Vietnam", "carol"),
      new View("2026-02-20", 12, HOME, "France", "dave"));

  private static Warehouse warehouse;
  private static DashboardServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    warehouse = TestWarehouse.createDatabase("clickapi");
    try (Connection c = warehouse.connect()) {
      // The tables of page views and unique users (the session tables have their own tests).
      for (RollupDefinition r : CLICKS.rollups().rollups()) {
        if (r.computedFrom() == RollupDefinition.Computation.EVENTS) fill(c, r);
      }
      try (Statement s = c.createStatement()) {
        for (RollupDefinition r : CLICKS.rollups().rollups()) {
          for (var view : r.views()) s.execute(RollupTables.viewSql(r, view));
        }
      }
    }
    server = DashboardServer.start(ApiIT.config(AuthMode.NONE, null, null, null), DomainCatalog.load(List.of(), List.of()),
        warehouse, Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC));
    api = new ApiClient(server.url());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void aUserSeenOnTwoDaysIsOneUserOfTheRangeAndOneOfEachDay() throws Exception {
    JsonNode daily = api.get("/api/v1/rollups/site_hourly/range?from=2026-03-02&to=2026-03-03").json();
    assertThat(daily.path("rows")).hasSize(1);
    assertThat(daily.path("rows").get(0).path("page_views").asLong()).isEqualTo(6);
    assertThat(daily.path("rows").get(0).path("unique_users").asLong()).as("alice, bob, carol").isEqualTo(3);

    // Per URL over both days: home was viewed by alice and bob (alice on both days), the cart by alice and carol.
    JsonNode byUrl = api.get("/api/v1/rollups/url_daily/range?from=2026-03-02&to=2026-03-03&by=url").json();
    assertThat(byUrl.path("by")).extracting(JsonNode::asText).containsExactly("url");
    assertThat(rows(byUrl, "url", "page_views", "unique_users")).containsExactly(
        HOME + "|4|2", CART + "|2|2");
    // The daily rows themselves: alice is one of home's users on each day, so they add up to 3, not 2.
    JsonNode rows = api.get("/api/v1/rollups/url_daily?from=2026-03-02&to=2026-03-03").json();
    assertThat(rows(rows, "url", "dates", "unique_users")).containsExactly(
        HOME + "|2026-03-02|2", HOME + "|2026-03-03|1", CART + "|2026-03-02|1", CART + "|2026-03-03|1");
  }

  @Test
  void groupsByAnyKeyButTheTimeAndRecountsEachGroup() throws Exception {
    JsonNode byCountry = api.get("/api/v1/rollups/page_views_hourly/range?from=2026-03-02&to=2026-03-03&by=country").json();
    assertThat(rows(byCountry, "country", "page_views", "unique_users")).containsExactly("Germany|4|1", "Vietnam|2|2");
    // By hour of day over the range: 10 h holds alice twice and bob; 8 h alice and carol.
    JsonNode byHour = api.get("/api/v1/rollups/url_hourly/range?from=2026-03-02&to=2026-03-03&by=hours").json();
    assertThat(rows(byHour, "hours", "page_views", "unique_users")).containsExactly("8|2|2", "9|1|1", "10|3|2");
    JsonNode twoKeys = api.get("/api/v1/rollups/page_views_hourly/range?from=2026-03-02&to=2026-03-02&by=country,url").json();
    assertThat(rows(twoKeys, "country", "url", "page_views", "unique_users")).containsExactly(
        "Germany|" + HOME + "|2|1", "Germany|" + CART + "|1|1", "Vietnam|" + HOME + "|1|1");
    // The whole of February's last fortnight: dave alone.
    JsonNode february = api.get("/api/v1/rollups/country_daily/range?from=2026-02-15&to=2026-02-28&by=country").json();
    assertThat(rows(february, "country", "page_views", "unique_users")).containsExactly("France|1|1");
    JsonNode cut = api.get("/api/v1/rollups/url_daily/range?from=2026-02-01&to=2026-03-04&by=url&limit=1").json();
    assertThat(cut.path("truncated").asBoolean()).isTrue();
    assertThat(cut.path("rows")).hasSize(1);
  }

  @Test
  void refusesWhatItCannotAnswerWithA400() throws Exception {
    assertBadRequest("/api/v1/rollups/nowhere/range", "table", "no rollup table or view 'nowhere'");
    assertBadRequest("/api/v1/rollups/url_totals/range", "table", "has no day or hour column");
    assertBadRequest("/api/v1/rollups/url_daily/range?from=2026-02-30", "from", "from must be a date YYYY-MM-DD");
    assertBadRequest("/api/v1/rollups/url_daily/range?from=yesterday", "from", "from must be a date YYYY-MM-DD");
    assertBadRequest("/api/v1/rollups/url_daily/range?from=2026-03-03&to=2026-03-02", "from", "must not be after");
    assertBadRequest("/api/v1/rollups/url_daily/range?by=dates", "by", "by must be a comma-separated list of url");
    assertBadRequest("/api/v1/rollups/url_daily/range?by=url%3B%20DROP%20TABLE%20url_daily", "by", "got 'url; DROP TABLE");
    assertBadRequest("/api/v1/rollups/url_daily/range?by=url,url", "by", "names url twice");
    assertBadRequest("/api/v1/rollups/url_daily/range?by=(SELECT%201)", "by", "must be a comma-separated list");
    assertBadRequest("/api/v1/rollups/url_daily/range?country=VN", "country", "unknown parameter 'country'");
    assertBadRequest("/api/v1/rollups/url_daily/range?limit=0", "limit", "limit must be a whole number");
    // Nothing was dropped.
    assertThat(api.get("/api/v1/rollups/url_daily/range?from=2026-03-02&to=2026-03-03").json().path("rows").get(0)
        .path("page_views").asLong()).isEqualTo(6);
  }

  @Test
  void theDashboardCountsUniqueUsersExactlyForAnyRangeAndFilter() throws Exception {
    String api2 = "/api/v1/domains/clickstream";
    JsonNode both = api.get(api2 + "/kpis?from=2026-03-02&to=2026-03-03").json().path("totals");
    assertThat(both.path("users").asLong()).isEqualTo(3);
    assertThat(both.path("page_views").asLong()).isEqualTo(6);
    assertThat(api.get(api2 + "/kpis?from=2026-03-03&to=2026-03-03").json().path("totals").path("users").asLong()).isEqualTo(2);
    assertThat(api.get(api2 + "/kpis?from=2026-03-02&to=2026-03-03&url=" + HOME).json().path("totals").path("users")
        .asLong()).as("alice and bob on the home page").isEqualTo(2);
    assertThat(api.get(api2 + "/kpis?from=2026-03-02&to=2026-03-03&country=Vietnam&url=" + CART).json().path("totals")
        .path("users").asLong()).as("carol").isEqualTo(1);

    // Per day, the same user counts on each day she was seen.
    JsonNode perDay = api.get(api2 + "/facts?from=2026-03-02&to=2026-03-03&bucket=day").json().path("rows");
    assertThat(StreamSupport.stream(perDay.spliterator(), false)
        .map(r -> r.path("date").asText() + "|" + r.path("page_views").asLong() + "|" + r.path("users").asLong()))
        .containsExactly("2026-03-02|4|2", "2026-03-03|2|2");
    JsonNode perCountry = api.get(api2 + "/facts?from=2026-03-02&to=2026-03-03&bucket=day&group_by=country").json().path("rows");
    assertThat(StreamSupport.stream(perCountry.spliterator(), false)
        .map(r -> r.path("date").asText() + "|" + r.path("country").asText() + "|" + r.path("users").asLong()))
        .containsExactly("2026-03-02|Germany|1", "2026-03-02|Vietnam|1", "2026-03-03|Germany|1", "2026-03-03|Vietnam|1");

    // Top pages by users (a tie of two, alice and bob against alice and carol: in key order).
    JsonNode topByUsers = api.get(api2 + "/top/url?from=2026-03-02&to=2026-03-03&sort=users").json().path("rows");
    assertThat(StreamSupport.stream(topByUsers.spliterator(), false)
        .map(r -> r.path("id").asText() + "|" + r.path("users").asLong() + "|" + r.path("page_views").asLong()))
        .containsExactly(HOME + "|2|4", CART + "|2|2");
    JsonNode topCountries = api.get(api2 + "/top/country?from=2026-03-02&to=2026-03-03&sort=page_views").json().path("rows");
    assertThat(StreamSupport.stream(topCountries.spliterator(), false)
        .map(r -> r.path("id").asText() + "|" + r.path("page_views").asLong() + "|" + r.path("users").asLong()))
        .containsExactly("Germany|4|1", "Vietnam|2|2");
    JsonNode fewest = api.get(api2 + "/top/country?from=2026-03-02&to=2026-03-03&sort=users&order=asc&limit=1").json().path("rows");
    assertThat(fewest).hasSize(1);
    assertThat(fewest.get(0).path("id").asText()).isEqualTo("Germany");

    // Heatmap cells: Monday 2026-03-02 10 h holds alice and bob.
    JsonNode cells = api.get(api2 + "/heatmap?from=2026-03-02&to=2026-03-03").json().path("cells");
    assertThat(StreamSupport.stream(cells.spliterator(), false)
        .filter(c -> c.path("weekday").asInt() == 1 && c.path("hour").asInt() == 10).findFirst().orElseThrow()
        .path("users").asLong()).isEqualTo(2);

    JsonNode described = api.get(api2).json();
    assertThat(StreamSupport.stream(described.path("measures").spliterator(), false)
        .filter(m -> m.path("name").asText().equals("users")).findFirst().orElseThrow().path("distinct").asBoolean()).isTrue();
  }

  private static void assertBadRequest(String path, String parameter, String message) throws Exception {
    ApiClient.Reply reply = api.get(path);
    assertThat(reply.status()).as(path).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("bad_parameter");
    assertThat(reply.json().path("parameter").asText()).as(path).isEqualTo(parameter);
    assertThat(reply.json().path("message").asText()).as(path).contains(message);
  }

  private static List<String> rows(JsonNode body, String... columns) {
    List<String> rows = new ArrayList<>();
    for (JsonNode row : body.path("rows")) {
      List<String> values = new ArrayList<>();
      for (String column : columns) values.add(row.path(column).asText());
      rows.add(String.join("|", values));
    }
    return rows;
  }

  /**
   * The rollup's table and its unique-users side table as the stream writes them for {@link #VIEWS}: a row per key
   * with its page views, a side row per key and visitor.
   */
  private static void fill(Connection c, RollupDefinition rollup) throws Exception {
    List<String> keys = rollup.dimensions().stream().map(Dimension::name).toList();
    StringBuilder columns = new StringBuilder();
    for (Dimension d : rollup.dimensions()) {
      columns.append('`').append(d.name()).append("` ").append(d.time() == TimeGrain.DAY ? "DATE"
          : d.time() == TimeGrain.HOUR_OF_DAY ? "INT" : "VARCHAR(191)").append(" NOT NULL, ");
    }
    String side = rollup.distinctTable(rollup.metric("unique_users").orElseThrow());
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE `" + rollup.table() + "` (" + columns + "page_views BIGINT NOT NULL, unique_users BIGINT"
          + " NOT NULL, sources VARCHAR(32) NOT NULL, latest_update_time DATETIME(3) NOT NULL, PRIMARY KEY ("
          + String.join(", ", keys.stream().map(k -> "`" + k + "`").toList()) + "))");
      s.execute("CREATE TABLE `" + side + "` (" + columns + "distinct_value VARCHAR(191) NOT NULL, PRIMARY KEY ("
          + String.join(", ", keys.stream().map(k -> "`" + k + "`").toList()) + ", distinct_value))");
    }
    Map<List<Object>, Integer> views = new LinkedHashMap<>();
    Map<List<Object>, Set<String>> users = new LinkedHashMap<>();
    for (View v : VIEWS) {
      List<Object> key = new ArrayList<>();
      for (Dimension d : rollup.dimensions()) {
        key.add(switch (d.name()) {
          case "dates" -> v.date();
          case "hours" -> v.hour();
          case "url" -> v.url();
          case "country" -> v.country();
          default -> "unknown";
        });
      }
      views.merge(key, 1, Integer::sum);
      users.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(v.user());
    }
    String marks = String.join(", ", keys.stream().map(k -> "?").toList());
    try (PreparedStatement main = c.prepareStatement("INSERT INTO `" + rollup.table() + "` VALUES (" + marks
        + ", ?, ?, 'kafka', '2026-03-04 10:00:00')");
        PreparedStatement values = c.prepareStatement("INSERT INTO `" + side + "` VALUES (" + marks + ", ?)")) {
      for (var e : views.entrySet()) {
        for (int i = 0; i < keys.size(); i++) main.setObject(i + 1, e.getKey().get(i));
        main.setInt(keys.size() + 1, e.getValue());
        main.setInt(keys.size() + 2, users.get(e.getKey()).size());
        main.executeUpdate();
        for (String user : users.get(e.getKey())) {
          for (int i = 0; i < keys.size(); i++) values.setObject(i + 1, e.getKey().get(i));
          values.setString(keys.size() + 1, user);
          values.executeUpdate();
        }
      }
    }
  }
}
