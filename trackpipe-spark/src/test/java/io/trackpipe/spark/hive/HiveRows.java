package io.trackpipe.spark.hive;

import io.trackpipe.spark.session.SparkSessions;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A table's rows as sorted lines of values, written the same way whether they come from MySQL (JDBC) or from Hive
 * (Spark SQL), so that the two can be compared: numbers without trailing zeros, times as ISO local date-times (UTC).
 * Its {@code main} prints exported tables from a JVM of its own (the restart test).
 */
final class HiveRows {
  private HiveRows() {}

  /** The warehouse table's column names, in their order. */
  static List<String> columns(Connection c, String table) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM `" + table + "` WHERE 1 = 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) columns.add(meta.getColumnLabel(i));
      return columns;
    }
  }

  static List<String> mysql(Connection c, String table, String where) throws Exception {
    List<String> columns = columns(c, table);
    String select = columns.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "));
    List<String> lines = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + select + " FROM `" + table + "`" + (where.isEmpty() ? "" : " WHERE " + where))) {
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= columns.size(); i++) values.add(text(rs.getObject(i)));
        lines.add(String.join("|", values));
      }
    }
    lines.sort(null);
    return lines;
  }

  static List<String> hive(SparkSession spark, String qualifiedTable, List<String> columns, String where) {
    String select = columns.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "));
    List<String> lines = new ArrayList<>();
    for (Row row : spark.sql("SELECT " + select + " FROM " + qualifiedTable + (where.isEmpty() ? "" : " WHERE " + where))
        .collectAsList()) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) values.add(text(row.get(i)));
      lines.add(String.join("|", values));
    }
    lines.sort(null);
    return lines;
  }

  static String text(Object value) {
    if (value == null) return "null";
    if (value instanceof Double || value instanceof Float) {
      return BigDecimal.valueOf(((Number) value).doubleValue()).stripTrailingZeros().toPlainString();
    }
    if (value instanceof Number n) return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
    if (value instanceof java.sql.Timestamp t) return t.toLocalDateTime().toString();
    if (value instanceof java.sql.Date d) return d.toLocalDate().toString();
    return value.toString();
  }

  /**
   * Prints each named table's lines as {@code table<TAB>line}, read through an embedded metastore.
   *
   * <pre>HiveRows WAREHOUSE_DIR METASTORE_DIR DATABASE TABLE:COLUMN,COLUMN… …</pre>
   */
  public static void main(String[] args) {
    HiveConfig hive = new HiveConfig(args[0], Path.of(args[1]), Optional.empty(), args[2]);
    SparkSession spark = SparkSessions.forHive("hive-rows", "local[1]", hive);
    try {
      for (int i = 3; i < args.length; i++) {
        String[] tableAndColumns = args[i].split(":", 2);
        for (String line : hive(spark, "`" + args[2] + "`.`" + tableAndColumns[0] + "`", List.of(tableAndColumns[1].split(",")), "")) {
          System.out.println(tableAndColumns[0] + "\t" + line);
        }
      }
    } finally {
      SparkSessions.stopHive(spark, hive);
    }
  }
}
