package io.trackpipe.search;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How a warehouse column is indexed: its field type in the index mapping, and how its value is read from a row and
 * written into a document. Mapped explicitly, because dynamic mapping guesses wrong: timestamps become longs or text,
 * decimals become floats.
 */
public enum SearchFieldType {
  /** DATE: {@code 2026-12-06}. */
  DATE("date"),
  /** DATETIME / TIMESTAMP: {@code 2026-12-06T14:00:00.000}, no offset (the warehouse stores none; read as UTC). */
  DATE_TIME("date"),
  /** DECIMAL, DOUBLE, FLOAT: a JSON number with the stored digits, indexed as a double. */
  DOUBLE("double"),
  /** Integer types: a JSON number, indexed as a long. */
  LONG("long"),
  /** CHAR, VARCHAR, TEXT, ENUM, TIME and anything else: the text, indexed as a keyword (exact match, aggregations). */
  KEYWORD("keyword");

  /** Dates as ISO text with milliseconds; the mapping's date format accepts dates with or without a time. */
  public static final String DATE_FORMAT = "strict_date_optional_time||epoch_millis";
  private static final DateTimeFormatter DATE_TIME_TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS", Locale.ROOT);

  private final String mappingType;

  SearchFieldType(String mappingType) {
    this.mappingType = mappingType;
  }

  /** The field type in the index mapping. */
  public String mappingType() {
    return mappingType;
  }

  /** The type of a column from its {@code information_schema.columns.data_type}. */
  public static SearchFieldType ofSqlType(String dataType) {
    return switch (dataType.toLowerCase(Locale.ROOT)) {
      case "date" -> DATE;
      case "datetime", "timestamp" -> DATE_TIME;
      case "decimal", "numeric", "double", "float", "real" -> DOUBLE;
      case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year", "bit" -> LONG;
      default -> KEYWORD;
    };
  }

  /**
   * The value of column {@code index} of the current row in its canonical text form (null when SQL NULL): what a
   * document holds and what a document id is made of, so that equal values always give equal text.
   */
  public String read(ResultSet row, int index) throws SQLException {
    switch (this) {
      case DATE -> {
        LocalDate date = row.getObject(index, LocalDate.class);
        return date == null ? null : date.toString();
      }
      case DATE_TIME -> {
        LocalDateTime time = row.getObject(index, LocalDateTime.class);
        return time == null ? null : DATE_TIME_TEXT.format(time);
      }
      case DOUBLE -> {
        BigDecimal number = row.getBigDecimal(index);
        if (number == null) return null;
        // 1.500000 and 1.5 are the same value: one text for both. Zero has no trailing zeros to strip on Java 8+.
        return number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString();
      }
      case LONG -> {
        long value = row.getLong(index);
        return row.wasNull() ? null : Long.toString(value);
      }
      default -> {
        return row.getString(index);
      }
    }
  }

  /** Writes a value read by {@link #read} as a JSON field of a document: numbers as numbers, the rest as strings. */
  public void write(JsonGenerator json, String field, String value) throws IOException {
    if (value == null) {
      json.writeNullField(field);
    } else if (this == LONG || this == DOUBLE) {
      json.writeFieldName(field);
      json.writeNumber(value);
    } else {
      json.writeStringField(field, value);
    }
  }
}
