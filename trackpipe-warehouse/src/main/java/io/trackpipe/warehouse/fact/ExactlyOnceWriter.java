package io.trackpipe.warehouse.fact;

import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Applies a streaming micro-batch to fact tables exactly once.
 *
 * <p>Spark re-runs a micro-batch with the same id and the same input after a crash, so each batch's facts are
 * written in one transaction together with the sink's last batch id in {@code stream_commit}; a batch whose id
 * is not above the committed one was already applied and is skipped. That makes additive upserts safe.
 */
public final class ExactlyOnceWriter {
  private static final int ROWS_PER_STATEMENT = 500;
  private static final int MAX_ATTEMPTS = 5;

  private final Warehouse warehouse;

  public ExactlyOnceWriter(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  /** What a commit did. */
  public record Outcome(boolean applied, long rowsWritten) {}

  /**
   * @param sink the streaming sink's stable name
   * @param queryId the Spark query id, stable for the life of a checkpoint
   * @return whether the batch was applied now (false: it had been applied before)
   * @throws IllegalStateException when the warehouse holds commits of another checkpoint for this sink
   */
  public Outcome commit(String sink, String queryId, long batchId, List<FactBatch> batches) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return tryCommit(sink, queryId, batchId, batches);
      } catch (SQLTransientException e) {
        // Deadlocks and lock wait time-outs roll the whole transaction back: retrying is safe.
        if (attempt >= MAX_ATTEMPTS) throw e;
        sleep(100L * attempt);
      }
    }
  }

  private Outcome tryCommit(String sink, String queryId, long batchId, List<FactBatch> batches) throws SQLException {
    return warehouse.inTransaction(c -> {
      Optional<StreamCommit> last = lastCommit(c, sink, true);
      if (last.isPresent()) {
        if (!last.get().queryId().equals(queryId)) {
          throw new IllegalStateException(otherCheckpointMessage(last.get(), queryId));
        }
        if (batchId <= last.get().batchId()) {
          return new Outcome(false, 0);
        }
      }
      long rows = 0;
      for (FactBatch batch : batches) {
        rows += upsert(c, batch);
      }
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO stream_commit (sink, query_id, batch_id, committed_at) VALUES (?, ?, ?, ?)"
              + " ON DUPLICATE KEY UPDATE query_id = VALUES(query_id), batch_id = VALUES(batch_id), committed_at = VALUES(committed_at)")) {
        s.setString(1, sink);
        s.setString(2, queryId);
        s.setLong(3, batchId);
        s.setTimestamp(4, Timestamp.from(Instant.now()));
        s.executeUpdate();
      }
      return new Outcome(true, rows);
    });
  }

  /** Why a job must not continue on a checkpoint other than the one the warehouse's facts came from, and what to do. */
  public static String otherCheckpointMessage(StreamCommit committed, String queryId) {
    return "the warehouse holds facts committed by streaming query " + committed.queryId() + " (sink '" + committed.sink()
        + "', up to batch " + committed.batchId() + "), but this job runs query " + queryId + " from a different checkpoint;"
        + " continuing would count retained Kafka events twice. Restore the original checkpoint folder, or start over"
        + " with --fresh (clears the streamed facts and the checkpoint).";
  }

  /** The sink's last commit, if any. */
  public Optional<StreamCommit> lastCommit(String sink) throws SQLException {
    try (Connection c = warehouse.connect()) {
      return lastCommit(c, sink, false);
    }
  }

  private static Optional<StreamCommit> lastCommit(Connection c, String sink, boolean lock) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT query_id, batch_id FROM stream_commit WHERE sink = ?" + (lock ? " FOR UPDATE" : ""))) {
      s.setString(1, sink);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(new StreamCommit(sink, rs.getString(1), rs.getLong(2))) : Optional.empty();
      }
    }
  }

  /** Forgets a sink and empties its tables (those that exist): the warehouse half of starting over. */
  public void reset(String sink, List<String> tables) throws SQLException {
    warehouse.inTransaction(c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM stream_commit WHERE sink = ?")) {
        s.setString(1, sink);
        s.executeUpdate();
      }
      for (String table : tables) {
        if (!FactTable.isPlainName(table)) throw new IllegalArgumentException("not a plain table name: " + table);
        try (PreparedStatement exists = c.prepareStatement(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?")) {
          exists.setString(1, table);
          try (ResultSet rs = exists.executeQuery()) {
            if (!rs.next()) continue;
          }
        }
        try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table)) {
          d.executeUpdate();
        }
      }
      return null;
    });
  }

  private static long upsert(Connection c, FactBatch batch) throws SQLException {
    List<Object[]> rows = new ArrayList<>(batch.rows());
    // One key order for every writer keeps concurrent transactions from deadlocking on each other's rows.
    rows.sort(keyOrder(batch.table()));
    int columns = batch.table().columns().size();
    for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
      int to = Math.min(rows.size(), from + ROWS_PER_STATEMENT);
      try (PreparedStatement s = c.prepareStatement(batch.table().upsertSql(to - from))) {
        int p = 1;
        for (int r = from; r < to; r++) {
          Object[] row = rows.get(r);
          for (int col = 0; col < columns; col++) {
            s.setObject(p++, row[col]);
          }
        }
        s.executeUpdate();
      }
    }
    return rows.size();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Comparator<Object[]> keyOrder(FactTable table) {
    int keys = table.keyColumns().size();
    return (a, b) -> {
      for (int i = 0; i < keys; i++) {
        int cmp = ((Comparable) a[i]).compareTo(b[i]);
        if (cmp != 0) return cmp;
      }
      return 0;
    };
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying a warehouse commit", e);
    }
  }
}
