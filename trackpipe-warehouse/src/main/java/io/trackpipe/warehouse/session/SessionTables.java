package io.trackpipe.warehouse.session;

import static io.trackpipe.warehouse.SqlNames.quote;
import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.FieldType;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.session.PageView;
import io.trackpipe.session.SessionDefinition;
import io.trackpipe.session.SessionFigures;
import io.trackpipe.warehouse.fact.FactColumn;
import io.trackpipe.warehouse.fact.FactColumn.Merge;
import io.trackpipe.warehouse.fact.FactTable;
import io.trackpipe.warehouse.rollup.RollupTables;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The warehouse side of a domain's sessions: the pages and sessions tables (from their rollup definitions, with the
 * column types of every rollup table) and the state table of the views of sessions that may still change.
 */
public record SessionTables(SessionDefinition definition, RollupDefinition pagesRollup, RollupDefinition sessionsRollup,
    FactTable pages, FactTable sessions, List<EventField> dimensionFields) {
  /** Text keys are cut to this many characters, as in every rollup table. */
  static final int TEXT_CHARS = DomainCatalog.TEXT_KEY_CHARS;
  private static final String TEXT_KEY = "VARCHAR(" + TEXT_CHARS + ") COLLATE utf8mb4_bin NOT NULL";
  /** Seconds with 3 decimals: the sums of milliseconds, exact. */
  private static final String SECONDS = "DECIMAL(20, 3) NOT NULL DEFAULT 0";

  public SessionTables {
    requireNonNull(definition, "definition is null");
    dimensionFields = List.copyOf(dimensionFields);
  }

  /** The domain's session tables; empty-handed callers check {@link Domain#sessions()} first. */
  public static SessionTables of(Domain domain) {
    SessionDefinition definition = requireNonNull(domain.sessions(), "domain " + domain.name() + " has no sessions");
    RollupDefinition pages = domain.rollups().rollup(definition.pagesTable()).orElseThrow();
    RollupDefinition sessions = domain.rollups().rollup(definition.sessionsTable()).orElseThrow();
    List<EventField> fields = domain.schema().fields();
    List<EventField> dimensionFields = definition.dimensions().stream()
        .map(d -> fields.stream().filter(f -> f.name().equals(d)).findFirst().orElseThrow()).toList();
    return new SessionTables(definition, pages, sessions, table(pages, fields), table(sessions, fields), dimensionFields);
  }

  /** For {@link RollupTables#ensure}: both tables, created like every rollup's. */
  public List<RollupTables.Target> targets() {
    return List.of(new RollupTables.Target(pagesRollup, pages, true), new RollupTables.Target(sessionsRollup, sessions, true));
  }

  /** The state table: one row per stored view, keyed by user and local date for the per-user reads of a batch. */
  public String createStateSql() {
    StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(quote(definition.stateTable())).append(" (\n")
        .append("  `user_key` ").append(TEXT_KEY).append(",\n")
        .append("  `view_date` DATE NOT NULL COMMENT 'local date',\n")
        .append("  `view_time` DATETIME(3) NOT NULL COMMENT 'UTC',\n")
        .append("  `event_id` ").append(TEXT_KEY).append(",\n")
        .append("  `page` ").append(TEXT_KEY).append(",\n");
    for (EventField f : dimensionFields) {
      sql.append("  ").append(quote(stateColumn(f.name()))).append(' ').append(f.type() == FieldType.INTEGER ? "BIGINT NOT NULL" : TEXT_KEY)
          .append(",\n");
    }
    // The time index finds the purge's old views without reading the whole table.
    return sql.append("  PRIMARY KEY (`user_key`, `view_date`, `view_time`, `event_id`),\n  KEY `by_view_time` (`view_time`)\n)"
        + " ENGINE = InnoDB DEFAULT CHARSET = utf8mb4")
        .toString();
  }

  /** For each dimension, whether its field is an integer (else text). */
  public boolean[] integerDimensions() {
    boolean[] integer = new boolean[dimensionFields.size()];
    for (int i = 0; i < integer.length; i++) integer[i] = dimensionFields.get(i).type() == FieldType.INTEGER;
    return integer;
  }

  /**
   * A counted event as a view: the user as text, the page and the dimensions cut as key columns keep them, a missing
   * value as its default ('' for text, 0 for an integer: a key column cannot be NULL). Null for an event without a
   * user: it belongs to no session. Static, so that Spark's executors can call it (the batch path).
   *
   * @param integer {@link #integerDimensions()}
   */
  public static PageView view(Object user, long timeMillis, String eventId, Object page, List<Object> dimensions,
      boolean[] integer) {
    if (user == null) return null;
    List<Object> values = new ArrayList<>(dimensions.size());
    for (int i = 0; i < dimensions.size(); i++) {
      Object value = dimensions.get(i);
      if (integer[i]) values.add(value == null ? 0L : ((Number) value).longValue());
      else values.add(value == null ? "" : cut(value.toString()));
    }
    return new PageView(cut(user.toString()), timeMillis, eventId, page == null ? "" : cut(page.toString()), values);
  }

  /** A dimension's column in the state table. */
  static String stateColumn(String dimension) {
    return "dim_" + dimension;
  }

  /** The rows of {@code figures} in {@link #pages()} column order, ratios from the row's own counters. */
  public List<Object[]> pageRows(SessionFigures figures, String sources) {
    List<Object[]> rows = new ArrayList<>();
    for (Map.Entry<List<Object>, long[]> e : figures.pages().entrySet()) {
      long[] v = e.getValue();
      BigDecimal timeOnPage = seconds(v[SessionFigures.Page.TIME_ON_PAGE_MILLIS.ordinal()]);
      long views = v[SessionFigures.Page.VIEWS.ordinal()];
      long timed = v[SessionFigures.Page.TIMED_VIEWS.ordinal()];
      long exits = v[SessionFigures.Page.EXITS.ordinal()];
      rows.add(new Object[] {cut((String) e.getKey().get(0)), e.getKey().get(1), views, timed, timeOnPage,
          v[SessionFigures.Page.ENTRANCES.ordinal()], exits, ratio(timeOnPage, timed), ratio(BigDecimal.valueOf(exits), views),
          sources, null});
    }
    return rows;
  }

  /** The rows of {@code figures} in {@link #sessions()} column order. */
  public List<Object[]> sessionRows(SessionFigures figures, String sources) {
    List<Object[]> rows = new ArrayList<>();
    for (Map.Entry<List<Object>, long[]> e : figures.sessions().entrySet()) {
      long[] v = e.getValue();
      long count = v[SessionFigures.Session.SESSIONS.ordinal()];
      long pageviews = v[SessionFigures.Session.PAGEVIEWS.ordinal()];
      long bounces = v[SessionFigures.Session.BOUNCES.ordinal()];
      BigDecimal duration = seconds(v[SessionFigures.Session.DURATION_MILLIS.ordinal()]);
      List<Object> row = new ArrayList<>(e.getKey());
      row.addAll(java.util.Arrays.asList(count, pageviews, bounces, duration, ratio(BigDecimal.valueOf(pageviews), count),
          ratio(BigDecimal.valueOf(bounces), count), ratio(duration, count), sources, null));
      rows.add(row.toArray());
    }
    return rows;
  }

  /** A text value as a key column keeps it. */
  static String cut(String text) {
    if (text.length() <= TEXT_CHARS) return text;
    int end = Character.isHighSurrogate(text.charAt(TEXT_CHARS - 1)) ? TEXT_CHARS - 1 : TEXT_CHARS;
    return text.substring(0, end);
  }

  static BigDecimal seconds(long millis) {
    return BigDecimal.valueOf(millis, 3);
  }

  /** As the upsert's derived column computes it: 6 decimals, half up, NULL for a zero denominator. */
  static BigDecimal ratio(BigDecimal numerator, long denominator) {
    return denominator == 0 ? null : numerator.divide(BigDecimal.valueOf(denominator), 6, RoundingMode.HALF_UP);
  }

  private static FactTable table(RollupDefinition rollup, List<EventField> fields) {
    List<FactColumn> columns = new ArrayList<>();
    for (Dimension d : rollup.dimensions()) {
      String type = d.isTime() ? "DATE NOT NULL"
          : fields.stream().anyMatch(f -> f.name().equals(d.name()) && f.type() == FieldType.INTEGER) ? "BIGINT NOT NULL" : TEXT_KEY;
      columns.add(FactColumn.of(d.name(), Merge.KEY).withSqlType(type));
    }
    for (Metric m : rollup.metrics()) {
      columns.add(switch (m.kind()) {
        case COUNT -> FactColumn.of(m.name(), Merge.ADD).withSqlType("BIGINT NOT NULL DEFAULT 0");
        case SUM -> FactColumn.of(m.name(), Merge.ADD).withSqlType(SECONDS);
        // Divided at 10 decimals then stored at 6, rounded: what the rows' Java ratios give on insert.
        case RATIO -> FactColumn.derived(m.name(), "CAST(" + quote(m.numerator()) + " AS DECIMAL(30, 10)) / NULLIF("
            + quote(m.denominator()) + ", 0)").withSqlType("DECIMAL(20, 6) NULL");
        default -> throw new IllegalStateException("session table " + rollup.table() + ": unexpected " + m.kind() + " metric");
      });
    }
    columns.add(FactColumn.of("sources", Merge.REPLACE).withSqlType("VARCHAR(32) NOT NULL"));
    columns.add(FactColumn.of("latest_update_time", Merge.WRITE_TIME).withSqlType("DATETIME(3) NOT NULL COMMENT 'UTC'"));
    return new FactTable(rollup.table(), columns);
  }
}
