package io.trackpipe.warehouse.fact;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The rows one micro-batch adds to one fact table; each row holds values in {@link FactTable#columns()} order. */
public record FactBatch(FactTable table, List<Object[]> rows) {
  public FactBatch {
    requireNonNull(table, "table is null");
    rows = List.copyOf(rows);
    for (Object[] row : rows) {
      if (row.length != table.columns().size()) {
        throw new IllegalArgumentException("row of " + row.length + " values for table " + table.name()
            + " with " + table.columns().size() + " columns");
      }
    }
  }
}
