package io.trackpipe.serve.query;

import io.trackpipe.warehouse.summary.SummaryTable;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.BooleanSupplier;

/**
 * The dashboard's and the API's questions to the {@code events} facts, as parameterized SQL. Column names and
 * expressions come only from the {@link Dimension} and {@link Measure} constants; every value from a request is a
 * bound parameter. Each query reads the smallest summary table that has the columns it needs (see
 * {@link SummaryTable}), or else a date range of {@code events} through its covering index {@code events_dashboard}
 * (migration V3). Thread-safe.
 */
public final class FactQueries {
  /** The sums every query returns, in {@link #totals(ResultSet)}'s order. */
  private static final String SUMS = "SUM(impressions) AS impressions, SUM(clicks) AS clicks,"
      + " SUM(conversion) AS conversions, SUM(qualified_application) AS qualified,"
      + " SUM(disqualified_application) AS unqualified, SUM(spend_hour) AS spend";
  private static final String EVENTS = " FROM events FORCE INDEX (events_dashboard)";

  private final ConnectionPool pool;
  private final int timeoutSeconds;
  private final long waitMillis;
  private final BooleanSupplier summariesReady;

  /** @param summariesReady whether the summary tables are built and kept current (else every query reads events) */
  public FactQueries(ConnectionPool pool, Duration timeout, BooleanSupplier summariesReady) {
    this.pool = pool;
    this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
    this.waitMillis = timeout.toMillis();
    this.summariesReady = summariesReady;
  }

  /**
   * The smallest table that can answer: a summary holding every column the query filters or groups by (with hours when
   * it needs hours), else {@code events} itself.
   */
  public String from(FactFilter filter, boolean needsHours, List<Dimension> groupedBy) {
    if (!summariesReady.getAsBoolean()) return EVENTS;
    Set<String> columns = new HashSet<>();
    for (Dimension d : Dimension.values()) {
      if (!filter.ids(d).isEmpty()) columns.add(d.column());
    }
    groupedBy.forEach(d -> columns.add(d.column()));
    for (SummaryTable t : SummaryTable.values()) {
      if ((t.hourly() || !needsHours) && t.covers(columns)) return " FROM " + t.table();
    }
    return EVENTS;
  }

  /** Sums and KPIs of the filtered facts. */
  public Totals totals(FactFilter filter) throws SQLException {
    Sql sql = new Sql("SELECT " + SUMS + from(filter, false, List.of())).where(filter);
    return query(sql, rs -> rs.next() ? totals(rs) : Totals.ZERO);
  }

  /**
   * Sums per hour (or per day), optionally per combination of {@code groupBy} dimensions, in time order.
   *
   * @param limit most rows returned; one more is read so the caller can tell the answer was cut
   */
  public List<Rows.SeriesPoint> series(FactFilter filter, boolean hourly, List<Dimension> groupBy, int limit)
      throws SQLException {
    StringJoiner keys = new StringJoiner(", ");
    keys.add("dates");
    if (hourly) keys.add("hours");
    groupBy.forEach(d -> keys.add(d.column()));
    Sql sql = new Sql("SELECT " + keys + ", " + SUMS + from(filter, hourly, groupBy)).where(filter)
        .append(" GROUP BY " + keys + " ORDER BY " + keys + " LIMIT ?").bind(limit + 1);
    return query(sql, rs -> {
      List<Rows.SeriesPoint> points = new ArrayList<>();
      while (rs.next()) {
        Map<Dimension, Long> ids = new EnumMap<>(Dimension.class);
        for (Dimension d : groupBy) {
          long id = rs.getLong(d.column());
          // company_id is NULL while a job is unknown: shown as id 0.
          ids.put(d, rs.wasNull() ? 0L : id);
        }
        points.add(new Rows.SeriesPoint(rs.getDate("dates").toLocalDate(), hourly ? rs.getInt("hours") : null, ids,
            totals(rs)));
      }
      return points;
    });
  }

  /** The {@code limit} ids of {@code dimension} ranked by {@code sort}, with display names where there are any. */
  public List<Rows.TopEntry> top(FactFilter filter, Dimension dimension, Measure sort, boolean descending, int limit)
      throws SQLException {
    String direction = descending ? "DESC" : "ASC";
    String column = dimension.column();
    // NULL ratios (zero denominators) last in either direction; ties by id, so pages are stable.
    Sql sql = new Sql("SELECT " + column + " AS id, " + SUMS + from(filter, false, List.of(dimension))).where(filter)
        .append(" GROUP BY " + column + " ORDER BY (" + sort.sql() + ") IS NULL, " + sort.sql() + " " + direction
            + ", " + column + " LIMIT ?").bind(limit);
    List<Rows.TopEntry> ranked = query(sql, rs -> {
      List<Rows.TopEntry> rows = new ArrayList<>();
      while (rs.next()) {
        long id = rs.getLong("id");
        rows.add(new Rows.TopEntry(rs.wasNull() ? 0 : id, null, totals(rs)));
      }
      return rows;
    });
    if (dimension.nameTable() == null || ranked.isEmpty()) return ranked;
    Map<Long, String> names = names(dimension, ranked.stream().map(Rows.TopEntry::id).toList());
    return ranked.stream().map(e -> new Rows.TopEntry(e.id(), names.get(e.id()), e.totals())).toList();
  }

  /** Sums per ISO weekday (1 = Monday) and hour of day: 168 cells at most. */
  public List<Rows.HeatCell> heatmap(FactFilter filter) throws SQLException {
    Sql sql = new Sql("SELECT WEEKDAY(dates) + 1 AS weekday, hours, " + SUMS + from(filter, true, List.of())).where(filter)
        .append(" GROUP BY weekday, hours ORDER BY weekday, hours");
    return query(sql, rs -> {
      List<Rows.HeatCell> cells = new ArrayList<>();
      while (rs.next()) cells.add(new Rows.HeatCell(rs.getInt("weekday"), rs.getInt("hours"), totals(rs)));
      return cells;
    });
  }

  /** The values filters can take for {@code dimension}, from the dimension tables (at most {@code limit}). */
  public List<Rows.Choice> choices(Dimension dimension, int limit) throws SQLException {
    Sql sql = switch (dimension) {
      case JOB -> new Sql("SELECT id, title AS name FROM job ORDER BY id LIMIT ?");
      case CAMPAIGN -> new Sql("SELECT DISTINCT campaign_id AS id, NULL AS name FROM job ORDER BY id LIMIT ?");
      case GROUP -> new Sql("SELECT DISTINCT group_id AS id, NULL AS name FROM job ORDER BY id LIMIT ?");
      case PUBLISHER -> new Sql("SELECT id, name FROM master_publisher ORDER BY id LIMIT ?");
      case COMPANY -> new Sql("SELECT id, name FROM company ORDER BY id LIMIT ?");
    };
    sql.bind(limit);
    return query(sql, rs -> {
      List<Rows.Choice> choices = new ArrayList<>();
      while (rs.next()) choices.add(new Rows.Choice(rs.getLong("id"), rs.getString("name")));
      return choices;
    });
  }

  /** Runs {@code work} on a pooled connection, for reads other than facts (the pipeline status). */
  public <T> T withConnection(ConnectionPool.Work<T> work) throws SQLException {
    return pool.withConnection(waitMillis, work);
  }

  private Map<Long, String> names(Dimension dimension, List<Long> ids) throws SQLException {
    Sql sql = new Sql("SELECT id, " + dimension.nameColumn() + " AS name FROM " + dimension.nameTable() + " WHERE id IN ("
        + placeholders(ids.size()) + ")");
    ids.forEach(sql::bind);
    return query(sql, rs -> {
      Map<Long, String> names = new HashMap<>();
      while (rs.next()) names.put(rs.getLong("id"), rs.getString("name"));
      return names;
    });
  }

  private interface Reader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> T query(Sql sql, Reader<T> reader) throws SQLException {
    return pool.withConnection(waitMillis, c -> {
      try (PreparedStatement st = c.prepareStatement(sql.text.toString())) {
        st.setQueryTimeout(timeoutSeconds);
        for (int i = 0; i < sql.params.size(); i++) st.setObject(i + 1, sql.params.get(i));
        try (ResultSet rs = st.executeQuery()) {
          return reader.read(rs);
        }
      }
    });
  }

  private static Totals totals(ResultSet rs) throws SQLException {
    BigDecimal spend = rs.getBigDecimal("spend");
    return new Totals(rs.getLong("impressions"), rs.getLong("clicks"), rs.getLong("conversions"),
        rs.getLong("qualified"), rs.getLong("unqualified"), spend == null ? BigDecimal.ZERO : spend);
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  /** SQL text with its bound values, in order. */
  private static final class Sql {
    final StringBuilder text;
    final List<Object> params = new ArrayList<>();

    Sql(String start) {
      text = new StringBuilder(start);
    }

    Sql append(String more) {
      text.append(more);
      return this;
    }

    Sql bind(Object value) {
      params.add(value);
      return this;
    }

    Sql where(FactFilter filter) {
      text.append(" WHERE dates BETWEEN ? AND ?");
      bind(Date.valueOf(filter.from()));
      bind(Date.valueOf(filter.to()));
      for (Dimension d : Dimension.values()) {
        List<Long> ids = filter.ids(d);
        if (ids.isEmpty()) continue;
        text.append(" AND ").append(d.column()).append(" IN (").append(placeholders(ids.size())).append(")");
        ids.forEach(this::bind);
      }
      return this;
    }
  }
}
