package io.trackpipe.warehouse.fact;

import io.trackpipe.warehouse.SqlNames;

import static java.util.Objects.requireNonNull;

import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Replaces whole time buckets of fact tables with recomputed rows, and moves the batch job's watermark, in one
 * transaction: a bucket's old rows are deleted and its new rows inserted, so running it again with the same rows
 * changes nothing but {@code latest_update_time}. Either everything commits (the rows and the watermark) or nothing.
 *
 * <p>The watermark row is read {@code FOR UPDATE} and compared with the one the cycle started from: a second batch run
 * that committed meanwhile makes this one fail rather than move the watermark back.
 */
public final class RangeOverwrite {

  private final Warehouse warehouse;

  public RangeOverwrite(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  /**
   * One table's recomputed buckets: delete the rows whose {@code bucketColumns} equal one of {@code buckets}, then
   * insert {@code rows} (which must all fall into those buckets).
   */
  public record Replacement(FactBatch batch, List<String> bucketColumns, List<Object[]> buckets) {
    public Replacement {
      requireNonNull(batch, "batch is null");
      bucketColumns = List.copyOf(bucketColumns);
      buckets = List.copyOf(buckets);
      if (bucketColumns.isEmpty()) throw new IllegalArgumentException("table " + batch.table().name() + ": no bucket column");
      for (String column : bucketColumns) {
        if (batch.table().columns().stream().noneMatch(c -> c.name().equals(column))) {
          throw new IllegalArgumentException("table " + batch.table().name() + " has no column " + column);
        }
      }
      for (Object[] bucket : buckets) {
        if (bucket.length != bucketColumns.size()) throw new IllegalArgumentException("bucket of " + bucket.length + " values");
      }
    }
  }

  /** A time bucket left for a later cycle: its granularity ({@code HOURLY}, {@code DAILY}) and local start. */
  public record PendingBucket(String granularity, LocalDateTime start) implements Comparable<PendingBucket> {
    public PendingBucket {
      requireNonNull(granularity, "granularity is null");
      requireNonNull(start, "start is null");
    }

    @Override
    public int compareTo(PendingBucket o) {
      int c = granularity.compareTo(o.granularity);
      return c != 0 ? c : start.compareTo(o.start);
    }
  }

  /** Where a batch pipeline stands: raw-store writes up to {@code arrivedUntil} are in the facts but for {@code pending}. */
  public record Watermark(Instant arrivedUntil, Set<PendingBucket> pending) {
    public Watermark {
      requireNonNull(arrivedUntil, "arrivedUntil is null");
      pending = Set.copyOf(pending);
    }
  }

  /** What a commit wrote. */
  public record Outcome(long rowsDeleted, long rowsInserted) {}

  /** The pipeline's committed watermark; empty before its first commit. */
  public Optional<Watermark> watermark(String pipeline) throws SQLException {
    try (Connection c = warehouse.connect()) {
      return watermark(c, pipeline, false);
    }
  }

  /**
   * Replaces the buckets and stores the new watermark (when {@code next} is not null) in one transaction; retried on
   * transient errors ({@link Warehouse#inRetriedTransaction}).
   *
   * @param expected the watermark the cycle started from (empty: none yet)
   * @throws IllegalStateException when another run committed a different watermark meanwhile
   */
  public Outcome commit(String pipeline, Optional<Watermark> expected, List<Replacement> replacements, Watermark next)
      throws SQLException {
    return warehouse.inRetriedTransaction("overwrite of " + replacements.size() + " tables' buckets", c -> {
      if (next != null) {
        Optional<Watermark> current = watermark(c, pipeline, true);
        if (sameMark(current, Optional.of(next)) && !sameMark(current, expected)) {
          // An attempt whose commit went through but whose answer was lost with the connection: done already.
          return new Outcome(0, 0);
        }
        if (!sameMark(current, expected)) {
          throw new IllegalStateException("another batch run of pipeline '" + pipeline + "' committed meanwhile (watermark "
              + current.map(w -> w.arrivedUntil().toString()).orElse("none") + ", this run started from "
              + expected.map(w -> w.arrivedUntil().toString()).orElse("none") + "); run one batch job at a time");
        }
      }
      long deleted = 0;
      long inserted = 0;
      for (Replacement r : replacements) {
        deleted += delete(c, r);
        inserted += r.batch().upsert(c); // the old rows are gone: the upserts only insert
      }
      if (next != null) store(c, pipeline, next);
      return new Outcome(deleted, inserted);
    });
  }

  private static boolean sameMark(Optional<Watermark> a, Optional<Watermark> b) {
    return Objects.equals(a.map(Watermark::arrivedUntil), b.map(Watermark::arrivedUntil));
  }

  private static Optional<Watermark> watermark(Connection c, String pipeline, boolean lock) throws SQLException {
    Instant until;
    try (PreparedStatement s = c.prepareStatement(
        "SELECT arrived_until FROM batch_watermark WHERE pipeline = ?" + (lock ? " FOR UPDATE" : ""))) {
      s.setString(1, pipeline);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) return Optional.empty();
        until = rs.getTimestamp(1).toLocalDateTime().toInstant(ZoneOffset.UTC);
      }
    }
    Set<PendingBucket> pending = new TreeSet<>();
    try (PreparedStatement s = c.prepareStatement("SELECT granularity, bucket_start FROM batch_pending WHERE pipeline = ?")) {
      s.setString(1, pipeline);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) pending.add(new PendingBucket(rs.getString(1), rs.getTimestamp(2).toLocalDateTime()));
      }
    }
    return Optional.of(new Watermark(until, pending));
  }

  private static void store(Connection c, String pipeline, Watermark next) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO batch_watermark (pipeline, arrived_until, updated_at)"
        + " VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE arrived_until = VALUES(arrived_until), updated_at = VALUES(updated_at)")) {
      s.setString(1, pipeline);
      s.setTimestamp(2, Timestamp.valueOf(LocalDateTime.ofInstant(next.arrivedUntil(), ZoneOffset.UTC)));
      s.setTimestamp(3, Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC)));
      s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement("DELETE FROM batch_pending WHERE pipeline = ?")) {
      s.setString(1, pipeline);
      s.executeUpdate();
    }
    if (next.pending().isEmpty()) return;
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO batch_pending (pipeline, granularity, bucket_start) VALUES (?, ?, ?)")) {
      for (PendingBucket bucket : new TreeSet<>(next.pending())) {
        s.setString(1, pipeline);
        s.setString(2, bucket.granularity());
        s.setTimestamp(3, Timestamp.valueOf(bucket.start()));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static long delete(Connection c, Replacement r) throws SQLException {
    String where = String.join(" AND ", r.bucketColumns().stream().map(col -> SqlNames.quote(col) + " = ?").toList());
    long deleted = 0;
    try (PreparedStatement s = c.prepareStatement("DELETE FROM " + SqlNames.quote(r.batch().table().name()) + " WHERE " + where)) {
      for (Object[] bucket : r.buckets()) {
        for (int i = 0; i < bucket.length; i++) s.setObject(i + 1, bucket[i]);
        deleted += s.executeUpdate();
      }
    }
    return deleted;
  }
}
