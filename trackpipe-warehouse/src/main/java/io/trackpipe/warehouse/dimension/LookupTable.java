package io.trackpipe.warehouse.dimension;

import io.trackpipe.warehouse.SqlNames;

import static java.util.Objects.requireNonNull;

import io.trackpipe.rollup.Lookup;
import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A dimension table read whole for a {@link Lookup}: key → the looked-up columns' values. Integers are read as
 * {@code Long}, text as {@code String}, fixed-point as {@code BigDecimal}, dates as {@code java.sql.Date}.
 *
 * @param types the JDBC type of each looked-up column, in {@link Lookup#columns()} order
 */
public record LookupTable(Lookup lookup, List<ValueKind> types, Map<Object, Object[]> rows) {

  /** The value kinds a lookup column can have. */
  public enum ValueKind { INTEGER, TEXT, DECIMAL, DOUBLE, DATE, TIMESTAMP }

  public LookupTable {
    requireNonNull(lookup, "lookup is null");
    types = List.copyOf(types);
  }

  /**
   * @throws SQLException with the lookup's name when the table or a column does not exist, or a column's type is not
   *     one a lookup can carry
   */
  public static LookupTable load(Warehouse warehouse, Lookup lookup) throws SQLException {
    List<String> selected = new ArrayList<>();
    selected.add(lookup.key());
    selected.addAll(lookup.columns().values());
    String sql = "SELECT " + String.join(", ", selected.stream().map(SqlNames::quote).toList()) + " FROM "
        + SqlNames.quote(lookup.table());
    try (Connection c = warehouse.connect(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
      ResultSetMetaData meta = rs.getMetaData();
      List<ValueKind> kinds = new ArrayList<>();
      for (int i = 2; i <= meta.getColumnCount(); i++) {
        kinds.add(kind(lookup, meta.getColumnName(i), meta.getColumnType(i)));
      }
      ValueKind keyKind = kind(lookup, lookup.key(), meta.getColumnType(1));
      Map<Object, Object[]> rows = new HashMap<>();
      while (rs.next()) {
        Object key = value(rs, 1, keyKind);
        if (key == null) continue;
        Object[] values = new Object[kinds.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = value(rs, i + 2, kinds.get(i));
        }
        rows.put(key, values);
      }
      return new LookupTable(lookup, kinds, rows);
    } catch (SQLException e) {
      throw new SQLException("lookup '" + lookup.name() + "' (" + sql + "): " + e.getMessage(), e.getSQLState(), e);
    }
  }

  private static ValueKind kind(Lookup lookup, String column, int jdbcType) throws SQLException {
    return switch (jdbcType) {
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT, Types.BIT, Types.BOOLEAN -> ValueKind.INTEGER;
      case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR, Types.NCHAR -> ValueKind.TEXT;
      case Types.DECIMAL, Types.NUMERIC -> ValueKind.DECIMAL;
      case Types.DOUBLE, Types.FLOAT, Types.REAL -> ValueKind.DOUBLE;
      case Types.DATE -> ValueKind.DATE;
      case Types.TIMESTAMP -> ValueKind.TIMESTAMP;
      default -> throw new SQLException("lookup '" + lookup.name() + "': column " + lookup.table() + "." + column
          + " has a JDBC type (" + jdbcType + ") a lookup cannot carry; use integer, text, decimal, double, date or datetime");
    };
  }

  private static Object value(ResultSet rs, int index, ValueKind kind) throws SQLException {
    Object value = switch (kind) {
      case INTEGER -> rs.getLong(index);
      case TEXT -> rs.getString(index);
      case DECIMAL -> rs.getBigDecimal(index);
      case DOUBLE -> rs.getDouble(index);
      case DATE -> rs.getDate(index);
      case TIMESTAMP -> rs.getTimestamp(index);
    };
    return rs.wasNull() ? null : value;
  }

  /** For building rows by hand (tests): values in {@link Lookup#columns()} order. */
  public static LookupTable of(Lookup lookup, List<ValueKind> types, Map<Object, Object[]> rows) {
    return new LookupTable(lookup, types, new HashMap<>(rows));
  }
}
