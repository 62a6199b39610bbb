package io.trackpipe.warehouse.calendar;

import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Keeps {@code hour_calendar} filled: each local (dates, hours) of the facts with the UTC instant it starts at, in the
 * facts' zone ({@code stream.time-zone}), daylight saving included. Tools that need real instants (Grafana) join the
 * facts with it. Rows are only ever added, so filling is idempotent and cheap to repeat.
 */
public final class HourCalendar {
  public static final String TABLE = "hour_calendar";
  private final Warehouse warehouse;
  private final ZoneId zone;

  public HourCalendar(Warehouse warehouse, ZoneId zone) {
    this.warehouse = warehouse;
    this.zone = zone;
  }

  /**
   * Covers every date of the facts and the days around {@code today}: from the earliest fact date (or a week before
   * today) to two days after today.
   */
  public void fillAround(LocalDate today) throws SQLException {
    try (Connection c = warehouse.connect()) {
      LocalDate from = today.minusDays(7);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MIN(dates) FROM events")) {
        if (rs.next() && rs.getDate(1) != null && rs.getDate(1).toLocalDate().isBefore(from)) {
          from = rs.getDate(1).toLocalDate();
        }
      }
      fill(c, from, today.plusDays(2));
    }
  }

  /** Adds the hours of {@code from} … {@code to} (inclusive) that are missing. */
  public void fill(Connection c, LocalDate from, LocalDate to) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("INSERT IGNORE INTO " + TABLE
        + " (dates, hours, hour_start_utc, time_zone) VALUES (?, ?, ?, ?)")) {
      int pending = 0;
      for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
        for (int h = 0; h < 24; h++) {
          LocalDateTime local = d.atTime(h, 0);
          // Hours skipped by a spring-forward switch do not exist locally: no facts can be in them.
          if (zone.getRules().getValidOffsets(local).isEmpty()) continue;
          ZonedDateTime start = ZonedDateTime.ofLocal(local, zone, null).withEarlierOffsetAtOverlap();
          st.setDate(1, Date.valueOf(d));
          st.setInt(2, h);
          st.setTimestamp(3, Timestamp.valueOf(start.withZoneSameInstant(ZoneOffset.UTC).toLocalDateTime()));
          st.setString(4, zone.getId());
          st.addBatch();
          if (++pending == 1000) {
            st.executeBatch();
            pending = 0;
          }
        }
      }
      if (pending > 0) st.executeBatch();
    }
  }
}
