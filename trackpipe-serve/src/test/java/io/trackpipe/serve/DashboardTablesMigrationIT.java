package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.summary.DashboardTables;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * An installation from before the dashboard's tables were rollups: its facts are in events, with the summary_* tables
 * serve used to keep. Migrating drops those and fills the new tables from events once, so the dashboard shows what it
 * showed, and the stream carries on writing them.
 */
class DashboardTablesMigrationIT {

  @Test
  void migratingAnInstallationWithFactsFillsTheDashboardTablesFromEvents() throws Exception {
    Warehouse warehouse = TestWarehouse.createEmptyDatabase("upgrade");
    Flyway.configure().dataSource(warehouse.config().jdbcUrl(), warehouse.config().user(), warehouse.config().password())
        .locations("classpath:db/migration").target("6").load().migrate();
    TestWarehouse.insertKnownEvents(warehouse);
    try (Connection c = warehouse.connect(); Statement s = c.createStatement()) {
      // A job not (yet) in the job table: company NULL in events, 0 in the dashboard tables, as the stream writes it.
      s.execute("INSERT INTO events (job_id, dates, hours, publisher_id, campaign_id, group_id, impressions, clicks,"
          + " conversion, qualified_application, disqualified_application, spend_hour, company_id, sources,"
          + " latest_update_time) VALUES (99, '2026-03-03', 8, 2, 3000, 300, 7, 1, 0, 0, 0, 0.25, NULL, 'test',"
          + " '2026-03-04 10:00:00')");
      assertThat(tables(c, "summary_%")).isNotEmpty();
    }

    warehouse.migrate();

    Domain jobAds = DomainCatalog.load(List.of(), List.of()).domains().get(0);
    RollupDefinition finest = jobAds.rollups().rollup("events").orElseThrow();
    try (Connection c = warehouse.connect()) {
      assertThat(tables(c, "summary_%")).as("the old summaries are gone").isEmpty();
      for (String table : jobAds.dashboard().tables().subList(1, jobAds.dashboard().tables().size())) {
        RollupDefinition coarse = jobAds.rollups().rollup(table).orElseThrow();
        String columns = String.join(", ", DashboardTables.columns(finest, coarse));
        List<String> expected = rows(c, DashboardTables.sumsOfFinest(finest, coarse) + " ORDER BY " + columns);
        assertThat(expected).as(table).isNotEmpty();
        assertThat(rows(c, "SELECT " + columns + " FROM " + table + " ORDER BY " + columns)).as(table)
            .containsExactlyElementsOf(expected);
      }
      assertThat(rows(c, "SELECT company_id, clicks FROM dashboard_hour_company WHERE dates = '2026-03-03' ORDER BY 1"))
          .containsExactly("0|1", "10|25");
    }

    // The dashboard reads them and shows what it showed (ApiIT's numbers; job 99's day is in the range too).
    try (DashboardServer server = DashboardServer.start(ApiIT.config(AuthMode.NONE, null, null, null), warehouse,
        Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC))) {
      ApiClient api = new ApiClient(server.url());
      var totals = api.get("/api/v1/kpis?from=2026-03-04&to=2026-03-04").json().path("totals");
      assertThat(totals.path("clicks").asLong()).isEqualTo(50);
      assertThat(totals.path("spend").decimalValue()).isEqualByComparingTo("28.00");
      assertThat(api.get("/api/v1/kpis").json().path("totals").path("clicks").asLong()).isEqualTo(81);
    }
  }

  private static List<String> tables(Connection c, String like) throws Exception {
    return rows(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name"
        + " LIKE '" + like + "'");
  }

  private static List<String> rows(Connection c, String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          values.add(v instanceof java.math.BigDecimal d ? d.stripTrailingZeros().toPlainString() : String.valueOf(v));
        }
        rows.add(String.join("|", values));
      }
    }
    return rows;
  }
}
