package io.trackpipe.serve.query;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dashboard's measures for some facts, by measure name in declaration order: a count is a {@code Long}, any other
 * sum a {@code BigDecimal} at 6 decimals; a ratio of sums is a {@code BigDecimal} rounded to 6 decimals, or null when
 * its denominator is 0 (shown as "–").
 */
public record Totals(Map<String, Object> values) {
  public Totals {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public Object get(String measure) {
    return values.get(measure);
  }
}
