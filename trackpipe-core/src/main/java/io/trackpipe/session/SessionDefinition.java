package io.trackpipe.session;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * A domain's {@code sessions:} section: which field is the visitor and which the page, how long an inactivity ends a
 * session, which fields of a session's first view key the sessions table, and the two tables' names. The stream keeps
 * the two tables current through {@link Sessionizer} (docs/sessions.md).
 *
 * @param user the visitor field
 * @param page the page field (text)
 * @param gap a view more than this after the previous one starts a new session
 * @param dimensions fields of a session's first view that key the sessions table, after the date
 * @param stateTable the warehouse table holding the views of sessions that may still change
 */
public record SessionDefinition(String user, String page, Duration gap, List<String> dimensions, String pagesTable,
    String sessionsTable, String stateTable) {
  /** Inactivity that ends a session when the file does not say: what web analytics tools use. */
  public static final Duration DEFAULT_GAP = Duration.ofMinutes(30);
  public static final String DEFAULT_PAGES_TABLE = "page_time_daily";
  public static final String DEFAULT_SESSIONS_TABLE = "sessions_daily";
  /** The date key column of both tables. */
  public static final String DATES = "dates";

  public SessionDefinition {
    requireNonNull(user, "user is null");
    requireNonNull(page, "page is null");
    requireNonNull(gap, "gap is null");
    requireNonNull(pagesTable, "pagesTable is null");
    requireNonNull(sessionsTable, "sessionsTable is null");
    requireNonNull(stateTable, "stateTable is null");
    dimensions = List.copyOf(dimensions);
    if (gap.isNegative() || gap.isZero()) throw new IllegalArgumentException("gap must be positive, got " + gap);
  }

  /** {@code <domain>__session_views}, '-' as '_': the state table's name for a domain. */
  public static String stateTableOf(String domain) {
    return domain.replace('-', '_') + "__session_views";
  }

  /** This section with another gap ({@code stream.session-gap}). */
  public SessionDefinition withGap(Duration other) {
    return new SessionDefinition(user, page, other, dimensions, pagesTable, sessionsTable, stateTable);
  }
}
