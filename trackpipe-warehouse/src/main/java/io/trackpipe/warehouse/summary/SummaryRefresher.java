package io.trackpipe.warehouse.summary;

import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link SummaryTable summaries} equal to {@code events}: each run finds the hours whose facts were written
 * since the last run ({@code events.latest_update_time}, looked back by an overlap for transactions that committed
 * late), and recomputes exactly those hours (and their days) from {@code events}, one day per transaction. The first
 * run builds everything. Recomputing is idempotent, so concurrent or repeated runs are harmless; a database lock makes
 * one run at a time anyway. Reads of {@code events} are consistent reads (READ COMMITTED): the stream's writes are
 * never blocked.
 */
public final class SummaryRefresher {
  private static final Logger log = LoggerFactory.getLogger(SummaryRefresher.class);
  private static final String LOCK = "trackpipe_summary_refresh";
  private static final String SUMS = SummaryTable.SUMS.stream().map(c -> "SUM(" + c + ")").collect(Collectors.joining(", "));
  private static final String SUM_COLUMNS = String.join(", ", SummaryTable.SUMS);

  /** What one run did. */
  public record Run(boolean ran, int hours, int days, long millis) {}

  private final Warehouse warehouse;
  private final Duration overlap;

  /** @param overlap how far before the last run's start to look for writes (longer than any write transaction) */
  public SummaryRefresher(Warehouse warehouse, Duration overlap) {
    this.warehouse = warehouse;
    this.overlap = overlap;
  }

  /** True once the first full build finished: from then on the summaries can answer. */
  public boolean ready() throws SQLException {
    try (Connection c = warehouse.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT refreshed_through FROM summary_state WHERE id = 1")) {
      return rs.next() && rs.getTimestamp(1) != null;
    }
  }

  /** Brings the summaries up to date with {@code events}; returns at once if another run holds the lock. */
  public Run refresh() throws SQLException {
    long t0 = System.nanoTime();
    try (Connection c = warehouse.connect()) {
      if (!lock(c)) return new Run(false, 0, 0, 0);
      try {
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        LocalDateTime since = refreshedThrough(c);
        LocalDateTime now = databaseNow(c);
        if (since != null && !hasFacts(c)) {
          clear(c);
        }
        Map<LocalDate, TreeSet<Integer>> touched = touchedHours(c, since == null ? null : since.minus(overlap));
        int hours = 0;
        for (var day : touched.entrySet()) {
          recompute(c, day.getKey(), day.getValue());
          hours += day.getValue().size();
        }
        setRefreshedThrough(c, now);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (since == null || millis > 1000) {
          log.info("Summaries {}: {} hours of {} days recomputed in {} ms", since == null ? "built" : "refreshed", hours,
              touched.size(), millis);
        }
        return new Run(true, hours, touched.size(), millis);
      } finally {
        unlock(c);
      }
    }
  }

  private void recompute(Connection c, LocalDate date, TreeSet<Integer> hours) throws SQLException {
    c.setAutoCommit(false);
    try {
      String inHours = hours.stream().map(String::valueOf).collect(Collectors.joining(", "));
      for (SummaryTable t : SummaryTable.values()) {
        if (!t.hourly()) continue;
        update(c, "DELETE FROM " + t.table() + " WHERE dates = ? AND hours IN (" + inHours + ")", date);
        update(c, "INSERT INTO " + t.table() + " (dates, hours" + prefixed(t.keyColumns()) + ", " + SUM_COLUMNS + ")"
            + " SELECT dates, hours" + prefixed(selected(t)) + ", " + SUMS
            + " FROM events FORCE INDEX (events_dashboard) WHERE dates = ? AND hours IN (" + inHours + ")"
            + " GROUP BY dates, hours" + prefixed(selected(t)), date);
      }
      for (int order = 1; order <= 2; order++) {
        for (SummaryTable t : SummaryTable.values()) {
          if (t.recomputeOrder() != order) continue;
          List<String> keys = t.source().equals("events") ? selected(t) : t.keyColumns();
          update(c, "DELETE FROM " + t.table() + " WHERE dates = ?", date);
          update(c, "INSERT INTO " + t.table() + " (dates" + prefixed(t.keyColumns()) + ", " + SUM_COLUMNS + ")"
              + " SELECT dates" + prefixed(keys) + ", " + SUMS + " FROM " + t.source() + " WHERE dates = ?"
              + " GROUP BY dates" + prefixed(keys), date);
        }
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** company_id is NULL in events while a job is unknown; the summaries keep it as 0 (a key column cannot be NULL). */
  private static List<String> selected(SummaryTable t) {
    return t.keyColumns().stream().map(k -> k.equals("company_id") ? "COALESCE(company_id, 0)" : k).toList();
  }

  private static String prefixed(List<String> columns) {
    return columns.stream().map(k -> ", " + k).collect(Collectors.joining());
  }

  /** Hours written at or after {@code from} (every hour when null), by date. */
  private static Map<LocalDate, TreeSet<Integer>> touchedHours(Connection c, LocalDateTime from) throws SQLException {
    String sql = from == null ? "SELECT DISTINCT dates, hours FROM events"
        : "SELECT DISTINCT dates, hours FROM events FORCE INDEX (events_updated) WHERE latest_update_time >= ?";
    Map<LocalDate, TreeSet<Integer>> touched = new TreeMap<>();
    try (PreparedStatement st = c.prepareStatement(sql)) {
      if (from != null) st.setTimestamp(1, Timestamp.valueOf(from));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          touched.computeIfAbsent(rs.getDate(1).toLocalDate(), d -> new TreeSet<>()).add(rs.getInt(2));
        }
      }
    }
    return touched;
  }

  private static boolean hasFacts(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM events)")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** The facts were cleared (trackpipe stream --fresh): so are the summaries. */
  private static void clear(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (SummaryTable t : SummaryTable.values()) s.executeUpdate("DELETE FROM " + t.table());
    }
  }

  private static LocalDateTime refreshedThrough(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT refreshed_through FROM summary_state WHERE id = 1")) {
      return rs.next() ? rs.getObject(1, LocalDateTime.class) : null;
    }
  }

  /** The database's clock in UTC (connections are in UTC; see {@link Warehouse#connect()}). */
  private static LocalDateTime databaseNow(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT UTC_TIMESTAMP(3)")) {
      rs.next();
      return rs.getObject(1, LocalDateTime.class);
    }
  }

  private static void setRefreshedThrough(Connection c, LocalDateTime through) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "UPDATE summary_state SET refreshed_through = ?, refreshed_at = UTC_TIMESTAMP(3) WHERE id = 1")) {
      st.setTimestamp(1, Timestamp.valueOf(through));
      st.executeUpdate();
    }
  }

  private static void update(Connection c, String sql, LocalDate date) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      int params = (int) sql.chars().filter(ch -> ch == '?').count();
      for (int i = 1; i <= params; i++) st.setDate(i, Date.valueOf(date));
      st.executeUpdate();
    }
  }

  private static boolean lock(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT GET_LOCK(?, 0)")) {
      st.setString(1, LOCK);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() && rs.getInt(1) == 1;
      }
    }
  }

  private static void unlock(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
      st.setString(1, LOCK);
      st.executeQuery().close();
    }
  }
}
