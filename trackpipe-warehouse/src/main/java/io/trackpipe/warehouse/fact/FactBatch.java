package io.trackpipe.warehouse.fact;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import io.trackpipe.warehouse.SqlNames;

/**
 * The rows one micro-batch adds to one fact table; each row holds values in {@link FactTable#columns()} order.
 *
 * @param signed whether the additive values are changes that may be negative (a retraction): after the upsert, a row
 *     whose additive columns all came back to 0 is deleted, so the table holds what a recount would
 */
public record FactBatch(FactTable table, List<Object[]> rows, boolean signed) {
  /** Rows that only add. */
  public FactBatch(FactTable table, List<Object[]> rows) {
    this(table, rows, false);
  }

  public FactBatch {
    requireNonNull(table, "table is null");
    rows = List.copyOf(rows);
    for (Object[] row : rows) {
      if (row.length != table.columns().size()) {
        throw new IllegalArgumentException("row of " + row.length + " values for table " + table.name()
            + " with " + table.columns().size() + " columns");
      }
    }
  }

  /** Rows per upsert statement: one round trip per chunk rather than per row. */
  private static final int ROWS_PER_STATEMENT = 500;

  /**
   * Upserts the rows on {@code c} in primary-key order (one key order for every writer keeps concurrent transactions
   * from deadlocking on each other's rows). The full chunks go as one JDBC batch, which the driver pipelines: it
   * encodes the next statement while the server runs the one before, instead of waiting for each answer.
   *
   * @return the rows written
   */
  public long upsert(Connection c) throws SQLException {
    List<Object[]> sorted = new ArrayList<>(rows);
    sorted.sort(keyOrder(table));
    int full = sorted.size() / ROWS_PER_STATEMENT * ROWS_PER_STATEMENT;
    if (full > 0) {
      try (PreparedStatement s = c.prepareStatement(table.upsertSql(ROWS_PER_STATEMENT))) {
        for (int from = 0; from < full; from += ROWS_PER_STATEMENT) {
          bind(s, sorted, from, from + ROWS_PER_STATEMENT);
          s.addBatch();
        }
        s.executeBatch();
      }
    }
    if (full < sorted.size()) {
      try (PreparedStatement s = c.prepareStatement(table.upsertSql(sorted.size() - full))) {
        bind(s, sorted, full, sorted.size());
        s.executeUpdate();
      }
    }
    if (signed) deleteEmptied(c, sorted);
    return sorted.size();
  }

  /** Deletes the rows of {@code sorted}'s keys whose additive columns are all 0 now. */
  private void deleteEmptied(Connection c, List<Object[]> sorted) throws SQLException {
    List<FactColumn> keys = table.keyColumns();
    List<FactColumn> additive = table.columns().stream().filter(col -> col.merge() == FactColumn.Merge.ADD).toList();
    if (additive.isEmpty() || sorted.isEmpty()) return;
    String sql = "DELETE FROM " + SqlNames.quote(table.name()) + " WHERE "
        + keys.stream().map(k -> SqlNames.quote(k.name()) + " = ?").collect(Collectors.joining(" AND ")) + " AND "
        + additive.stream().map(a -> SqlNames.quote(a.name()) + " = 0").collect(Collectors.joining(" AND "));
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (Object[] row : sorted) {
        for (int k = 0; k < keys.size(); k++) s.setObject(k + 1, keys.get(k).fitted(row[k]));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private void bind(PreparedStatement s, List<Object[]> sorted, int from, int to) throws SQLException {
    int p = 1;
    for (int r = from; r < to; r++) p = table.bind(s, p, sorted.get(r));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Comparator<Object[]> keyOrder(FactTable table) {
    int keys = table.keyColumns().size();
    return (a, b) -> {
      for (int i = 0; i < keys; i++) {
        int cmp = ((Comparable) a[i]).compareTo(b[i]);
        if (cmp != 0) return cmp;
      }
      return 0;
    };
  }
}
