package io.trackpipe.serve.query;

import java.time.LocalDate;
import java.util.Map;

/** What the fact queries answer with. */
public final class Rows {
  private Rows() {}

  /**
   * One time bucket (an hour, or a day when {@code hour} is null), for one combination of the grouped dimensions.
   *
   * @param keys the grouped dimensions' ids (empty without group-by)
   */
  public record SeriesPoint(LocalDate date, Integer hour, Map<Dimension, Long> keys, Totals totals) {
    public SeriesPoint {
      keys = Map.copyOf(keys);
    }
  }

  /** @param name the display name from the dimension table; null when unknown or when the dimension has none */
  public record TopEntry(long id, String name, Totals totals) {}

  /** @param weekday 1 = Monday … 7 = Sunday (ISO) */
  public record HeatCell(int weekday, int hour, Totals totals) {}

  /** A dimension value that filters can use. */
  public record Choice(long id, String name) {}
}
