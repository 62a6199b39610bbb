package io.trackpipe.collector.fileimport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV record (RFC 4180, comma-separated) into its values. A value is either unquoted (no quote inside) or
 * wholly quoted, with {@code ""} for a quote and commas and line ends inside kept; values are taken verbatim, spaces
 * included. The record is judged as bytes (commas, quotes and line ends are ASCII, so UTF-8 text is never split inside a
 * character) and each value decoded as UTF-8. Stateless.
 */
public final class CsvParser {
  /** What one record's bytes are. */
  public sealed interface Parsed {}

  /** The values, in column order. */
  public record Values(List<String> values) implements Parsed {
    public Values {
      values = List.copyOf(values);
    }
  }

  /** A quoted value is still open at the end: the record goes on on the next line. */
  public record Unclosed() implements Parsed {}

  /** Bad quoting; the message says where, by column (1-based), and what to do. */
  public record Malformed(String message) implements Parsed {}

  private CsvParser() {}

  public static Parsed parse(byte[] record) {
    List<String> values = new ArrayList<>();
    int i = 0;
    int n = record.length;
    while (true) {
      int column = values.size() + 1;
      if (i < n && record[i] == '"') {
        QuotedValue value = new QuotedValue(record);
        int j = i + 1;
        while (true) {
          if (j >= n) return new Unclosed();
          if (record[j] == '"') {
            if (j + 1 < n && record[j + 1] == '"') {
              value.append(i + 1, j + 1); // up to and including one quote
              i = j + 1; // the second quote starts the next run
              j += 2;
              continue;
            }
            value.append(i + 1, j);
            j++;
            break;
          }
          j++;
        }
        values.add(value.toString());
        if (j == n) return new Values(values);
        if (record[j] != ',') {
          return new Malformed("column " + column + ": '" + (char) (record[j] & 0xFF) + "' after the closing quote of"
              + " a quoted value; a value is either wholly quoted (with \"\" for a quote inside) or not quoted at all");
        }
        i = j + 1;
      } else {
        int j = i;
        while (j < n && record[j] != ',') {
          if (record[j] == '"') {
            return new Malformed("column " + column + ": a quote inside an unquoted value; quote the whole value and"
                + " double the quotes inside (\"say \"\"hi\"\"\")");
          }
          j++;
        }
        values.add(new String(record, i, j - i, StandardCharsets.UTF_8));
        if (j == n) return new Values(values);
        i = j + 1;
      }
    }
  }

  /** A quoted value's runs between doubled quotes, decoded once at the end. */
  private static final class QuotedValue {
    private final byte[] source;
    private byte[] bytes = new byte[0];
    private int length;

    QuotedValue(byte[] source) {
      this.source = source;
    }

    /** Appends source[from, to) to the value. */
    void append(int from, int to) {
      int add = to - from;
      if (length + add > bytes.length) bytes = java.util.Arrays.copyOf(bytes, Math.max(length + add, bytes.length * 2 + 16));
      System.arraycopy(source, from, bytes, length, add);
      length += add;
    }

    @Override
    public String toString() {
      return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
  }
}
