package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The warehouse's rows as the tests compare them, read over any connection (a fixture's, or a whole demo's). */
public final class WarehouseRows {
  private WarehouseRows() {}

  /** Each row of a query as one line of its values; numbers without trailing zeros, so that 5 = 5.000000. */
  public static List<String> query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          Object value = rs.getObject(i);
          if (value instanceof Number n) value = new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
          row.append(i > 1 ? "|" : "").append(value);
        }
        rows.add(row.toString());
      }
      return rows;
    }
  }

  /** The {@code events} table keyed by {@code job|date|hour|publisher|campaign|group}, as {@link Recount} keys it. */
  public static Map<String, FactRow> facts(Connection c) throws SQLException {
    Map<String, FactRow> facts = new TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT job_id, dates, hours, publisher_id, campaign_id, group_id, clicks, conversion,"
            + " qualified_application, disqualified_application, spend_hour, bid_set, company_id, impressions FROM events")) {
      while (rs.next()) {
        String key = FactRow.key(rs.getLong(1), rs.getDate(2).toLocalDate(), rs.getInt(3), rs.getLong(4), rs.getLong(5),
            rs.getLong(6));
        Long company = rs.getObject(13) == null ? null : rs.getLong(13);
        facts.put(key, new FactRow(rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
            rs.getBigDecimal(11).stripTrailingZeros(), rs.getBigDecimal(12) == null ? null : rs.getBigDecimal(12).stripTrailingZeros(),
            company, rs.getLong(14)));
      }
    }
    return facts;
  }

  /** Events counted in the facts (or a recount): every measure that counts one event per row of input. */
  public static long countedTotal(Map<String, FactRow> facts) {
    return facts.values().stream()
        .mapToLong(r -> r.clicks() + r.conversion() + r.qualified() + r.unqualified() + r.impressions()).sum();
  }

  /**
   * The KPI rollups commit in the same transactions as {@code events}: each must equal the same sums taken from it.
   *
   * @param context what happened before, for the failure message (the kills)
   */
  public static void assertKpiTablesMatchEvents(Connection c, Object context) throws SQLException {
    String sums = "SUM(impressions), SUM(clicks), SUM(conversion), SUM(qualified_application), SUM(disqualified_application),"
        + " SUM(spend_hour)";
    String kpis = "impressions, clicks, conversions, qualified, unqualified, spend";
    for (String[] rollup : List.of(
        new String[] {"campaign_daily", "campaign_id, dates", "campaign_id, dates", "events"},
        new String[] {"publisher_daily", "publisher_id, dates", "publisher_id, dates", "events"},
        new String[] {"company_daily", "company_id, dates", "COALESCE(company_id, 0), dates", "events"},
        new String[] {"industry_daily", "industry, dates", "COALESCE(job.industry, 'unknown'), dates",
            "events LEFT JOIN job ON job.id = events.job_id"})) {
      assertThat(query(c, "SELECT " + rollup[1] + ", " + kpis + " FROM " + rollup[0] + " ORDER BY " + rollup[1]))
          .as("%s after %s", rollup[0], context)
          .isEqualTo(query(c, "SELECT " + rollup[2] + ", " + sums + " FROM " + rollup[3] + " GROUP BY " + rollup[2]
              + " ORDER BY " + rollup[2]))
          .isNotEmpty();
    }
    assertThat(query(c, "SELECT dates, hours, impressions, clicks, applies FROM traffic_hourly ORDER BY dates, hours"))
        .as("traffic_hourly after %s", context)
        .isEqualTo(query(c, "SELECT dates, hours, SUM(impressions), SUM(clicks), SUM(conversion) FROM events"
            + " GROUP BY dates, hours ORDER BY dates, hours"));
  }
}
