package io.trackpipe.serve.query;

import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the fact queries answer with. */
public final class Rows {
  private Rows() {}

  /**
   * One time bucket (an hour, or a day when {@code hour} is null), for one combination of the grouped dimensions.
   *
   * @param keys the grouped dimensions' values by dimension name (empty without group-by): a {@code Long} id or a
   *     {@code String}
   */
  public record SeriesPoint(LocalDate date, Integer hour, Map<String, Object> keys, Totals totals) {
    public SeriesPoint {
      keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }
  }

  /**
   * @param id the dimension's value: a {@code Long} id, or a {@code String} for a text dimension
   * @param name the display name from the dimension's name table; null when unknown or when it has none
   */
  public record TopEntry(Object id, String name, Totals totals) {}

  /** @param weekday 1 = Monday … 7 = Sunday (ISO) */
  public record HeatCell(int weekday, int hour, Totals totals) {}

  /** A dimension value that filters can use: a {@code Long} id (with its name, if any) or a {@code String}. */
  public record Choice(Object id, String name) {}
}
