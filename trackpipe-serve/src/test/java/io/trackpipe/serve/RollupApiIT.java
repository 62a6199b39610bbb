package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.rollup.RollupTables;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The declared rollups' tables and views through the API: the KPI tables the stream fills, read as they are. */
class RollupApiIT {
  private static Warehouse warehouse;
  private static DashboardServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    warehouse = TestWarehouse.createDatabase("rollupapi");
    RollupCatalog catalog = RollupCatalog.load(List.of());
    RollupDefinition campaigns = catalog.rollup("campaign_daily").orElseThrow();
    try (Connection c = warehouse.connect(); Statement s = c.createStatement()) {
      // The columns the streaming job creates for campaign_daily (trackpipe stream makes the table from the definition).
      s.execute("CREATE TABLE campaign_daily (campaign_id BIGINT NOT NULL, dates DATE NOT NULL,"
          + " impressions BIGINT NOT NULL, clicks BIGINT NOT NULL, conversions BIGINT NOT NULL, qualified BIGINT NOT NULL,"
          + " unqualified BIGINT NOT NULL, screened BIGINT NOT NULL, spend DECIMAL(30,6) NOT NULL, ctr DECIMAL(20,6),"
          + " cpc DECIMAL(20,6), cpa DECIMAL(20,6), conversion_rate DECIMAL(20,6), qualified_rate DECIMAL(20,6),"
          + " sources VARCHAR(32) NOT NULL, latest_update_time DATETIME(3) NOT NULL, PRIMARY KEY (campaign_id, dates))");
      s.execute("INSERT INTO campaign_daily VALUES"
          + " (3, '2026-03-01', 1, 1, 0, 0, 0, 0, 0.5, 1, 0.5, NULL, 0, NULL, 'kafka', '2026-03-04 10:00:00'),"
          + " (3, '2026-03-02', 99, 1, 1, 1, 2, 3, 1.5, 0.010101, 1.5, 1.5, 1, 0.333333, 'kafka', '2026-03-04 10:00:00'),"
          + " (3, '2026-01-15', 10, 5, 0, 0, 0, 0, 2.5, 0.5, 0.5, NULL, 0, NULL, 'kafka', '2026-03-04 10:00:00'),"
          + " (5, '2026-03-01', 0, 0, 1, 0, 0, 0, 0, NULL, NULL, 0, NULL, NULL, 'kafka', '2026-03-04 10:00:00')");
      s.execute(RollupTables.viewSql(campaigns, campaigns.views().get(0)));
    }
    server = DashboardServer.start(ApiIT.config(AuthMode.NONE, null, null, null), DomainCatalog.load(List.of(), List.of()), warehouse,
        Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC));
    api = new ApiClient(server.url());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void listsEveryDeclaredTableAndView() throws Exception {
    ApiClient.Reply reply = api.get("/api/v1/rollups");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().path("tables").findValuesAsText("name")).contains("events", "campaign_daily", "campaign_totals",
        "industry_daily", "traffic_by_day_of_week");
  }

  @Test
  void aDomainTheStreamNeverRanSaysItsTablesDoNotExistYetInsteadOfAWarehouseFailure() throws Exception {
    // The built-in shop is loaded (serve shows every domain) but nothing created its tables in this database.
    for (String path : List.of("/api/v1/rollups/product_daily", "/api/v1/domains/ecommerce/kpis?from=2026-03-01&to=2026-03-04")) {
      ApiClient.Reply reply = api.get(path);
      assertThat(reply.status()).as(path).isEqualTo(404);
      assertThat(reply.json().path("error").asText()).isEqualTo("no_tables_yet");
      assertThat(reply.json().path("message").asText()).contains("stream.domains").doesNotContain("jdbc:");
    }
  }

  @Test
  void readsADailyTableForTheRange() throws Exception {
    ApiClient.Reply reply = api.get("/api/v1/rollups/campaign_daily?from=2026-03-01&to=2026-03-04");
    assertThat(reply.status()).isEqualTo(200);
    JsonNode rows = reply.json().path("rows");
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).path("campaign_id").asLong()).isEqualTo(3);
    assertThat(rows.get(0).path("dates").asText()).isEqualTo("2026-03-01");
    assertThat(rows.get(1).path("ctr").decimalValue()).isEqualByComparingTo("0.010101");
    assertThat(rows.get(2).path("ctr").isNull()).as("no impressions: no CTR").isTrue();
    assertThat(reply.json().path("truncated").asBoolean()).isFalse();
  }

  @Test
  void readsAllTimeTotalsAsRatiosOfSums() throws Exception {
    JsonNode rows = api.get("/api/v1/rollups/campaign_totals").json().path("rows");
    JsonNode campaign3 = rows.get(0);
    assertThat(campaign3.path("impressions").asLong()).isEqualTo(110);
    assertThat(campaign3.path("clicks").asLong()).isEqualTo(7);
    assertThat(campaign3.path("ctr").decimalValue()).as("7 / 110, not the average of 1, 0.0101 and 0.5")
        .isEqualByComparingTo("0.063636");
    assertThat(campaign3.path("cpc").decimalValue()).isEqualByComparingTo("0.642857");
  }

  @Test
  void refusesAnUnknownTableAndBadParameters() throws Exception {
    ApiClient.Reply unknown = api.get("/api/v1/rollups/users%3B%20DROP%20TABLE%20events");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().path("message").asText()).contains("no rollup table or view");
    assertThat(api.get("/api/v1/rollups/campaign_daily?limit=0").status()).isEqualTo(400);
    assertThat(api.get("/api/v1/rollups/campaign_daily?colour=red").status()).isEqualTo(400);
    assertThat(api.get("/api/v1/rollups/campaign_daily?limit=2&from=2026-01-01").json().path("truncated").asBoolean()).isTrue();
  }
}
