package io.trackpipe.warehouse.fact;

import static java.util.Objects.requireNonNull;

import io.trackpipe.warehouse.SqlNames;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column of a fact table and how a new value merges into an existing row.
 *
 * @param expression for {@link Merge#DERIVED}: SQL over the row's already-merged columns, e.g. {@code spend / NULLIF(clicks, 0)}
 * @param sqlType the column's type when trackpipe creates the table, e.g. {@code BIGINT NOT NULL DEFAULT 0}; null for
 *     tables that a migration creates
 */
public record FactColumn(String name, Merge merge, String expression, String sqlType) {

  /** How a batch's value for a column combines with the value already stored. */
  public enum Merge {
    /** Part of the primary key. */
    KEY,
    /** Stored + new: counts and sums. Safe only because a batch is applied exactly once. */
    ADD,
    /** The smaller of stored and new. */
    MIN,
    /** The larger of stored and new. */
    MAX,
    /** New value wins. */
    REPLACE,
    /** New value wins unless it is NULL (a dimension lookup that found nothing yet). */
    KEEP_NON_NULL,
    /** Recomputed from the merged columns with {@link #expression()}; listed after the columns it reads. */
    DERIVED,
    /**
     * The database's UTC clock when the row is written ({@code UTC_TIMESTAMP(3)}); the row's value is ignored (null).
     * Stamped by the statement that writes, not when the rows were computed: a commit retried for minutes is stamped
     * when it lands, so readers that look back a bounded time from a stamp (the dashboard's summaries) see it.
     */
    WRITE_TIME
  }

  public FactColumn {
    requireNonNull(name, "name is null");
    requireNonNull(merge, "merge is null");
    if (!name.matches("[a-z_][a-z0-9_]*")) throw new IllegalArgumentException("not a plain column name: " + name);
    if ((merge == Merge.DERIVED) != (expression != null)) {
      throw new IllegalArgumentException("column " + name + ": an expression is required for DERIVED and only for DERIVED");
    }
  }

  public static FactColumn of(String name, Merge merge) {
    return new FactColumn(name, merge, null, null);
  }

  public static FactColumn derived(String name, String expression) {
    return new FactColumn(name, Merge.DERIVED, expression, null);
  }

  public FactColumn withSqlType(String type) {
    return new FactColumn(name, merge, expression, type);
  }

  private static final Pattern VARCHAR = Pattern.compile("VARCHAR\\((\\d+)\\).*");

  /** The most characters the column holds, for a {@code VARCHAR(n)} column trackpipe creates; 0 otherwise. */
  public int maxChars() {
    if (sqlType == null) return 0;
    Matcher m = VARCHAR.matcher(sqlType);
    return m.matches() ? Integer.parseInt(m.group(1)) : 0;
  }

  /**
   * {@code value}, a text cut to {@link #maxChars()}: one long value (a tracker's 8 KiB field as a key, say) must not
   * fail every commit that carries it. Rows whose keys become equal merge as the upsert merges any two rows.
   */
  Object fitted(Object value) {
    int max = maxChars();
    if (max == 0 || !(value instanceof String text) || text.length() <= max) return value;
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end);
  }

  String updateClause() {
    String name = SqlNames.quote(this.name);
    return switch (merge) {
      case KEY -> throw new IllegalStateException("key column " + name + " is not updated");
      case ADD -> name + " = " + name + " + VALUES(" + name + ")";
      // LEAST and GREATEST are NULL if either side is: a batch without a value must keep the stored one.
      case MIN -> name + " = COALESCE(LEAST(" + name + ", VALUES(" + name + ")), " + name + ", VALUES(" + name + "))";
      case MAX -> name + " = COALESCE(GREATEST(" + name + ", VALUES(" + name + ")), " + name + ", VALUES(" + name + "))";
      case REPLACE, WRITE_TIME -> name + " = VALUES(" + name + ")";
      case KEEP_NON_NULL -> name + " = COALESCE(VALUES(" + name + "), " + name + ")";
      case DERIVED -> name + " = " + expression;
    };
  }
}
