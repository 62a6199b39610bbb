package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.domain.DashboardDefinition;
import io.trackpipe.domain.DashboardDefinition.DashboardDimension;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.serve.query.ConnectionPool;
import io.trackpipe.serve.query.FactFilter;
import io.trackpipe.serve.query.FactQueries;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.status.PipelineStatus;
import io.trackpipe.warehouse.status.PipelineStatusTable;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The query API on a real server over real MariaDB holding known facts: exact numbers, bad parameters, 404s. */
class ApiIT {
  private static Warehouse warehouse;
  private static DashboardServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    warehouse = TestWarehouse.createDatabase("api");
    TestWarehouse.insertKnownFacts(warehouse);
    server = DashboardServer.start(config(AuthMode.NONE, null, null, null), warehouse,
        Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC));
    api = new ApiClient(server.url());
  }

  static ServeConfig config(AuthMode mode, String token, String user, String password) {
    return new ServeConfig("127.0.0.1", 0, mode, token, user, password, 400, Duration.ofSeconds(10), 2, "USD",
        Duration.ofSeconds(5), ZoneId.of("UTC"), List.of(), 32, null, null);
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void kpisOfTheLastSevenDaysAreRatiosOfSums() throws Exception {
    ApiClient.Reply reply = api.get("/api/v1/kpis");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().path("from").asText()).isEqualTo("2026-02-26");
    assertThat(reply.json().path("to").asText()).isEqualTo("2026-03-04");
    JsonNode t = reply.json().path("totals");
    assertThat(t.path("impressions").asLong()).isEqualTo(3500);
    assertThat(t.path("clicks").asLong()).isEqualTo(80);
    assertThat(t.path("conversions").asLong()).isEqualTo(10);
    assertThat(t.path("qualified").asLong()).isEqualTo(6);
    assertThat(t.path("unqualified").asLong()).isEqualTo(4);
    assertThat(decimal(t, "spend")).isEqualByComparingTo("41.50");
    assertThat(decimal(t, "ctr")).isEqualByComparingTo("0.022857");
    assertThat(decimal(t, "cpc")).isEqualByComparingTo("0.518750");
    assertThat(decimal(t, "cpa")).isEqualByComparingTo("4.15");
    assertThat(decimal(t, "conversion_rate")).isEqualByComparingTo("0.125");
    assertThat(decimal(t, "qualified_ratio")).isEqualByComparingTo("0.6");
  }

  @Test
  void filtersNarrowTheFactsAndZeroDenominatorsGiveNull() throws Exception {
    JsonNode campaign = api.get("/api/v1/kpis?from=2026-02-01&to=2026-03-04&campaign=1000").json().path("totals");
    assertThat(campaign.path("clicks").asLong()).isEqualTo(75);
    assertThat(decimal(campaign, "spend")).isEqualByComparingTo("40.50");
    assertThat(decimal(campaign, "ctr")).isEqualByComparingTo("0.05");
    assertThat(decimal(campaign, "cpa")).isEqualByComparingTo("4.05");

    JsonNode wholeMonth = api.get("/api/v1/kpis?from=2026-02-01&to=2026-03-04&company=20").json().path("totals");
    assertThat(wholeMonth.path("clicks").asLong()).isEqualTo(105);
    assertThat(wholeMonth.path("impressions").asLong()).isEqualTo(2100);

    JsonNode noImpressions = api.get("/api/v1/kpis?job=2").json().path("totals");
    assertThat(noImpressions.path("clicks").asLong()).isEqualTo(25);
    assertThat(noImpressions.path("ctr").isNull()).isTrue();
    assertThat(decimal(noImpressions, "cpc")).isEqualByComparingTo("0.5");

    JsonNode noConversions = api.get("/api/v1/kpis?from=2026-03-02&to=2026-03-02").json().path("totals");
    assertThat(noConversions.path("clicks").asLong()).isEqualTo(5);
    assertThat(noConversions.path("cpa").isNull()).isTrue();
    assertThat(noConversions.path("qualified_ratio").isNull()).isTrue();
    assertThat(decimal(noConversions, "conversion_rate")).isEqualByComparingTo("0");

    JsonNode twoPublishers = api.get("/api/v1/kpis?publisher=2,1&group=100").json().path("totals");
    assertThat(twoPublishers.path("clicks").asLong()).isEqualTo(75);
    JsonNode nothing = api.get("/api/v1/kpis?publisher=99").json().path("totals");
    assertThat(nothing.path("clicks").asLong()).isZero();
    assertThat(decimal(nothing, "spend")).isEqualByComparingTo("0");
  }

  @Test
  void factsPerHourAndPerDayWithGroupBy() throws Exception {
    JsonNode hourly = api.get("/api/v1/facts").json();
    assertThat(hourly.path("truncated").asBoolean()).isFalse();
    assertThat(rows(hourly, r -> r.path("date").asText() + " " + r.path("hour").asInt() + " " + r.path("clicks").asLong()))
        .containsExactly("2026-03-02 9 5", "2026-03-03 14 25", "2026-03-04 9 40", "2026-03-04 10 10");

    JsonNode daily = api.get("/api/v1/facts?bucket=day&group_by=campaign&from=2026-02-01").json();
    assertThat(rows(daily, r -> r.path("date").asText() + " c" + r.path("campaign").asLong() + " "
        + r.path("clicks").asLong() + " " + r.path("spend").decimalValue().stripTrailingZeros().toPlainString()))
        .containsExactly("2026-02-20 c2000 100 50", "2026-03-02 c2000 5 1", "2026-03-03 c1000 25 12.5",
            "2026-03-04 c1000 50 28");
    assertThat(daily.path("rows").get(0).has("hour")).isFalse();

    JsonNode cut = api.get("/api/v1/facts?limit=3").json();
    assertThat(cut.path("rows")).hasSize(3);
    assertThat(cut.path("truncated").asBoolean()).isTrue();
  }

  @Test
  void topListsAreRankedWithNames() throws Exception {
    JsonNode jobs = api.get("/api/v1/top/job").json();
    assertThat(rows(jobs, r -> r.path("id").asLong() + " " + r.path("name").asText() + " " + r.path("clicks").asLong()))
        .containsExactly("1 Data engineer 50", "2 Backend developer 25", "3 Nurse 5");

    JsonNode cheapest = api.get("/api/v1/top/job?sort=spend&order=asc&limit=2").json();
    assertThat(rows(cheapest, r -> r.path("id").asText())).containsExactly("3", "2");

    JsonNode byCtr = api.get("/api/v1/top/job?sort=ctr").json();
    // Job 2 had no impressions: its CTR is null and ranks last.
    assertThat(rows(byCtr, r -> r.path("id").asText())).containsExactly("1", "3", "2");

    JsonNode companies = api.get("/api/v1/top/company?from=2026-02-01").json();
    assertThat(rows(companies, r -> r.path("name").asText() + " " + r.path("clicks").asLong()))
        .containsExactly("Globex 105", "Acme 75");

    JsonNode publishers = api.get("/api/v1/top/publisher?sort=spend").json();
    assertThat(rows(publishers, r -> r.path("name").asText() + " " + r.path("spend").decimalValue().stripTrailingZeros()
        .toPlainString())).containsExactly("JobBoard 33.5", "Social 8");

    JsonNode campaigns = api.get("/api/v1/top/campaign").json();
    assertThat(rows(campaigns, r -> r.path("id").asLong() + " " + r.path("name").isNull()))
        .containsExactly("1000 true", "2000 true");
  }

  @Test
  void heatmapCellsByIsoWeekdayAndHour() throws Exception {
    JsonNode heat = api.get("/api/v1/heatmap").json();
    assertThat(rows(heat.path("cells"), c -> c.path("weekday").asInt() + "/" + c.path("hour").asInt() + "="
        + c.path("clicks").asLong()))
        .containsExactly("1/9=5", "2/14=25", "3/9=40", "3/10=10");
  }

  @Test
  void pipelineShowsTheLastCommittedBatch() throws Exception {
    new PipelineStatusTable(warehouse).record(new PipelineStatus("events-stream", Instant.parse("2026-03-04T09:00:00Z"),
        Instant.parse("2026-03-04T10:14:58Z"), 41, 42, 10_000, 9_800, 100, 50, 50, Map.of("malformed_json", 30L, "missing_field", 20L),
        4_000, 812, 7L, 1000.5, 2000.25, 900L, 2100L));
    JsonNode job = api.get("/api/v1/pipeline").json().path("jobs").get(0);
    assertThat(job.path("job").asText()).isEqualTo("events-stream");
    assertThat(job.path("last_batch_id").asLong()).isEqualTo(41);
    assertThat(job.path("seconds_since_last_batch").asDouble()).isEqualTo(2.0);
    assertThat(job.path("input_per_second").asDouble()).isEqualTo(1000.5);
    assertThat(job.path("processed_per_second").asDouble()).isEqualTo(2000.25);
    assertThat(job.path("lag_records").asLong()).isEqualTo(7);
    assertThat(job.path("dead_letters").asLong()).isEqualTo(50);
    assertThat(job.path("dead_letters_by_reason").path("malformed_json").asLong()).isEqualTo(30);
    assertThat(job.path("freshness_p99_millis").asLong()).isEqualTo(2100);
  }

  @Test
  void dimensionsAndMetaForTheDashboard() throws Exception {
    JsonNode companies = api.get("/api/v1/dimensions/company").json();
    assertThat(rows(companies, r -> r.path("id").asLong() + " " + r.path("name").asText())).containsExactly("10 Acme", "20 Globex");
    JsonNode groups = api.get("/api/v1/dimensions/group").json();
    assertThat(rows(groups, r -> r.path("id").asText())).containsExactly("100", "200");
    JsonNode meta = api.get("/api/v1/meta").json();
    assertThat(meta.path("today").asText()).isEqualTo("2026-03-04");
    assertThat(meta.path("current_hour").asInt()).isEqualTo(10);
    assertThat(meta.path("currency").asText()).isEqualTo("USD");
  }

  @Test
  void badParametersAreAnswered400WithTheParameterAndWhatItMustBe() throws Exception {
    assertBad("/api/v1/kpis?from=2026-13-01", "from", "from must be a date YYYY-MM-DD, got '2026-13-01'");
    assertBad("/api/v1/kpis?to=yesterday", "to", "to must be a date YYYY-MM-DD");
    assertBad("/api/v1/kpis?from=2026-03-05&to=2026-03-01", "from", "must not be after to");
    assertBad("/api/v1/kpis?from=2020-01-01&to=2026-03-01", "from", "at most 400 are allowed");
    assertBad("/api/v1/kpis?campaign=" + encode("1 OR 1=1"), "campaign",
        "campaign must be a comma-separated list of up to 100 ids (whole numbers), got '1 OR 1=1'");
    assertBad("/api/v1/kpis?company=" + encode("1); DROP TABLE events; --"), "company", "ids (whole numbers)");
    assertBad("/api/v1/kpis?publisher=-1", "publisher", "ids (whole numbers)");
    assertBad("/api/v1/kpis?job=" + String.join(",", java.util.Collections.nCopies(101, "1")), "job", "up to 100 ids");
    assertBad("/api/v1/kpis?campain=1", "campain", "unknown parameter 'campain' (allowed: from, to, job, campaign");
    assertBad("/api/v1/kpis?campaign=1&campaign=2", "campaign", "is given 2 times");
    assertBad("/api/v1/top/job?limit=100000", "limit", "limit must be a whole number from 1 to 100, got '100000'");
    assertBad("/api/v1/top/job?limit=0", "limit", "from 1 to 100");
    assertBad("/api/v1/top/job?sort=" + encode("clicks; DROP TABLE job"), "sort", "sort must be one of impressions, clicks");
    assertBad("/api/v1/top/job?order=sideways", "order", "order must be one of");
    assertBad("/api/v1/top/jobs", "dimension", "dimension must be one of job, campaign, publisher, company, group");
    assertBad("/api/v1/facts?limit=10001", "limit", "from 1 to 10000");
    assertBad("/api/v1/facts?bucket=minute", "bucket", "bucket must be one of");
    assertBad("/api/v1/facts?group_by=campaign,campaign", "group_by", "names campaign twice");
    assertBad("/api/v1/facts?group_by=" + encode("job_id) x"), "group_by", "group_by must be a comma-separated list of");
    assertBad("/api/v1/pipeline?verbose=1", "verbose", "this route takes none");
    assertBad("/api/v1/dimensions/company?limit=5000", "limit", "from 1 to 1000");
  }

  @Test
  void theCoarserTablesAnswerExactlyLikeEvents() throws Exception {
    Domain domain = DomainCatalog.load(List.of(), List.of()).domains().get(0);
    DashboardDefinition dashboard = domain.dashboard();
    try (ConnectionPool pool = new ConnectionPool(warehouse, 1)) {
      FactQueries rollups = new FactQueries(domain, pool, Duration.ofSeconds(10));
      FactQueries events = rollups.finestOnly();
      LocalDate from = LocalDate.parse("2026-02-01");
      LocalDate to = LocalDate.parse("2026-03-04");
      List<FactFilter> filters = List.of(FactFilter.dates(from, to),
          new FactFilter(from, to, Map.of("campaign", List.of(1000L))),
          new FactFilter(from, to, Map.of("publisher", List.of(1L))),
          new FactFilter(from, to, Map.of("company", List.of(20L), "group", List.of(200L))),
          new FactFilter(from, to, Map.of("job", List.of(1L, 3L))),
          new FactFilter(from, to, Map.of("campaign", List.of(1000L), "publisher", List.of(2L))));
      DashboardDimension campaign = dashboard.dimension("campaign").orElseThrow();
      DashboardDimension job = dashboard.dimension("job").orElseThrow();
      for (FactFilter f : filters) {
        assertThat(rollups.totals(f)).as("totals " + f).isEqualTo(events.totals(f));
        assertThat(rollups.series(f, true, List.of(), 100)).as("series " + f).isEqualTo(events.series(f, true, List.of(), 100));
        assertThat(rollups.series(f, false, List.of(campaign), 100))
            .isEqualTo(events.series(f, false, List.of(campaign), 100));
        assertThat(rollups.heatmap(f)).as("heatmap " + f).isEqualTo(events.heatmap(f));
        for (DashboardDimension d : dashboard.dimensions()) {
          for (DashboardDefinition.Measure m : dashboard.measures()) {
            assertThat(rollups.top(f, d, m, true, 10)).as("top " + d.name() + " by " + m.name() + " " + f)
                .isEqualTo(events.top(f, d, m, true, 10));
          }
        }
      }
      // The planner's choices: the first coarser table with the needed columns, events when none has them.
      assertThat(rollups.table(filters.get(0), false, List.of())).isEqualTo("dashboard_hour");
      assertThat(rollups.table(filters.get(1), false, List.of())).isEqualTo("dashboard_hour_campaign");
      assertThat(rollups.table(filters.get(1), true, List.of())).isEqualTo("dashboard_hour_campaign");
      assertThat(rollups.table(filters.get(0), false, List.of(job))).isEqualTo("dashboard_day_job");
      assertThat(rollups.table(filters.get(5), false, List.of())).isEqualTo("dashboard_day_publisher_context");
      assertThat(rollups.table(filters.get(1), false, List.of(dashboard.dimension("publisher").orElseThrow())))
          .as("top publishers of a campaign").isEqualTo("dashboard_day_publisher_context");
      assertThat(rollups.table(filters.get(2), false, List.of(job))).isEqualTo("dashboard_day_publisher_job");
      assertThat(rollups.table(filters.get(5), true, List.of())).isEqualTo("events");
    }
  }

  @Test
  void unknownRoutesAnd405() throws Exception {
    ApiClient.Reply missing = api.get("/api/v1/nothing");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("message").asText()).contains("no such route");
    assertThat(api.get("/nothing").status()).isEqualTo(404);
  }

  @Test
  void dashboardPageAndItsChartLibraryAreServedFromTheJar() throws Exception {
    ApiClient.Reply page = api.get("/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.response().body()).contains("assets/echarts.min.js", "data-kpi=\"clicks\"");
    ApiClient.Reply echarts = api.get("/assets/echarts.min.js");
    assertThat(echarts.status()).isEqualTo(200);
    assertThat(echarts.response().body()).contains("echarts");
    assertThat(api.get("/assets/dashboard.js").status()).isEqualTo(200);
    assertThat(api.get("/health").json().path("status").asText()).isEqualTo("up");
  }

  private static void assertBad(String path, String parameter, String message) throws Exception {
    ApiClient.Reply reply = api.get(path);
    assertThat(reply.status()).as(path).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("bad_parameter");
    assertThat(reply.json().path("parameter").asText()).as(path).isEqualTo(parameter);
    assertThat(reply.json().path("message").asText()).as(path).contains(message);
  }

  private static BigDecimal decimal(JsonNode node, String field) {
    return node.path(field).decimalValue();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static List<String> rows(JsonNode body, java.util.function.Function<JsonNode, String> describe) {
    JsonNode array = body.isArray() ? body : body.path("rows");
    List<String> out = new ArrayList<>();
    array.forEach(r -> out.add(describe.apply(r)));
    return out;
  }
}
