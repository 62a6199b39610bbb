package io.trackpipe.warehouse.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads and writes {@code pipeline_status}: one row per job, replaced with each progress of the job's query. Thread-safe. */
public final class PipelineStatusTable {
  public static final String TABLE = "pipeline_status";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "job, started_at, updated_at, batch_id, batches, records_read, events_counted,"
      + " duplicates, too_late, dead_letters, dead_letters_by_reason, rows_upserted, last_batch_millis, lag_records,"
      + " input_per_second, processed_per_second, freshness_p50_millis, freshness_p99_millis";

  private final Warehouse warehouse;

  public PipelineStatusTable(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  /** Replaces the job's row. */
  public void record(PipelineStatus s) throws SQLException {
    try (Connection c = warehouse.connect();
        PreparedStatement st = c.prepareStatement("REPLACE INTO " + TABLE + " (" + COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      int i = 0;
      st.setString(++i, s.job());
      st.setTimestamp(++i, utc(s.startedAt()));
      st.setTimestamp(++i, utc(s.updatedAt()));
      st.setLong(++i, s.batchId());
      st.setLong(++i, s.batches());
      st.setLong(++i, s.recordsRead());
      st.setLong(++i, s.eventsCounted());
      st.setLong(++i, s.duplicates());
      st.setLong(++i, s.tooLate());
      st.setLong(++i, s.deadLetters());
      st.setString(++i, json(s.deadLettersByReason()));
      st.setLong(++i, s.rowsUpserted());
      st.setLong(++i, s.lastBatchMillis());
      setNullable(st, ++i, s.lagRecords());
      st.setDouble(++i, s.inputPerSecond());
      st.setDouble(++i, s.processedPerSecond());
      setNullable(st, ++i, s.freshnessP50Millis());
      setNullable(st, ++i, s.freshnessP99Millis());
      st.executeUpdate();
    }
  }

  /** Every job's row, by job name. */
  public List<PipelineStatus> readAll(Connection c) throws SQLException {
    List<PipelineStatus> all = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE + " ORDER BY job");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        all.add(new PipelineStatus(rs.getString("job"), instant(rs, "started_at"), instant(rs, "updated_at"),
            rs.getLong("batch_id"), rs.getLong("batches"), rs.getLong("records_read"), rs.getLong("events_counted"),
            rs.getLong("duplicates"), rs.getLong("too_late"), rs.getLong("dead_letters"),
            reasons(rs.getString("dead_letters_by_reason")), rs.getLong("rows_upserted"), rs.getLong("last_batch_millis"),
            rs.getObject("lag_records", Long.class), rs.getDouble("input_per_second"), rs.getDouble("processed_per_second"),
            rs.getObject("freshness_p50_millis", Long.class), rs.getObject("freshness_p99_millis", Long.class)));
      }
    }
    return all;
  }

  /** Connections are in UTC (see {@link Warehouse#connect()}): a LocalDateTime in UTC goes in and out unchanged. */
  private static Timestamp utc(Instant instant) {
    return Timestamp.valueOf(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
  }

  private static void setNullable(PreparedStatement st, int index, Long value) throws SQLException {
    if (value == null) st.setNull(index, Types.BIGINT);
    else st.setLong(index, value);
  }

  private static String json(Map<String, Long> reasons) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(reasons));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write reasons as JSON", e);
    }
  }

  private static Map<String, Long> reasons(String json) throws SQLException {
    try {
      return JSON.readValue(json, new TypeReference<TreeMap<String, Long>>() {});
    } catch (JsonProcessingException e) {
      throw new SQLException("pipeline_status.dead_letters_by_reason is not a JSON object: " + json, e);
    }
  }
}
