package io.trackpipe.rollup;

import static java.util.Objects.requireNonNull;

/**
 * A key column of a rollup: a source column (or expression), or a time bucket of the event time.
 *
 * @param expression Spark SQL over the source columns; null for a time dimension
 * @param time the time bucket; null for a column dimension
 * @param defaultValue SQL literal used when the value is null (e.g. {@code 0}); null: events without a value are left
 *     out of this rollup
 */
public record Dimension(String name, String expression, TimeGrain time, String defaultValue) {
  public Dimension {
    requireNonNull(name, "name is null");
    if ((expression == null) == (time == null)) {
      throw new IllegalArgumentException("dimension " + name + ": exactly one of expression and time");
    }
  }

  public static Dimension column(String name) {
    return new Dimension(name, name, null, null);
  }

  public static Dimension time(String name, TimeGrain grain) {
    return new Dimension(name, null, grain, null);
  }

  public boolean isTime() {
    return time != null;
  }
}
