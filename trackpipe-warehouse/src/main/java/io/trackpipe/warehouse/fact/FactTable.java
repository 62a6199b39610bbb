package io.trackpipe.warehouse.fact;

import static io.trackpipe.warehouse.SqlNames.quote;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A warehouse table that streaming batches upsert into: its columns in insert order, keys first.
 * MySQL evaluates {@code ON DUPLICATE KEY UPDATE} assignments left to right, so a DERIVED column sees
 * the merged values of the columns before it.
 */
public record FactTable(String name, List<FactColumn> columns) {

  public FactTable {
    requireNonNull(name, "name is null");
    columns = List.copyOf(columns);
    if (!isPlainName(name)) throw new IllegalArgumentException("not a plain table name: " + name);
    if (columns.stream().noneMatch(c -> c.merge() == FactColumn.Merge.KEY)) {
      throw new IllegalArgumentException("table " + name + " has no key column");
    }
  }

  /** Lower-case letters, digits and underscores: safe to put in SQL text. */
  public static boolean isPlainName(String name) {
    return name.matches("[a-z_][a-z0-9_]{0,63}");
  }

  public List<FactColumn> keyColumns() {
    return columns.stream().filter(c -> c.merge() == FactColumn.Merge.KEY).toList();
  }

  /** {@code CREATE TABLE IF NOT EXISTS} from the columns' SQL types, keyed by the key columns. */
  public String createSql() {
    StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(quote(name)).append(" (\n");
    for (FactColumn column : columns) {
      if (column.sqlType() == null) throw new IllegalStateException("table " + name + ", column " + column.name() + ": no SQL type");
      sql.append("  ").append(quote(column.name())).append(' ').append(column.sqlType()).append(",\n");
    }
    sql.append("  PRIMARY KEY (").append(keyColumns().stream().map(c -> quote(c.name())).collect(Collectors.joining(", ")))
        .append(")\n) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4");
    return sql.toString();
  }

  /** Binds {@code row}'s values to the placeholders of {@link #upsertSql} from {@code parameter} on; returns the next. */
  int bind(java.sql.PreparedStatement statement, int parameter, Object[] row) throws java.sql.SQLException {
    for (int col = 0; col < columns.size(); col++) {
      FactColumn column = columns.get(col);
      if (column.merge() != FactColumn.Merge.WRITE_TIME) statement.setObject(parameter++, column.fitted(row[col]));
    }
    return parameter;
  }

  /** A multi-row upsert for {@code rows} rows (one round trip per chunk rather than per row). */
  String upsertSql(int rows) {
    String names = columns.stream().map(c -> quote(c.name())).collect(Collectors.joining(", "));
    String placeholders = "(" + columns.stream().map(c -> c.merge() == FactColumn.Merge.WRITE_TIME ? "UTC_TIMESTAMP(3)" : "?")
        .collect(Collectors.joining(", ")) + ")";
    String updates = columns.stream()
        .filter(c -> c.merge() != FactColumn.Merge.KEY)
        .map(FactColumn::updateClause)
        .collect(Collectors.joining(", "));
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(quote(name)).append(" (").append(names).append(") VALUES ");
    for (int i = 0; i < rows; i++) {
      if (i > 0) sql.append(", ");
      sql.append(placeholders);
    }
    return sql.append(" ON DUPLICATE KEY UPDATE ").append(updates).toString();
  }
}
