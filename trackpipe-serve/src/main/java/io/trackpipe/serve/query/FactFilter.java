package io.trackpipe.serve.query;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which facts a query reads: the dates {@code from} … {@code to} (inclusive, in the facts' zone) and, per dashboard
 * dimension (by name), the values to keep (absent or empty = all): {@code Long} ids for an id dimension,
 * {@code String}s for a text one. Validated by the API before it gets here; the values are only ever bound as SQL
 * parameters.
 */
public record FactFilter(LocalDate from, LocalDate to, Map<String, List<?>> values) {

  public FactFilter {
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    if (to.isBefore(from)) throw new IllegalArgumentException("to " + to + " is before from " + from);
    Map<String, List<?>> kept = new LinkedHashMap<>();
    values.forEach((dimension, list) -> {
      if (!list.isEmpty()) kept.put(dimension, List.copyOf(list));
    });
    values = java.util.Collections.unmodifiableMap(kept);
  }

  public static FactFilter dates(LocalDate from, LocalDate to) {
    return new FactFilter(from, to, Map.of());
  }

  /** The values kept for {@code dimension}; empty for all. */
  public List<?> values(String dimension) {
    return values.getOrDefault(dimension, List.of());
  }
}
