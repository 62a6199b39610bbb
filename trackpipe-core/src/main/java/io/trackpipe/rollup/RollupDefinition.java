package io.trackpipe.rollup;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One declared rollup: which events (filter), grouped by which dimensions, measured how, into which table. The
 * streaming job and the batch path compute every definition from the same events, exactly once.
 *
 * @param filter Spark SQL condition on the source columns; null: every event
 * @param lookups names of the {@link Lookup}s whose columns the rollup reads
 * @param attributes non-key columns copied from the events (a lookup's column such as {@code company_id}): the
 *     group's largest value, and a stored value is only replaced by a non-null one
 * @param computedFrom what fills the table: the events ({@link Computation#EVENTS}, every declared rollup), or the
 *     domain's sessions ({@link Computation#SESSIONS}, the two tables a {@code sessions:} section adds)
 */
public record RollupDefinition(
    String name,
    String description,
    String table,
    String filter,
    List<String> lookups,
    List<Dimension> dimensions,
    List<String> attributes,
    List<Metric> metrics,
    List<TotalsView> views,
    Computation computedFrom) {

  /** What computes a rollup's rows. */
  public enum Computation {
    /** The rollup engine, from the events' columns. */
    EVENTS,
    /** The session stage, from each user's sessions: the table's rows change as late views join sessions. */
    SESSIONS
  }

  /** A rollup computed from the events. */
  public RollupDefinition(String name, String description, String table, String filter, List<String> lookups,
      List<Dimension> dimensions, List<String> attributes, List<Metric> metrics, List<TotalsView> views) {
    this(name, description, table, filter, lookups, dimensions, attributes, metrics, views, Computation.EVENTS);
  }

  public RollupDefinition {
    requireNonNull(computedFrom, "computedFrom is null");
    requireNonNull(name, "name is null");
    requireNonNull(table, "table is null");
    description = description == null ? "" : description;
    lookups = List.copyOf(lookups);
    dimensions = List.copyOf(dimensions);
    attributes = List.copyOf(attributes);
    metrics = List.copyOf(metrics);
    views = List.copyOf(views);
  }

  /** How finely the rows are bucketed in time: what a recomputation of a time range must rewrite. */
  public enum Granularity { HOURLY, DAILY }

  /** HOURLY with an hour dimension or a day plus an hour of day; DAILY with a day only; empty without either. */
  public Optional<Granularity> granularity() {
    boolean hour = has(TimeGrain.HOUR);
    boolean day = has(TimeGrain.DAY);
    if (hour || (day && has(TimeGrain.HOUR_OF_DAY))) return Optional.of(Granularity.HOURLY);
    return day ? Optional.of(Granularity.DAILY) : Optional.empty();
  }

  /** The value column of a distinct metric's side table. */
  public static final String DISTINCT_VALUE = "distinct_value";

  /** The side table of a distinct metric: this rollup's key plus {@link #DISTINCT_VALUE}, one row per value seen. */
  public String distinctTable(Metric metric) {
    return table + "__" + metric.name();
  }

  public Optional<Metric> metric(String metricName) {
    return metrics.stream().filter(m -> m.name().equals(metricName)).findFirst();
  }

  private boolean has(TimeGrain grain) {
    return dimensions.stream().anyMatch(d -> d.time() == grain);
  }
}
