package io.trackpipe.rollup;

import static java.util.Objects.requireNonNull;

/**
 * A measured column of a rollup.
 *
 * @param expression what {@link Kind#SUM}, {@link Kind#MIN}, {@link Kind#MAX} and {@link Kind#DISTINCT} read (Spark SQL
 *     over the source columns); null for the other kinds
 * @param where only events for which this Spark SQL condition holds are measured; null: all of the rollup's events
 * @param numerator for {@link Kind#RATIO}: the name of a count or sum metric of the same rollup
 * @param denominator for {@link Kind#RATIO}: likewise
 */
public record Metric(String name, Kind kind, String expression, String where, String numerator, String denominator) {

  /** What a metric computes, and so how a batch's value merges into the stored row. */
  public enum Kind {
    /** Number of events (that match {@code where}). Merged by adding. */
    COUNT("count"),
    /** Sum of a numeric expression, nulls as 0. Merged by adding. */
    SUM("sum"),
    /** Smallest value. Merged by keeping the smaller. */
    MIN("min"),
    /** Largest value. Merged by keeping the larger. */
    MAX("max"),
    /** Number of distinct values. Merged exactly through a side table of the values seen per row. */
    DISTINCT("distinct"),
    /**
     * numerator / denominator of two count or sum metrics, NULL when the denominator is 0: a ratio of sums,
     * recomputed from the merged sums at every upsert. An average is the ratio of a sum and a count.
     */
    RATIO("ratio");

    private final String yamlName;

    Kind(String yamlName) {
      this.yamlName = yamlName;
    }

    public String yamlName() {
      return yamlName;
    }

    /** Kinds whose stored value is the total of the batches' values. */
    public boolean additive() {
      return this == COUNT || this == SUM;
    }
  }

  public Metric {
    requireNonNull(name, "name is null");
    requireNonNull(kind, "kind is null");
  }
}
