package io.trackpipe.warehouse.session;

import static io.trackpipe.warehouse.SqlNames.quote;
import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.EventField;
import io.trackpipe.domain.FieldType;
import io.trackpipe.session.PageView;
import io.trackpipe.session.SessionDefinition;
import io.trackpipe.session.SessionFigures;
import io.trackpipe.session.Sessionizer;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.fact.ExactlyOnceWriter;
import io.trackpipe.warehouse.fact.FactBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a domain's pages and sessions tables equal to a recount of its counted views, exactly once, whatever order
 * and batches the views come in: by retract and re-add. The views of sessions that may still change are stored in the
 * state table; in a batch's commit transaction, for each user with new views, the stored views of the days they fall
 * on are read, the sessions before (stored) and after (stored + new) are computed ({@link Sessionizer#change}), the
 * signed difference is upserted (rows that come back to 0 are deleted), and the new views are stored. Then the views of
 * sessions no later view can reach are deleted, so the state stays bounded. Driver-side, one batch at a time.
 */
public final class SessionStage {
  private static final Logger log = LoggerFactory.getLogger(SessionStage.class);
  /**
   * How far behind the newest arrival a partition may still be when its records come: the newest arrival the
   * warehouse knows is the maximum over partitions, and a lagging partition brings views older than it by up to its
   * lag. An hour covers a partition held back by a slow producer or a rebalance; a partition further behind than
   * this can meet views already deleted, and then counts a new session where the recount would extend an old one.
   */
  public static final Duration PARTITION_LAG_MARGIN = Duration.ofHours(1);
  /** Users per read of the state table, and views per insert. */
  private static final int CHUNK = 500;

  private final SessionTables tables;
  private final Sessionizer sessionizer;
  private final Duration keepFor;

  /**
   * @param allowedLateness {@code stream.allowed-lateness}: a view counts if it arrives by then after its hour ends
   */
  public SessionStage(SessionTables tables, ZoneId zone, Duration allowedLateness) {
    this.tables = requireNonNull(tables, "tables is null");
    SessionDefinition definition = tables.definition();
    this.sessionizer = new Sessionizer(definition.gap(), zone);
    this.keepFor = keepFor(allowedLateness, definition.gap());
  }

  /**
   * How long after the newest arrival a user's views of a day are kept once the last of them is older: any view that
   * can still count has an event time at least (its arrival − lateness − 1 h), so a session that ended more than a gap
   * before that cannot change.
   */
  public static Duration keepFor(Duration allowedLateness, Duration gap) {
    return allowedLateness.plus(Duration.ofHours(1)).plus(gap).plus(PARTITION_LAG_MARGIN);
  }

  public SessionTables tables() {
    return tables;
  }

  public Sessionizer sessionizer() {
    return sessionizer;
  }

  /** Creates the state table when missing (the two tables are rollup tables: {@link SessionTables#targets()}). */
  public void ensureStateTable(Warehouse warehouse) throws SQLException {
    warehouse.inTransaction(c -> {
      try (Statement s = c.createStatement()) {
        s.execute(tables.createStateSql());
      }
      return null;
    });
  }

  /**
   * A counted event as a view: the user as text, the page and the dimensions cut as key columns keep them, a missing
   * value as its default. Null for an event without a user: it belongs to no session.
   */
  public PageView view(Object user, long timeMillis, String eventId, Object page, List<Object> dimensions) {
    return SessionTables.view(user, timeMillis, eventId, page, dimensions, tables.integerDimensions());
  }

  /** The commit step that applies {@code views} (counted, first copies) of one batch. */
  public ExactlyOnceWriter.CommitStep step(List<PageView> views, String sources) {
    List<PageView> batch = List.copyOf(views);
    return (c, arrivedUntil) -> apply(c, batch, arrivedUntil, sources);
  }

  List<FactBatch> apply(Connection c, List<PageView> views, Instant arrivedUntil, String sources) throws SQLException {
    Map<String, List<PageView>> byUser = new LinkedHashMap<>();
    for (PageView v : views) byUser.computeIfAbsent(v.user(), u -> new ArrayList<>()).add(v);
    Map<String, List<PageView>> stored = load(c, new ArrayList<>(byUser.keySet()));
    SessionFigures change = new SessionFigures();
    List<PageView> fresh = new ArrayList<>();
    for (Map.Entry<String, List<PageView>> e : byUser.entrySet()) {
      List<PageView> before = stored.getOrDefault(e.getKey(), List.of());
      Set<List<Object>> known = new HashSet<>();
      before.forEach(v -> known.add(List.of(v.timeMillis(), v.eventId())));
      List<PageView> added = new ArrayList<>();
      Set<LocalDate> days = new HashSet<>();
      for (PageView v : e.getValue()) {
        // A view stored already (the same event in an earlier batch) changes nothing.
        if (known.add(List.of(v.timeMillis(), v.eventId()))) {
          added.add(v);
          days.add(sessionizer.date(v.timeMillis()));
        }
      }
      if (added.isEmpty()) continue;
      List<PageView> sameDays = before.stream().filter(v -> days.contains(sessionizer.date(v.timeMillis()))).toList();
      change.add(sessionizer.change(sameDays, added), 1);
      fresh.addAll(added);
    }
    store(c, fresh);
    purge(c, arrivedUntil);
    List<FactBatch> batches = new ArrayList<>();
    List<Object[]> pageRows = tables.pageRows(change, sources);
    List<Object[]> sessionRows = tables.sessionRows(change, sources);
    if (!pageRows.isEmpty()) batches.add(new FactBatch(tables.pages(), pageRows, true));
    if (!sessionRows.isEmpty()) batches.add(new FactBatch(tables.sessions(), sessionRows, true));
    return batches;
  }

  /** The stored views of {@code users}, every day still stored. */
  private Map<String, List<PageView>> load(Connection c, List<String> users) throws SQLException {
    Map<String, List<PageView>> stored = new LinkedHashMap<>();
    List<EventField> dims = tables.dimensionFields();
    StringBuilder columns = new StringBuilder("`user_key`, `view_time`, `event_id`, `page`");
    for (EventField f : dims) columns.append(", ").append(quote(SessionTables.stateColumn(f.name())));
    for (int from = 0; from < users.size(); from += CHUNK) {
      List<String> chunk = users.subList(from, Math.min(users.size(), from + CHUNK));
      String sql = "SELECT " + columns + " FROM " + quote(tables.definition().stateTable()) + " WHERE `user_key` IN ("
          + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
      try (PreparedStatement s = c.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) s.setString(i + 1, chunk.get(i));
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            List<Object> values = new ArrayList<>(dims.size());
            for (int d = 0; d < dims.size(); d++) {
              values.add(dims.get(d).type() == FieldType.INTEGER ? (Object) rs.getLong(5 + d) : rs.getString(5 + d));
            }
            long time = rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC).toEpochMilli();
            stored.computeIfAbsent(rs.getString(1), u -> new ArrayList<>())
                .add(new PageView(rs.getString(1), time, rs.getString(3), rs.getString(4), values));
          }
        }
      }
    }
    return stored;
  }

  private void store(Connection c, List<PageView> views) throws SQLException {
    if (views.isEmpty()) return;
    int columns = 5 + tables.dimensionFields().size();
    String row = "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
    StringBuilder names = new StringBuilder("`user_key`, `view_date`, `view_time`, `event_id`, `page`");
    for (EventField f : tables.dimensionFields()) names.append(", ").append(quote(SessionTables.stateColumn(f.name())));
    for (int from = 0; from < views.size(); from += CHUNK) {
      List<PageView> chunk = views.subList(from, Math.min(views.size(), from + CHUNK));
      String sql = "INSERT INTO " + quote(tables.definition().stateTable()) + " (" + names + ") VALUES "
          + String.join(", ", Collections.nCopies(chunk.size(), row));
      try (PreparedStatement s = c.prepareStatement(sql)) {
        int p = 1;
        for (PageView v : chunk) {
          s.setString(p++, v.user());
          s.setObject(p++, sessionizer.date(v.timeMillis()));
          s.setObject(p++, LocalDateTime.ofInstant(Instant.ofEpochMilli(v.timeMillis()), ZoneOffset.UTC));
          s.setString(p++, v.eventId());
          s.setString(p++, v.page());
          for (Object d : v.dimensions()) s.setObject(p++, d);
        }
        s.executeUpdate();
      }
    }
  }

  /**
   * Deletes the stored views of every session whose last view is older than {@code arrivedUntil − keepFor}: no view
   * that can still count is within a gap of it (and sessions do not cross midnight), so it can no longer change, and
   * a later view starts a session of its own, whose change needs none of them. Reads the views of the user-days that
   * have a view older than that; keeps the open session (and those after it) of each.
   *
   * @return the views deleted
   */
  int purge(Connection c, Instant arrivedUntil) throws SQLException {
    if (arrivedUntil == null) return 0;
    Instant cutoff = arrivedUntil.minus(keepFor);
    String table = quote(tables.definition().stateTable());
    Map<List<Object>, List<PageView>> byUserDay = new LinkedHashMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT `user_key`, `view_date`, `view_time`, `event_id` FROM " + table
        + " WHERE (`user_key`, `view_date`) IN (SELECT `user_key`, `view_date` FROM " + table + " WHERE `view_time` < ?)")) {
      s.setObject(1, LocalDateTime.ofInstant(cutoff, ZoneOffset.UTC));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long time = rs.getObject(3, LocalDateTime.class).toInstant(ZoneOffset.UTC).toEpochMilli();
          byUserDay.computeIfAbsent(List.of(rs.getString(1), rs.getObject(2, LocalDate.class)), k -> new ArrayList<>())
              .add(new PageView(rs.getString(1), time, rs.getString(4), "", List.of()));
        }
      }
    }
    List<Object[]> deletions = new ArrayList<>();
    for (Map.Entry<List<Object>, List<PageView>> e : byUserDay.entrySet()) {
      long closedUntil = Long.MIN_VALUE;
      for (Sessionizer.Session session : sessionizer.sessions(e.getValue())) {
        if (session.last().timeMillis() < cutoff.toEpochMilli()) closedUntil = Math.max(closedUntil, session.last().timeMillis());
      }
      // Sessions are apart by more than a gap, so every view up to the last closed session's end is in a closed one.
      if (closedUntil != Long.MIN_VALUE) deletions.add(new Object[] {e.getKey().get(0), e.getKey().get(1), closedUntil});
    }
    if (deletions.isEmpty()) return 0;
    int deleted = 0;
    try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table
        + " WHERE `user_key` = ? AND `view_date` = ? AND `view_time` <= ?")) {
      for (Object[] d : deletions) {
        s.setString(1, (String) d[0]);
        s.setObject(2, d[1]);
        s.setObject(3, LocalDateTime.ofInstant(Instant.ofEpochMilli((Long) d[2]), ZoneOffset.UTC));
        s.addBatch();
      }
      for (int n : s.executeBatch()) deleted += Math.max(n, 0);
    }
    log.debug("Deleted {} stored views of closed sessions of {} user-days (ended before {})", deleted, deletions.size(), cutoff);
    return deleted;
  }
}
