package io.trackpipe.search;

import io.trackpipe.warehouse.SqlNames;
import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads rollup tables from the warehouse for the search index: their columns and key (from {@code information_schema}),
 * and their rows, streamed rather than loaded, so a table of any size fits in memory.
 */
public final class RollupTableSource {
  /** Rows fetched per round trip while streaming. */
  private static final int FETCH_ROWS = 2000;

  private final Warehouse warehouse;

  public RollupTableSource(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  /** One row's values, in the table's column order, as {@link SearchFieldType#read} gives them. */
  @FunctionalInterface
  public interface RowVisitor {
    void visit(String[] values);
  }

  /** The table's columns and primary key; empty when the table does not exist (yet). */
  public Optional<IndexedTable> describe(String table) throws SQLException {
    List<IndexedTable.Column> columns = new ArrayList<>();
    List<String> key = new ArrayList<>();
    try (Connection c = warehouse.connect()) {
      try (PreparedStatement s = c.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
          + " WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position")) {
        s.setString(1, table);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            columns.add(new IndexedTable.Column(rs.getString(1), SearchFieldType.ofSqlType(rs.getString(2))));
          }
        }
      }
      try (PreparedStatement s = c.prepareStatement("SELECT column_name FROM information_schema.key_column_usage"
          + " WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY ordinal_position")) {
        s.setString(1, table);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            key.add(rs.getString(1));
          }
        }
      }
    }
    return columns.isEmpty() ? Optional.empty() : Optional.of(new IndexedTable(table, columns, key));
  }

  /** The database's UTC clock, the one that stamps the rows' write times. */
  public LocalDateTime databaseClock() throws SQLException {
    try (Connection c = warehouse.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT UTC_TIMESTAMP(3)")) {
      rs.next();
      return rs.getObject(1, LocalDateTime.class);
    }
  }

  /**
   * Streams the table's rows; with {@code writtenSince}, only those whose write time is at or after it.
   *
   * @return the number of rows read
   */
  public long readRows(IndexedTable table, Optional<LocalDateTime> writtenSince, RowVisitor visitor) throws SQLException {
    String columns = String.join(", ", table.columns().stream().map(c -> SqlNames.quote(c.name())).toList());
    String sql = "SELECT " + columns + " FROM " + SqlNames.quote(table.name());
    if (writtenSince.isPresent()) {
      String writeTime = table.writeTime().orElseThrow(() -> new IllegalArgumentException("table " + table.name()
          + " has no " + IndexedTable.WRITE_TIME_COLUMN + " column to read changed rows by")).name();
      sql += " WHERE " + SqlNames.quote(writeTime) + " >= ?";
    }
    List<SearchFieldType> types = table.columns().stream().map(IndexedTable.Column::type).toList();
    long rows = 0;
    try (Connection c = warehouse.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setFetchSize(FETCH_ROWS);
      if (writtenSince.isPresent()) {
        s.setObject(1, writtenSince.get());
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String[] values = new String[types.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = types.get(i).read(rs, i + 1);
          }
          visitor.visit(values);
          rows++;
        }
      }
    }
    return rows;
  }

  /** Streams the document id of every row of the table (its key values only). */
  public void readIds(IndexedTable table, Consumer<String> ids) throws SQLException {
    List<SearchFieldType> types = table.key().stream().map(k -> table.columns().stream()
        .filter(c -> c.name().equals(k)).findFirst().orElseThrow().type()).toList();
    String sql = "SELECT " + String.join(", ", table.key().stream().map(SqlNames::quote).toList()) + " FROM "
        + SqlNames.quote(table.name());
    try (Connection c = warehouse.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setFetchSize(FETCH_ROWS);
      try (ResultSet rs = s.executeQuery()) {
        String[] values = new String[types.size()];
        while (rs.next()) {
          for (int i = 0; i < values.length; i++) {
            values[i] = types.get(i).read(rs, i + 1);
          }
          ids.accept(DocumentIds.of(Arrays.asList(values)));
        }
      }
    }
  }
}
