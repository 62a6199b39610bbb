package io.trackpipe.warehouse.summary;

import io.trackpipe.domain.DashboardDefinition;
import io.trackpipe.domain.Domain;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.warehouse.SqlNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A domain's dashboard tables are rollups that the stream and the batch write with the finest one (the first listed),
 * in the same transaction. This fills the coarser ones from the finest, summed by their keys, as the stream would have
 * written them: for loading facts straight into the finest table (the API benchmark's seed, tests). On an installation
 * whose finest table already holds facts, migration V7 did the same for the built-in dashboard once.
 */
public final class DashboardTables {
  private DashboardTables() {}

  /**
   * Replaces the rows of every dashboard table after the first with the sums of the first, in one transaction.
   *
   * @throws IllegalArgumentException when a table has a column that the finest has not (it cannot be made from it)
   */
  public static void fillFromFinest(Connection c, Domain domain) throws SQLException {
    DashboardDefinition dashboard = domain.dashboard();
    if (dashboard == null || dashboard.tables().size() < 2) return;
    RollupDefinition finest = rollup(domain, dashboard.tables().get(0));
    List<String> statements = new ArrayList<>();
    for (String table : dashboard.tables().subList(1, dashboard.tables().size())) {
      statements.add("DELETE FROM " + SqlNames.quote(table));
      statements.add(insertSql(finest, rollup(domain, table)));
    }
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      for (String sql : statements) s.executeUpdate(sql);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** {@code INSERT INTO coarse … } the rows of {@link #sumsOfFinest}, stamped as written now. */
  static String insertSql(RollupDefinition finest, RollupDefinition coarse) {
    List<String> columns = new ArrayList<>(columns(finest, coarse));
    columns.add("`sources`");
    columns.add("`latest_update_time`");
    return "INSERT INTO " + SqlNames.quote(coarse.table()) + " (" + String.join(", ", columns) + ") SELECT s.*, '"
        + finest.table().replace("'", "") + "', UTC_TIMESTAMP(3) FROM (" + sumsOfFinest(finest, coarse) + ") s";
  }

  /**
   * What {@code coarse} holds when it agrees with {@code finest}: its keys (a NULL as the key's default) and the sums
   * of its counts and sums, selected from the finest table, in the order of {@link #columns}.
   *
   * @throws IllegalArgumentException when {@code coarse} has a column that {@code finest} has not
   */
  public static String sumsOfFinest(RollupDefinition finest, RollupDefinition coarse) {
    List<String> select = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Dimension d : coarse.dimensions()) {
      if (!has(finest, d.name())) throw cannot(finest, coarse, d.name());
      String key = d.defaultValue() == null ? SqlNames.quote(d.name())
          : "COALESCE(" + SqlNames.quote(d.name()) + ", " + d.defaultValue() + ")";
      select.add(key + " AS " + SqlNames.quote(d.name()));
      keys.add(key);
    }
    for (Metric m : coarse.metrics()) {
      if (!m.kind().additive()) continue;
      if (finest.metrics().stream().noneMatch(f -> f.name().equals(m.name()) && f.kind().additive())) {
        throw cannot(finest, coarse, m.name());
      }
      select.add("SUM(" + SqlNames.quote(m.name()) + ") AS " + SqlNames.quote(m.name()));
    }
    return "SELECT " + String.join(", ", select) + " FROM " + SqlNames.quote(finest.table()) + " GROUP BY "
        + String.join(", ", keys);
  }

  /** The columns {@link #sumsOfFinest} selects, quoted: {@code coarse}'s keys, then its counts and sums. */
  public static List<String> columns(RollupDefinition finest, RollupDefinition coarse) {
    List<String> columns = new ArrayList<>();
    coarse.dimensions().forEach(d -> columns.add(SqlNames.quote(d.name())));
    coarse.metrics().stream().filter(m -> m.kind().additive()).forEach(m -> columns.add(SqlNames.quote(m.name())));
    return columns;
  }

  private static boolean has(RollupDefinition r, String column) {
    return r.dimensions().stream().anyMatch(d -> d.name().equals(column)) || r.attributes().contains(column);
  }

  private static IllegalArgumentException cannot(RollupDefinition finest, RollupDefinition coarse, String column) {
    return new IllegalArgumentException("dashboard table " + coarse.table() + " has " + column + ", which "
        + finest.table() + " has not (as a key, attribute, count or sum): it cannot be filled from it");
  }

  private static RollupDefinition rollup(Domain domain, String table) {
    return domain.rollups().rollups().stream().filter(r -> r.table().equals(table)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no rollup of " + domain.name() + " writes " + table));
  }
}
