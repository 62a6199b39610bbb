package io.trackpipe.session;

import io.trackpipe.domain.EventField;
import io.trackpipe.domain.FieldType;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.RollupDefinition.Computation;
import io.trackpipe.rollup.TimeGrain;
import java.util.ArrayList;
import java.util.List;

/**
 * The two tables a {@code sessions:} section adds, as rollup definitions of the domain: so that table creation, the
 * query API, the Hive export, the search index and {@code --fresh} treat them like any rollup. They are marked
 * {@link Computation#SESSIONS}: the session stage fills them, not the rollup engine. Metrics are declared in the
 * order of {@link SessionFigures.Page} and {@link SessionFigures.Session}, ratios last.
 */
public final class SessionRollups {
  private SessionRollups() {}

  /** The pages table, then the sessions table. */
  public static List<RollupDefinition> of(SessionDefinition sessions, List<EventField> fields) {
    RollupDefinition pages = new RollupDefinition(sessions.pagesTable(),
        "Views, time on page, entrances and exits per page and day, from sessions (docs/sessions.md).", sessions.pagesTable(),
        null, List.of(), List.of(dimension(sessions.page(), fields), Dimension.time(SessionDefinition.DATES, TimeGrain.DAY)),
        List.of(), List.of(
            count("views"), count("timed_views"), sum("time_on_page"), count("entrances"), count("exits"),
            ratio("avg_time_on_page", "time_on_page", "timed_views"), ratio("exit_rate", "exits", "views")),
        List.of(), Computation.SESSIONS);
    List<Dimension> keys = new ArrayList<>();
    keys.add(Dimension.time(SessionDefinition.DATES, TimeGrain.DAY));
    sessions.dimensions().forEach(d -> keys.add(dimension(d, fields)));
    RollupDefinition sessionsTable = new RollupDefinition(sessions.sessionsTable(),
        "Sessions, pageviews, bounces and duration per day and first view's " + sessions.dimensions() + " (docs/sessions.md).",
        sessions.sessionsTable(), null, List.of(), keys, List.of(), List.of(
            count("sessions"), count("pageviews"), count("bounces"), sum("duration"),
            ratio("pages_per_session", "pageviews", "sessions"), ratio("bounce_rate", "bounces", "sessions"),
            ratio("avg_session_duration", "duration", "sessions")),
        List.of(), Computation.SESSIONS);
    return List.of(pages, sessionsTable);
  }

  private static Dimension dimension(String field, List<EventField> fields) {
    boolean integer = fields.stream().anyMatch(f -> f.name().equals(field) && f.type() == FieldType.INTEGER);
    return new Dimension(field, field, null, integer ? "0" : "''");
  }

  private static Metric count(String name) {
    return new Metric(name, Metric.Kind.COUNT, null, null, null, null);
  }

  /** Seconds with 3 decimals: the session stage sums milliseconds. */
  private static Metric sum(String name) {
    return new Metric(name, Metric.Kind.SUM, null, null, null, null);
  }

  private static Metric ratio(String name, String numerator, String denominator) {
    return new Metric(name, Metric.Kind.RATIO, null, null, numerator, denominator);
  }
}
