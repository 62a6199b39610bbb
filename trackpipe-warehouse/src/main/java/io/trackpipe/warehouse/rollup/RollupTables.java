package io.trackpipe.warehouse.rollup;

import io.trackpipe.warehouse.SqlNames;

import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TotalsView;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.fact.FactColumn;
import io.trackpipe.warehouse.fact.FactTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes the warehouse hold what the rollup definitions declare: each rollup's table (created when missing, checked for
 * every column when present, as for the {@code events} table that a migration created) and its totals views.
 */
public final class RollupTables {
  private final Warehouse warehouse;

  public RollupTables(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  /**
   * A table a rollup writes to.
   *
   * @param main the rollup's own table (which has the views), not a distinct metric's side table
   */
  public record Target(RollupDefinition definition, FactTable table, boolean main) {}

  /**
   * @throws IllegalStateException naming every table that exists without a declared column (a definition changed after
   *     its table was created: alter or drop the table)
   */
  public void ensure(List<Target> targets) throws SQLException {
    List<String> problems = new ArrayList<>();
    warehouse.inTransaction(c -> {
      for (Target target : targets) {
        try (Statement s = c.createStatement()) {
          s.execute(target.table().createSql());
        }
        Set<String> existing = columns(c, target.table().name());
        List<String> missing = target.table().columns().stream().map(FactColumn::name).filter(n -> !existing.contains(n)).toList();
        if (!missing.isEmpty()) {
          problems.add("table " + target.table().name() + " (rollup '" + target.definition().name() + "') exists without column(s) "
              + missing + ": its definition changed after the table was created; add the columns (ALTER TABLE) or drop the"
              + " table and recompute it (trackpipe stream --fresh, or backfill)");
        }
      }
      if (!problems.isEmpty()) throw new IllegalStateException(String.join("\n", problems));
      for (Target target : targets) {
        if (!target.main()) continue;
        for (TotalsView view : target.definition().views()) {
          try (Statement s = c.createStatement()) {
            s.execute(viewSql(target.definition(), view));
          }
        }
      }
      return null;
    });
  }

  /** The view of a rollup's all-time totals: {@link #regroupSql} over every row of the table. */
  public static String viewSql(RollupDefinition rollup, TotalsView view) {
    return "CREATE OR REPLACE VIEW " + SqlNames.quote(view.name()) + " AS " + regroupSql(rollup, view.keep(), null);
  }

  /**
   * Sums the rollup's table over the dimensions not in {@code keep}: counts and sums are summed, minimums and maximums
   * kept, ratios recomputed from the summed parts (the ratio of sums, never an average of ratios). A distinct count
   * cannot be summed (a user seen on two days is one user): it is recounted from the metric's side table, which holds
   * every value seen per row, so the count is exact. Attributes are left out.
   *
   * @param range a time column of the rollup to restrict the rows to {@code range >= ? AND range < ?}, or null for
   *     every row; the two placeholders appear {@link #rangeBindings} times, each a (from, until) pair in that order
   * @return a SELECT whose columns are {@code keep}, the metrics and {@code latest_update_time}, grouped by
   *     {@code keep} (qualified {@code t.}); a caller may append {@code ORDER BY t.KEY … LIMIT}
   */
  public static String regroupSql(RollupDefinition rollup, List<String> keep, String range) {
    List<String> keys = keep.stream().map(SqlNames::quote).toList();
    String rangeCondition = range == null ? "" : SqlNames.quote(range) + " >= ? AND " + SqlNames.quote(range) + " < ?";
    List<String> select = new ArrayList<>(keys.stream().map(k -> "t." + k).toList());
    List<String> joins = new ArrayList<>();
    for (Metric m : rollup.metrics()) {
      String name = SqlNames.quote(m.name());
      switch (m.kind()) {
        case COUNT, SUM -> select.add("SUM(t." + name + ") AS " + name);
        case MIN -> select.add("MIN(t." + name + ") AS " + name);
        case MAX -> select.add("MAX(t." + name + ") AS " + name);
        case RATIO -> select.add("CAST(SUM(t." + SqlNames.quote(m.numerator()) + ") / NULLIF(SUM(t."
            + SqlNames.quote(m.denominator()) + "), 0) AS DECIMAL(20, 6)) AS " + name);
        case DISTINCT -> {
          // One row per kept key with its distinct count, joined one-to-one to the key's group: the sums stay exact.
          String alias = "d" + joins.size();
          String counted = "SELECT " + String.join(", ", keys) + (keys.isEmpty() ? "" : ", ") + "COUNT(DISTINCT "
              + SqlNames.quote(RollupDefinition.DISTINCT_VALUE) + ") AS n FROM " + SqlNames.quote(rollup.distinctTable(m))
              + (range == null ? "" : " WHERE " + rangeCondition)
              + (keys.isEmpty() ? "" : " GROUP BY " + String.join(", ", keys));
          String on = keys.isEmpty() ? "1 = 1" : String.join(" AND ", keys.stream().map(k -> alias + "." + k + " = t." + k).toList());
          joins.add(" LEFT JOIN (" + counted + ") " + alias + " ON " + on);
          select.add("COALESCE(MAX(" + alias + ".n), 0) AS " + name);
        }
      }
    }
    select.add("MAX(t.`latest_update_time`) AS `latest_update_time`");
    String sql = "SELECT " + String.join(", ", select) + " FROM " + SqlNames.quote(rollup.table()) + " t" + String.join("", joins)
        + (range == null ? "" : " WHERE t." + rangeCondition);
    return keys.isEmpty() ? sql : sql + " GROUP BY " + String.join(", ", keys.stream().map(k -> "t." + k).toList());
  }

  /** How many (from, until) pairs a {@link #regroupSql} with a range binds: one per distinct metric, then the table's. */
  public static int rangeBindings(RollupDefinition rollup) {
    return 1 + (int) rollup.metrics().stream().filter(m -> m.kind() == Metric.Kind.DISTINCT).count();
  }

  private static Set<String> columns(Connection c, String table) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?")) {
      s.setString(1, table);
      try (ResultSet rs = s.executeQuery()) {
        Set<String> names = new HashSet<>();
        while (rs.next()) names.add(rs.getString(1).toLowerCase(java.util.Locale.ROOT));
        return names;
      }
    }
  }
}
