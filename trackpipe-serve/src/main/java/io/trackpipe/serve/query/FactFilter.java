package io.trackpipe.serve.query;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which facts a query reads: the dates {@code from} … {@code to} (inclusive, in the facts' zone) and, per dashboard
 * dimension (by name), the ids to keep (absent or empty = all). Validated by the API before it gets here.
 */
public record FactFilter(LocalDate from, LocalDate to, Map<String, List<Long>> ids) {

  public FactFilter {
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    if (to.isBefore(from)) throw new IllegalArgumentException("to " + to + " is before from " + from);
    Map<String, List<Long>> kept = new LinkedHashMap<>();
    ids.forEach((dimension, list) -> {
      if (!list.isEmpty()) kept.put(dimension, List.copyOf(list));
    });
    ids = java.util.Collections.unmodifiableMap(kept);
  }

  public static FactFilter dates(LocalDate from, LocalDate to) {
    return new FactFilter(from, to, Map.of());
  }

  /** The ids kept for {@code dimension}; empty for all. */
  public List<Long> ids(String dimension) {
    return ids.getOrDefault(dimension, List.of());
  }
}
