package io.trackpipe.serve.query;

import io.trackpipe.domain.DashboardDefinition;
import io.trackpipe.domain.DashboardDefinition.DashboardDimension;
import io.trackpipe.domain.DashboardDefinition.Format;
import io.trackpipe.domain.DashboardDefinition.Measure;
import io.trackpipe.domain.Domain;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TimeGrain;
import io.trackpipe.warehouse.SqlNames;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A domain's dashboard and API questions, as parameterized SQL generated from its {@link DashboardDefinition}: a
 * measure is {@code SUM(column)}, a ratio of such sums, or a distinct count, answered by a second query of the same
 * shape over the distinct metric's side table ({@code COUNT(DISTINCT distinct_value)} over the filtered rows, grouped
 * as the question is), so it is exact for any range and filter; a question reads the first of the dashboard's tables after
 * the finest (listed smallest first) that has every column it filters and groups by (and hours when it needs hours),
 * else the finest. Table and column names come only from the validated definition, quoted; every value from a request
 * is a bound parameter. Thread-safe.
 */
public final class FactQueries {
  private static final int SCALE = 6;

  private final Domain domain;
  private final DashboardDefinition dashboard;
  private final ConnectionPool pool;
  private final int timeoutSeconds;
  private final long waitMillis;
  private final List<Table> tables;
  private final String dateColumn;
  private final String hourColumn;
  private final List<Measure> sums;
  private final String sumsSql;
  private final List<Measure> distincts;

  /** A table of the dashboard with the columns a question can filter or group by. */
  private record Table(String name, Set<String> columns, boolean hourly) {}

  /**
   * @throws IllegalArgumentException when the domain has no dashboard, or its tables name their day or hour
   *     dimensions differently from the finest
   */
  public FactQueries(Domain domain, ConnectionPool pool, Duration timeout) {
    this.domain = domain;
    this.dashboard = domain.dashboard();
    if (dashboard == null) throw new IllegalArgumentException("domain " + domain.name() + " has no dashboard");
    this.pool = pool;
    this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
    this.waitMillis = timeout.toMillis();
    List<Table> found = new ArrayList<>();
    String day = null;
    String hour = null;
    for (String name : dashboard.tables()) {
      RollupDefinition rollup = domain.rollups().rollups().stream().filter(r -> r.table().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("dashboard table " + name + " is not a rollup of " + domain.name()));
      Set<String> columns = new HashSet<>(rollup.attributes());
      String tableDay = null;
      String tableHour = null;
      for (var d : rollup.dimensions()) {
        columns.add(d.name());
        if (d.time() == TimeGrain.DAY) tableDay = d.name();
        if (d.time() == TimeGrain.HOUR_OF_DAY) tableHour = d.name();
      }
      if (day == null) {
        day = tableDay;
        hour = tableHour;
      } else if (!day.equals(tableDay) || (tableHour != null && !tableHour.equals(hour))) {
        throw new IllegalArgumentException("dashboard table " + name + " of " + domain.name() + " names its day or hour"
            + " dimension differently from " + dashboard.tables().get(0));
      }
      found.add(new Table(name, columns, tableHour != null));
    }
    this.tables = List.copyOf(found);
    this.dateColumn = day;
    this.hourColumn = hour;
    this.sums = dashboard.measures().stream().filter(m -> m.sum() != null).toList();
    StringJoiner select = new StringJoiner(", ");
    for (int i = 0; i < sums.size(); i++) select.add("SUM(" + SqlNames.quote(sums.get(i).sum()) + ") AS m" + i);
    // A dashboard of distinct counts only still selects a column, so every statement stays well-formed.
    this.sumsSql = sums.isEmpty() ? "0 AS no_sums" : select.toString();
    this.distincts = dashboard.measures().stream().filter(Measure::isDistinct).toList();
  }

  public Domain domain() {
    return domain;
  }

  /** The same questions, every one read from the finest table: to check the coarser tables against it. */
  public FactQueries finestOnly() {
    return new FactQueries(this, List.of(tables.get(0)));
  }

  private FactQueries(FactQueries of, List<Table> tables) {
    this.domain = of.domain;
    this.dashboard = of.dashboard;
    this.pool = of.pool;
    this.timeoutSeconds = of.timeoutSeconds;
    this.waitMillis = of.waitMillis;
    this.tables = tables;
    this.dateColumn = of.dateColumn;
    this.hourColumn = of.hourColumn;
    this.sums = of.sums;
    this.sumsSql = of.sumsSql;
    this.distincts = of.distincts;
  }

  /**
   * The table a question reads: the first after the finest that holds every column it filters and groups by (and
   * hours when it needs hours), else the finest.
   */
  public String table(FactFilter filter, boolean needsHours, List<DashboardDimension> groupedBy) {
    Set<String> columns = new HashSet<>();
    for (DashboardDimension d : dashboard.dimensions()) {
      if (!filter.values(d.name()).isEmpty()) columns.add(d.column());
    }
    groupedBy.forEach(d -> columns.add(d.column()));
    for (Table t : tables.subList(1, tables.size())) {
      if ((t.hourly() || !needsHours) && t.columns().containsAll(columns)) return t.name();
    }
    return tables.get(0).name();
  }

  /** The measures of the filtered facts. */
  public Totals totals(FactFilter filter) throws SQLException {
    String table = table(filter, false, List.of());
    Map<List<Object>, Map<String, Long>> counted = distinct(table, filter, List.of(), null, null);
    Sql sql = new Sql("SELECT " + sumsSql + " FROM " + q(table)).where(filter);
    return query(sql, rs -> {
      rs.next();
      return totals(rs, counted.getOrDefault(List.of(), Map.of()));
    });
  }

  /**
   * Measures per hour (or per day), optionally per combination of {@code groupBy} dimensions, in time order.
   *
   * @param limit most rows returned; one more is read so the caller can tell the answer was cut
   */
  public List<Rows.SeriesPoint> series(FactFilter filter, boolean hourly, List<DashboardDimension> groupBy, int limit)
      throws SQLException {
    StringJoiner keys = new StringJoiner(", ");
    keys.add(q(dateColumn));
    if (hourly) keys.add(q(hourColumn));
    groupBy.forEach(d -> keys.add(q(d.column())));
    List<String> keyList = new ArrayList<>(List.of(q(dateColumn)));
    if (hourly) keyList.add(q(hourColumn));
    groupBy.forEach(d -> keyList.add(q(d.column())));
    String table = table(filter, hourly, groupBy);
    Map<List<Object>, Map<String, Long>> counted = distinct(table, filter, keyList, null, null);
    Sql sql = new Sql("SELECT " + keys + ", " + sumsSql + " FROM " + q(table)).where(filter)
        .append(" GROUP BY " + keys + " ORDER BY " + keys + " LIMIT ?").bind(limit + 1);
    return query(sql, rs -> {
      List<Rows.SeriesPoint> points = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (DashboardDimension d : groupBy) values.put(d.name(), value(rs, d.column(), d));
        points.add(new Rows.SeriesPoint(rs.getDate(dateColumn).toLocalDate(), hourly ? rs.getInt(hourColumn) : null, values,
            totals(rs, counted.getOrDefault(key(rs, keyList.size()), Map.of()))));
      }
      return points;
    });
  }

  /**
   * The {@code limit} values of {@code dimension} (ids or texts) ranked by {@code sort}, with display names where there
   * are any.
   */
  public List<Rows.TopEntry> top(FactFilter filter, DashboardDimension dimension, Measure sort, boolean descending,
      int limit) throws SQLException {
    String direction = descending ? "DESC" : "ASC";
    String column = q(dimension.column());
    String table = table(filter, false, List.of(dimension));
    List<Rows.TopEntry> ranked;
    if (sort.isDistinct()) {
      // Ranked by the distinct count, from the side table; then the sums of those values only.
      List<Object> order = distinctRanking(table, filter, dimension, sort, direction, limit);
      Map<List<Object>, Map<String, Long>> counted = distinct(table, filter, List.of(column), dimension, order);
      Sql sql = new Sql("SELECT " + column + " AS id, " + sumsSql + " FROM " + q(table)).where(filter);
      restrict(sql, column, order);
      Map<Object, Rows.TopEntry> byId = new HashMap<>();
      query(sql.append(" GROUP BY " + column), rs -> {
        while (rs.next()) {
          byId.put(rs.getObject("id"), new Rows.TopEntry(value(rs, "id", dimension), null,
              totals(rs, counted.getOrDefault(key(rs, 1), Map.of()))));
        }
        return null;
      });
      ranked = order.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
    } else {
      String order = sql(sort);
      // NULL ratios (zero denominators) last in either direction; ties by id, so pages are stable.
      Sql sql = new Sql("SELECT " + column + " AS id, " + sumsSql + " FROM " + q(table)).where(filter)
          .append(" GROUP BY " + column + " ORDER BY (" + order + ") IS NULL, " + order + " " + direction + ", " + column
              + " LIMIT ?").bind(limit);
      List<Object[]> rows = query(sql, rs -> {
        List<Object[]> read = new ArrayList<>();
        while (rs.next()) read.add(new Object[] {rs.getObject("id"), value(rs, "id", dimension), sums(rs)});
        return read;
      });
      Map<List<Object>, Map<String, Long>> counted = rows.isEmpty() ? Map.of()
          : distinct(table, filter, List.of(column), dimension, rows.stream().map(r -> r[0]).toList());
      ranked = new ArrayList<>();
      for (Object[] r : rows) {
        @SuppressWarnings("unchecked")
        Map<String, BigDecimal> exact = (Map<String, BigDecimal>) r[2];
        ranked.add(new Rows.TopEntry(r[1], null, totals(exact, counted.getOrDefault(java.util.Collections.singletonList(
            normalized(r[0])), Map.of()))));
      }
    }
    if (dimension.names() == null || ranked.isEmpty()) return ranked;
    Map<Object, String> names = names(dimension, ranked.stream().map(Rows.TopEntry::id).toList());
    return ranked.stream().map(e -> new Rows.TopEntry(e.id(), names.get(e.id()), e.totals())).toList();
  }

  /** Measures per ISO weekday (1 = Monday) and hour of day: 168 cells at most. */
  public List<Rows.HeatCell> heatmap(FactFilter filter) throws SQLException {
    String table = table(filter, true, List.of());
    List<String> cellKeys = List.of("WEEKDAY(" + q(dateColumn) + ") + 1", q(hourColumn));
    Map<List<Object>, Map<String, Long>> counted = distinct(table, filter, cellKeys, null, null);
    Sql sql = new Sql("SELECT " + cellKeys.get(0) + " AS weekday, " + cellKeys.get(1) + " AS hour_of_day, "
        + sumsSql + " FROM " + q(table)).where(filter)
        .append(" GROUP BY weekday, hour_of_day ORDER BY weekday, hour_of_day");
    return query(sql, rs -> {
      List<Rows.HeatCell> cells = new ArrayList<>();
      while (rs.next()) {
        cells.add(new Rows.HeatCell(rs.getInt("weekday"), rs.getInt("hour_of_day"),
            totals(rs, counted.getOrDefault(key(rs, 2), Map.of()))));
      }
      return cells;
    });
  }

  /**
   * The values filters can take for {@code dimension} (at most {@code limit}): an enum's values, the rows of its name
   * table, else the distinct values in the smallest dashboard table that has it.
   */
  public List<Rows.Choice> choices(DashboardDimension dimension, int limit) throws SQLException {
    if (dimension.isEnum()) {
      return dimension.values().stream().limit(limit).map(v -> new Rows.Choice(v, null)).toList();
    }
    Sql sql;
    if (dimension.names() != null) {
      DashboardDefinition.NameTable n = dimension.names();
      sql = new Sql("SELECT " + q(n.key()) + " AS id, " + q(n.column()) + " AS name FROM " + q(n.table())
          + " ORDER BY id LIMIT ?");
    } else {
      String table = table(FactFilter.dates(java.time.LocalDate.MIN, java.time.LocalDate.MIN), false, List.of(dimension));
      sql = new Sql("SELECT DISTINCT " + q(dimension.column()) + " AS id, NULL AS name FROM " + q(table)
          + " WHERE " + q(dimension.column()) + " IS NOT NULL ORDER BY id LIMIT ?");
    }
    sql.bind(limit);
    return query(sql, rs -> {
      List<Rows.Choice> choices = new ArrayList<>();
      while (rs.next()) choices.add(new Rows.Choice(value(rs, "id", dimension), rs.getString("name")));
      return choices;
    });
  }

  /** Runs {@code work} on a pooled connection, for reads other than facts (the pipeline status). */
  public <T> T withConnection(ConnectionPool.Work<T> work) throws SQLException {
    return pool.withConnection(waitMillis, work);
  }

  /**
   * Each distinct measure's count over the filtered rows of {@code table}'s side tables, per group of {@code keys} (SQL
   * expressions over key columns; the key of a group is {@link #key} of the values in that order), optionally only
   * for the groups whose {@code column} is one of {@code only}. Empty when the dashboard has no distinct measure.
   */
  private Map<List<Object>, Map<String, Long>> distinct(String table, FactFilter filter, List<String> keys,
      DashboardDimension restrictTo, List<Object> only) throws SQLException {
    Map<List<Object>, Map<String, Long>> counts = new HashMap<>();
    for (Measure m : distincts) {
      StringJoiner select = new StringJoiner(", ");
      for (int i = 0; i < keys.size(); i++) select.add(keys.get(i) + " AS k" + i);
      select.add("COUNT(DISTINCT " + q(RollupDefinition.DISTINCT_VALUE) + ") AS n");
      Sql sql = new Sql("SELECT " + select + " FROM " + q(sideTable(table, m))).where(filter);
      if (restrictTo != null) restrict(sql, q(restrictTo.column()), only);
      if (!keys.isEmpty()) {
        StringJoiner groups = new StringJoiner(", ");
        for (int i = 0; i < keys.size(); i++) groups.add("k" + i);
        sql.append(" GROUP BY " + groups);
      }
      query(sql, rs -> {
        while (rs.next()) counts.computeIfAbsent(key(rs, keys.size()), k -> new HashMap<>()).put(m.name(), rs.getLong("n"));
        return null;
      });
    }
    return counts;
  }

  /** The {@code limit} values of {@code dimension} with the most (or fewest) distinct values of {@code sort}. */
  private List<Object> distinctRanking(String table, FactFilter filter, DashboardDimension dimension, Measure sort,
      String direction, int limit) throws SQLException {
    String column = q(dimension.column());
    Sql sql = new Sql("SELECT " + column + " AS id, COUNT(DISTINCT " + q(RollupDefinition.DISTINCT_VALUE) + ") AS n FROM "
        + q(sideTable(table, sort))).where(filter)
        .append(" GROUP BY " + column + " ORDER BY n " + direction + ", " + column + " LIMIT ?").bind(limit);
    return query(sql, rs -> {
      List<Object> ids = new ArrayList<>();
      while (rs.next()) ids.add(rs.getObject("id"));
      return ids;
    });
  }

  /** {@code AND column IN (values)}; no row at all when {@code values} is empty. */
  private static void restrict(Sql sql, String column, List<Object> values) {
    if (values.isEmpty()) {
      sql.append(" AND 1 = 0");
      return;
    }
    sql.append(" AND " + column + " IN (" + placeholders(values.size()) + ")");
    values.forEach(sql::bind);
  }

  /** The side table of a distinct measure's metric in a dashboard table. */
  private String sideTable(String table, Measure m) {
    RollupDefinition rollup = domain.rollups().rollups().stream().filter(r -> r.table().equals(table)).findFirst().orElseThrow();
    return rollup.distinctTable(rollup.metric(m.distinct()).orElseThrow());
  }

  /** The first {@code n} columns of the row as a group's key, with numbers and dates in one form whatever their type. */
  private static List<Object> key(ResultSet rs, int n) throws SQLException {
    List<Object> key = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) key.add(normalized(rs.getObject(i)));
    return key;
  }

  private static Object normalized(Object value) {
    if (value instanceof Date d) return d.toLocalDate();
    if (value instanceof java.time.LocalDate d) return d;
    if (value instanceof Number n) return n.longValue();
    return value;
  }

  /** A measure as an SQL aggregate over the table: a sum, or a ratio of sums (NULL for a zero denominator). */
  private String sql(Measure m) {
    if (!m.ratio()) return "SUM(" + q(m.sum()) + ")";
    StringJoiner denominator = new StringJoiner(" + ");
    m.denominator().forEach(d -> denominator.add(sql(measure(d))));
    return "(" + sql(measure(m.numerator())) + ") / NULLIF(" + denominator + ", 0)";
  }

  private Measure measure(String name) {
    return dashboard.measure(name).orElseThrow();
  }

  /** A dimension's value: a {@code Long} id, NULL (a job not yet in the job table, say) shown as 0; or its text. */
  private static Object value(ResultSet rs, String column, DashboardDimension dimension) throws SQLException {
    if (dimension.kind() == DashboardDefinition.Kind.TEXT) return rs.getString(column);
    long id = rs.getLong(column);
    return rs.wasNull() ? 0L : id;
  }

  private Totals totals(ResultSet rs, Map<String, Long> distinctCounts) throws SQLException {
    return totals(sums(rs), distinctCounts);
  }

  /** The row's sums by measure name, NULL as 0. */
  private Map<String, BigDecimal> sums(ResultSet rs) throws SQLException {
    Map<String, BigDecimal> exact = new HashMap<>();
    for (int i = 0; i < sums.size(); i++) {
      Measure m = sums.get(i);
      BigDecimal sum = rs.getBigDecimal("m" + i);
      if (sum == null) sum = BigDecimal.ZERO;
      exact.put(m.name(), sum);
    }
    return exact;
  }

  /** Every measure: the sums, the distinct counts (0 for a group without values), the ratios of the sums. */
  private Totals totals(Map<String, BigDecimal> exact, Map<String, Long> distinctCounts) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Measure m : dashboard.measures()) {
      if (m.isDistinct()) {
        values.put(m.name(), distinctCounts.getOrDefault(m.name(), 0L));
      } else if (!m.ratio()) {
        BigDecimal sum = exact.get(m.name());
        // A count is a whole number; other sums keep 6 decimals, as money does.
        values.put(m.name(), m.format() == Format.COUNT ? (Object) sum.longValue() : sum.setScale(SCALE, RoundingMode.HALF_UP));
      } else {
        BigDecimal numerator = value(m.numerator(), exact);
        BigDecimal denominator = BigDecimal.ZERO;
        for (String d : m.denominator()) denominator = denominator.add(value(d, exact));
        values.put(m.name(), denominator.signum() == 0 ? null : numerator.divide(denominator, SCALE, RoundingMode.HALF_UP));
      }
    }
    return new Totals(values);
  }

  /** A measure's exact value for a ratio: a sum at money scale (as shown), or a ratio of those. */
  private BigDecimal value(String name, Map<String, BigDecimal> exact) {
    Measure m = measure(name);
    if (!m.ratio()) {
      BigDecimal sum = exact.get(name);
      return m.format() == Format.COUNT ? sum : sum.setScale(SCALE, RoundingMode.HALF_UP);
    }
    BigDecimal denominator = BigDecimal.ZERO;
    for (String d : m.denominator()) denominator = denominator.add(value(d, exact));
    return denominator.signum() == 0 ? BigDecimal.ZERO : value(m.numerator(), exact).divide(denominator, SCALE, RoundingMode.HALF_UP);
  }

  private Map<Object, String> names(DashboardDimension dimension, List<Object> ids) throws SQLException {
    DashboardDefinition.NameTable n = dimension.names();
    Sql sql = new Sql("SELECT " + q(n.key()) + " AS id, " + q(n.column()) + " AS name FROM " + q(n.table()) + " WHERE "
        + q(n.key()) + " IN (" + placeholders(ids.size()) + ")");
    ids.forEach(sql::bind);
    return query(sql, rs -> {
      Map<Object, String> names = new HashMap<>();
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

  private static String q(String name) {
    return SqlNames.quote(name);
  }

  private static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  /** SQL text with its bound values, in order. */
  private final class Sql {
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
      text.append(" WHERE ").append(q(dateColumn)).append(" BETWEEN ? AND ?");
      bind(Date.valueOf(filter.from()));
      bind(Date.valueOf(filter.to()));
      Set<String> seen = new LinkedHashSet<>();
      for (DashboardDimension d : dashboard.dimensions()) {
        List<?> values = filter.values(d.name());
        if (values.isEmpty() || !seen.add(d.name())) continue;
        text.append(" AND ").append(q(d.column())).append(" IN (").append(placeholders(values.size())).append(")");
        values.forEach(this::bind);
      }
      return this;
    }
  }
}
