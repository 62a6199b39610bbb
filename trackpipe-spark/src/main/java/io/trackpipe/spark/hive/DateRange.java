package io.trackpipe.spark.hive;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;

/** The days {@code [from, to)} whose partitions an export rewrites. */
public record DateRange(LocalDate from, LocalDate to) {
  public DateRange {
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    if (!from.isBefore(to)) throw new IllegalArgumentException("--from " + from + " must be before --to " + to);
  }

  public boolean contains(LocalDate day) {
    return !day.isBefore(from) && day.isBefore(to);
  }

  @Override
  public String toString() {
    return from + " to " + to + " (exclusive)";
  }
}
