package io.trackpipe.spark.hive;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The file format of the exported tables, as Hive declares it. */
public enum ExportFormat {
  /** Columnar, typed, compressed: what Hive, Spark, Trino and Impala read fastest. */
  PARQUET("STORED AS PARQUET"),
  /**
   * Comma-separated text that Hive's own text format reads: a comma, newline or backslash inside a value is escaped with a
   * backslash, NULL is {@code \N}, timestamps are written in UTC ({@code yyyy-MM-dd HH:mm:ss.SSS}).
   */
  CSV("ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' STORED AS TEXTFILE");

  private final String storageClause;

  ExportFormat(String storageClause) {
    this.storageClause = storageClause;
  }

  /** The {@code ROW FORMAT … STORED AS …} clause of the table's DDL. */
  String storageClause() {
    return storageClause;
  }

  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ExportFormat> parse(String text) {
    return Arrays.stream(values()).filter(f -> f.optionName().equals(text.trim().toLowerCase(Locale.ROOT))).findFirst();
  }

  public static String names() {
    return Arrays.stream(values()).map(ExportFormat::optionName).collect(Collectors.joining(", "));
  }
}
