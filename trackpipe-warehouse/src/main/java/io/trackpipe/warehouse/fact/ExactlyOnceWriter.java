package io.trackpipe.warehouse.fact;

import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Applies a streaming micro-batch to fact tables exactly once.
 *
 * <p>Spark re-runs a micro-batch with the same id and the same input after a crash, so each batch's facts are
 * written in one transaction together with the sink's last batch id and the Kafka offsets it read in
 * {@code stream_commit}. The next batch must start exactly where that one ended; the same batch over the same offsets
 * was already applied and is skipped; anything else is refused ({@link StreamCommit#decide}). That makes additive
 * upserts safe, and makes the commit safe to run again after a deadlock, a lock wait time-out or a lost connection
 * (retried by {@link Warehouse#inRetriedTransaction}).
 */
public final class ExactlyOnceWriter {
  private final Warehouse warehouse;

  public ExactlyOnceWriter(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  /**
   * More work of a batch that must read the warehouse in the commit's transaction (the session stage reads the views
   * it stored before): it runs on the transaction's connection after the batch was found new, and the fact rows it
   * returns are upserted in the same transaction. A transaction that is retried runs it again, so it must read what it
   * needs each time and change nothing outside the connection.
   */
  @FunctionalInterface
  public interface CommitStep {
    /**
     * @param arrivedUntil the newest Kafka timestamp committed once this batch is (null while no batch had records)
     * @return rows to upsert with the batch's own
     */
    List<FactBatch> run(Connection connection, Instant arrivedUntil) throws SQLException;
  }

  /** What a commit did. */
  public record Outcome(boolean applied, long rowsWritten) {}

  /**
   * @param sink the streaming sink's stable name
   * @param queryId the Spark query id, stable for the life of a checkpoint
   * @param range the Kafka offsets the batch read
   * @param newestArrival the newest Kafka timestamp of the batch's records (null for a batch without records): the
   *     sink's {@link StreamCommit#arrivedUntil()} moves up to it
   * @return whether the batch was applied now (false: it had been applied before)
   * @throws IllegalStateException when the warehouse holds commits of another checkpoint for this sink, or the batch
   *     does not continue the last commit (see {@link StreamCommit#decide})
   */
  public Outcome commit(String sink, String queryId, long batchId, BatchRange range, Instant newestArrival,
      List<FactBatch> batches)
      throws SQLException {
    return commit(sink, queryId, batchId, range, newestArrival, batches, List.of());
  }

  /** As {@link #commit(String, String, long, BatchRange, Instant, List)}, with {@code steps} run in the transaction. */
  public Outcome commit(String sink, String queryId, long batchId, BatchRange range, Instant newestArrival,
      List<FactBatch> batches, List<CommitStep> steps)
      throws SQLException {
    return warehouse.inRetriedTransaction("commit of batch " + batchId + " of sink '" + sink + "'", c -> {
      Optional<StreamCommit> last = lastCommit(c, sink, true);
      if (last.isPresent() && last.get().decide(queryId, batchId, range) == StreamCommit.Decision.SKIP) {
        return new Outcome(false, 0);
      }
      long rows = 0;
      for (FactBatch batch : batches) {
        rows += batch.upsert(c);
      }
      Instant previous = last.map(StreamCommit::arrivedUntil).orElse(null);
      Instant arrivedUntil = previous == null ? newestArrival
          : newestArrival == null || newestArrival.isBefore(previous) ? previous : newestArrival;
      for (CommitStep step : steps) {
        for (FactBatch batch : step.run(c, arrivedUntil)) rows += batch.upsert(c);
      }
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO stream_commit (sink, query_id, batch_id, start_offsets, end_offsets, arrived_until, committed_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE query_id = VALUES(query_id),"
              + " batch_id = VALUES(batch_id), start_offsets = VALUES(start_offsets), end_offsets = VALUES(end_offsets),"
              // Never back: a batch's newest record may be older than an earlier batch's.
              + " arrived_until = COALESCE(GREATEST(arrived_until, VALUES(arrived_until)), arrived_until, VALUES(arrived_until)),"
              + " committed_at = VALUES(committed_at)")) {
        s.setString(1, sink);
        s.setString(2, queryId);
        s.setLong(3, batchId);
        s.setString(4, range.start().json());
        s.setString(5, range.end().json());
        s.setObject(6, newestArrival == null ? null : LocalDateTime.ofInstant(newestArrival, ZoneOffset.UTC));
        s.executeUpdate();
      }
      return new Outcome(true, rows);
    });
  }

  /** The sink's last commit, if any. */
  public Optional<StreamCommit> lastCommit(String sink) throws SQLException {
    try (Connection c = warehouse.connect()) {
      return lastCommit(c, sink, false);
    }
  }

  private static Optional<StreamCommit> lastCommit(Connection c, String sink, boolean lock) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "SELECT query_id, batch_id, start_offsets, end_offsets, arrived_until FROM stream_commit WHERE sink = ?" + (lock ? " FOR UPDATE" : ""))) {
      s.setString(1, sink);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) return Optional.empty();
        BatchRange range = rs.getString(3) == null || rs.getString(4) == null ? null
            : new BatchRange(KafkaOffsets.parse(rs.getString(3)), KafkaOffsets.parse(rs.getString(4)));
        LocalDateTime arrivedUntil = rs.getObject(5, LocalDateTime.class);
        return Optional.of(new StreamCommit(sink, rs.getString(1), rs.getLong(2), range,
            arrivedUntil == null ? null : arrivedUntil.toInstant(ZoneOffset.UTC)));
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
}
