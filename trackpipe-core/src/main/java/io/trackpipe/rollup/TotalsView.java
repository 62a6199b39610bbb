package io.trackpipe.rollup;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A SQL view over a rollup's table that sums it over every dimension not kept: all-time totals per campaign from a
 * daily table, clicks by hour of day. Counts and sums are summed, ratios recomputed from the summed parts.
 */
public record TotalsView(String name, List<String> keep) {
  public TotalsView {
    requireNonNull(name, "name is null");
    keep = List.copyOf(keep);
  }
}
