package io.trackpipe.serve.query;

import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TimeGrain;
import io.trackpipe.rollup.TotalsView;
import io.trackpipe.warehouse.SqlNames;
import io.trackpipe.warehouse.rollup.RollupTables;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the tables and views of the declared rollups (the KPI tables per campaign, publisher, industry and company,
 * their all-time totals, traffic by hour of day…) as they are: whatever a definition declares is readable through the
 * API without code. Table and column names come from the definitions, never from the request; values are bound.
 */
public final class RollupTableQueries {
  private final ConnectionPool pool;
  private final int timeoutSeconds;
  private final long waitMillis;
  private final List<Table> tables;
  /** The rollup of each table (not of views), by table name. */
  private final Map<String, RollupDefinition> rollups = new LinkedHashMap<>();

  /**
   * A readable table or view.
   *
   * @param rollup the definition it belongs to
   * @param time the day or hour column a date range filters on; null for views (all-time totals)
   */
  public record Table(String name, String rollup, String description, List<String> keys, List<String> metrics,
      String time, TimeGrain timeGrain) {}

  public RollupTableQueries(ConnectionPool pool, Duration timeout, RollupCatalog catalog) {
    this.pool = pool;
    this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
    this.waitMillis = timeout.toMillis();
    List<Table> all = new ArrayList<>();
    for (RollupDefinition rollup : catalog.rollups()) {
      List<String> metrics = rollup.metrics().stream().map(Metric::name).toList();
      Optional<Dimension> time = rollup.dimensions().stream()
          .filter(d -> d.time() == TimeGrain.DAY || d.time() == TimeGrain.HOUR).findFirst();
      rollups.put(rollup.table(), rollup);
      all.add(new Table(rollup.table(), rollup.name(), rollup.description(),
          rollup.dimensions().stream().map(Dimension::name).toList(), metrics,
          time.map(Dimension::name).orElse(null), time.map(Dimension::time).orElse(null)));
      for (TotalsView view : rollup.views()) {
        all.add(new Table(view.name(), rollup.name(), "All-time totals of " + rollup.table() + " by " + view.keep(),
            view.keep(), metrics, null, null));
      }
    }
    this.tables = List.copyOf(all);
  }

  public List<Table> tables() {
    return tables;
  }

  public Optional<Table> table(String name) {
    return tables.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /**
   * Rows of {@code table}, in key order; those of the days {@code from} to {@code to} when it has a day or hour column.
   *
   * @return at most {@code limit + 1} rows, so that the caller can tell the answer was cut
   */
  public List<Map<String, Object>> rows(Table table, LocalDate from, LocalDate to, int limit) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT * FROM ").append(table.name());
    List<Object> params = new ArrayList<>();
    if (table.time() != null) {
      sql.append(" WHERE ").append(table.time()).append(" >= ? AND ").append(table.time()).append(" < ?");
      params.add(table.timeGrain() == TimeGrain.DAY ? from : from.atStartOfDay());
      params.add(table.timeGrain() == TimeGrain.DAY ? to.plusDays(1) : to.plusDays(1).atStartOfDay());
    }
    sql.append(" ORDER BY ").append(String.join(", ", table.keys())).append(" LIMIT ?");
    params.add(limit + 1);
    return read(sql.toString(), params);
  }

  /**
   * The key columns {@link #range} may group {@code table} by: its dimensions but the day or hour column the range is
   * on. Empty for views and for tables without a day or hour column, which {@link #range} does not answer.
   */
  public List<String> rangeKeys(Table table) {
    if (table.time() == null || !rollups.containsKey(table.name())) return List.of();
    return table.keys().stream().filter(k -> !k.equals(table.time())).toList();
  }

  /** Whether {@link #range} answers for {@code table}: a rollup table (not a view) with a day or hour column. */
  public boolean rangeable(Table table) {
    return table.time() != null && rollups.containsKey(table.name());
  }

  /**
   * The rows of {@code table} for the days {@code from} to {@code to}, regrouped by {@code by} (one row for the whole
   * range when empty): counts and sums summed, minimums and maximums kept, ratios recomputed from the sums, and every
   * distinct metric recounted from its side table over the range, so a user seen on two days is one user. Attributes
   * are left out. Rows in key order.
   *
   * @param by columns of {@link #rangeKeys}, checked by the caller
   * @return at most {@code limit + 1} rows, so that the caller can tell the answer was cut
   */
  public List<Map<String, Object>> range(Table table, LocalDate from, LocalDate to, List<String> by, int limit)
      throws SQLException {
    RollupDefinition rollup = rollups.get(table.name());
    if (rollup == null || table.time() == null || !rangeKeys(table).containsAll(by)) {
      throw new IllegalArgumentException("no range of " + table.name() + " by " + by);
    }
    StringBuilder sql = new StringBuilder(RollupTables.regroupSql(rollup, by, table.time()));
    if (!by.isEmpty()) {
      sql.append(" ORDER BY ").append(String.join(", ", by.stream().map(k -> "t." + SqlNames.quote(k)).toList()));
    }
    sql.append(" LIMIT ?");
    List<Object> params = new ArrayList<>();
    for (int i = 0; i < RollupTables.rangeBindings(rollup); i++) {
      params.add(table.timeGrain() == TimeGrain.DAY ? from : from.atStartOfDay());
      params.add(table.timeGrain() == TimeGrain.DAY ? to.plusDays(1) : to.plusDays(1).atStartOfDay());
    }
    params.add(limit + 1);
    return read(sql.toString(), params);
  }

  private List<Map<String, Object>> read(String sql, List<Object> params) throws SQLException {
    return pool.withConnection(waitMillis, c -> {
      try (PreparedStatement st = c.prepareStatement(sql)) {
        st.setQueryTimeout(timeoutSeconds);
        for (int i = 0; i < params.size(); i++) st.setObject(i + 1, params.get(i));
        try (ResultSet rs = st.executeQuery()) {
          ResultSetMetaData meta = rs.getMetaData();
          List<Map<String, Object>> rows = new ArrayList<>();
          while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) row.put(meta.getColumnLabel(i), rs.getObject(i));
            rows.add(row);
          }
          return rows;
        }
      }
    });
  }
}
