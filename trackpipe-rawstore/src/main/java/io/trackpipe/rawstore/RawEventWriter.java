package io.trackpipe.rawstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import io.trackpipe.event.legacy.DecodedEvent;
import io.trackpipe.event.legacy.TrackerContext;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes events to the raw table asynchronously, at most {@link RawStoreConfig#maxInFlight()} requests at a time, and
 * on {@link #flush()} waits for them and then records in the arrivals index which event hours received rows. Writing
 * an event again writes the same row (same key, same values): idempotent.
 *
 * <p>Rows of the same partition (event hour and bucket) are sent together as one unlogged batch of at most
 * {@value #BATCH_ROWS} rows and about {@value #BATCH_BYTES} bytes: Cassandra applies a single-partition batch as one
 * mutation, several times cheaper than as many requests (measured: see docs/performance.md). The bytes stay below
 * Cassandra's default {@code batch_size_fail_threshold} (50 KiB); its default warn threshold (5 KiB) is lower, so a
 * cluster's log warns unless that is raised (the embedded server's is 64 KiB).
 *
 * <p>The index is written only after the rows it points at are stored, so a reader that finds an entry finds its
 * rows. Not thread-safe: one thread writes, flushes and closes. The session is the caller's.
 */
public final class RawEventWriter {
  private final CqlSession session;
  private final RawStoreConfig config;
  private final PreparedStatement insert;
  private final PreparedStatement insertArrival;
  private final Clock clock;
  private final Semaphore inFlight;
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private final AtomicLong failures = new AtomicLong();
  /** Event hour → latest time one of its rows was sent, since the last flush. */
  private final Map<Long, Long> touchedHours = new HashMap<>();
  /** Rows waiting for their partition's batch to fill, by partition (hour and bucket). */
  private final Map<Partition, PendingBatch> pending = new HashMap<>();
  private long written;

  static final int BATCH_ROWS = 64;
  static final int ATTEMPTS = 6;
  static final int BATCH_BYTES = 30 * 1024;

  private record Partition(long hour, int bucket) {}

  private static final class PendingBatch {
    final List<BatchableStatement<?>> rows = new ArrayList<>();
    int bytes;
  }

  public RawEventWriter(CqlSession session, RawStoreConfig config, Clock clock) {
    this.session = session;
    this.config = config;
    this.clock = clock;
    this.inFlight = new Semaphore(config.maxInFlight());
    try {
      this.insert = session.prepare(TrackingTable.insertCql(config));
      this.insertArrival = session.prepare(TrackingTable.insertArrivalCql(config));
    } catch (DriverException e) {
      throw unavailable("Cannot prepare the raw-store statements for " + config.qualifiedTable(), e);
    }
  }

  /**
   * Adds one event to its partition's batch, sending the batch when full; blocks while {@code maxInFlight} requests
   * are outstanding.
   *
   * @throws RawStoreUnavailableException for an earlier write that failed
   */
  public void write(DecodedEvent event, long receivedAtMillis) {
    throwIfFailed();
    long hour = TrackingTable.hourOf(event.eventTimeMillis());
    int bucket = TrackingTable.bucketOf(event.id(), config.bucketsPerHour());
    int size = estimatedBytes(event);
    Partition partition = new Partition(hour, bucket);
    PendingBatch batch = pending.get(partition);
    if (batch != null && batch.bytes + size > BATCH_BYTES) {
      send(pending.remove(partition));
      batch = null;
    }
    if (batch == null) {
      batch = new PendingBatch();
      pending.put(partition, batch);
    }
    batch.rows.add(bind(event, receivedAtMillis, hour, bucket));
    batch.bytes += size;
    if (batch.rows.size() >= BATCH_ROWS) send(pending.remove(partition));
    touchedHours.merge(hour, clock.millis(), Math::max);
    written++;
  }

  private void send(PendingBatch batch) {
    Statement<?> statement = batch.rows.size() == 1 ? batch.rows.get(0)
        : BatchStatement.newInstance(DefaultBatchType.UNLOGGED, batch.rows).setIdempotent(true);
    acquire();
    attempt(statement, 1);
  }

  /**
   * Sends a statement; a write the server could not finish in time (overload) is sent again after a pause, up to
   * {@value #ATTEMPTS} attempts, before it counts as failed. The permit is held until the last attempt ends, so
   * retries slow the writer down instead of adding load.
   */
  private void attempt(Statement<?> statement, int attempt) {
    CompletionStage<AsyncResultSet> sent;
    try {
      sent = session.executeAsync(statement);
    } catch (RuntimeException e) {
      inFlight.release();
      failures.incrementAndGet();
      firstFailure.compareAndSet(null, e);
      return;
    }
    sent.whenComplete((rs, error) -> {
      if (error != null && attempt < ATTEMPTS && isOverload(error)) {
        long pauseMillis = 200L << (attempt - 1);
        CompletableFuture.runAsync(() -> attempt(statement, attempt + 1),
            CompletableFuture.delayedExecutor(pauseMillis, TimeUnit.MILLISECONDS));
        return;
      }
      inFlight.release();
      if (error != null) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, error);
      }
    });
  }

  /** The server is there but busy: worth another try soon. (No reachable node is an outage, handled by the caller.) */
  private static boolean isOverload(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return e instanceof WriteTimeoutException || e instanceof OverloadedException || e instanceof DriverTimeoutException
        || e instanceof UnavailableException;
  }

  /** Roughly the row's size on the wire: its text plus the fixed-size columns. */
  private static int estimatedBytes(DecodedEvent e) {
    int bytes = 96 + e.id().length() + (e.customTrack() == null ? 0 : e.customTrack().length());
    for (var field : TrackerContext.FIELDS) {
      String value = e.context().get(field);
      if (value != null) bytes += value.length() + 4;
    }
    return bytes;
  }

  /**
   * Waits for every write sent so far, then adds the event hours they touched to the arrivals index.
   *
   * @throws RawStoreUnavailableException when a write failed or did not finish within the request timeout
   */
  public void flush() {
    throwIfFailed();
    pending.values().forEach(this::send);
    pending.clear();
    long waitMillis = (config.requestTimeout().toMillis() + 3_200) * ATTEMPTS;
    try {
      if (!inFlight.tryAcquire(config.maxInFlight(), waitMillis, TimeUnit.MILLISECONDS)) {
        throw unavailable("Writes to " + config.qualifiedTable() + " did not finish within " + waitMillis + " ms", null);
      }
      inFlight.release(config.maxInFlight());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("Interrupted while waiting for writes to " + config.qualifiedTable(), e);
    }
    throwIfFailed();
    for (Map.Entry<Long, Long> touched : touchedHours.entrySet()) {
      long arrival = touched.getValue();
      try {
        session.execute(insertArrival.bind(Instant.ofEpochMilli(TrackingTable.hourOf(arrival)),
            Instant.ofEpochMilli(touched.getKey()), Instant.ofEpochMilli(arrival), arrival * 1000L).setIdempotent(true));
      } catch (DriverException e) {
        throw unavailable("Cannot record arrivals in " + config.qualifiedArrivalsTable(), e);
      }
    }
    touchedHours.clear();
  }

  /** Events accepted so far (copies included); sent by the next {@link #flush()} at the latest. */
  public long written() {
    return written;
  }

  private BoundStatement bind(DecodedEvent e, long receivedAtMillis, long hour, int bucket) {
    Object[] values = new Object[TrackingTable.COLUMNS.size()];
    values[0] = Instant.ofEpochMilli(hour);
    values[1] = bucket;
    values[2] = Instant.ofEpochMilli(e.eventTimeMillis());
    values[3] = e.id();
    values[4] = Instant.ofEpochMilli(receivedAtMillis);
    values[5] = e.jobId();
    values[6] = e.publisherId();
    values[7] = e.campaignId();
    values[8] = e.groupId();
    values[9] = e.bidMicros() == null ? null : BigDecimal.valueOf(e.bidMicros(), 6);
    values[10] = e.customTrack();
    int i = 11;
    for (var field : TrackerContext.FIELDS) {
      values[i++] = e.context().get(field);
    }
    // Absent fields stay unset rather than bound to null: a null would write a tombstone per empty column, which
    // Cassandra then has to skip on every read. Copies of an event carry the same values, so the row is the same.
    BoundStatementBuilder builder = insert.boundStatementBuilder();
    for (int c = 0; c < values.length; c++) {
      if (values[c] != null) set(builder, c, values[c]);
    }
    return builder.setIdempotence(true).build();
  }

  @SuppressWarnings("unchecked")
  private static <T> void set(BoundStatementBuilder builder, int index, T value) {
    builder.set(index, value, (Class<T>) value.getClass());
  }

  private void acquire() {
    try {
      if (!inFlight.tryAcquire((config.requestTimeout().toMillis() + 3_200) * ATTEMPTS, TimeUnit.MILLISECONDS)) {
        throw unavailable("No write to " + config.qualifiedTable() + " finished within the request timeout", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("Interrupted while writing to " + config.qualifiedTable(), e);
    }
  }

  private void throwIfFailed() {
    Throwable failure = firstFailure.get();
    if (failure != null) {
      throw unavailable(failures.get() + " write(s) to " + config.qualifiedTable() + " failed", failure);
    }
  }

  private RawStoreUnavailableException unavailable(String what, Throwable cause) {
    String detail = cause == null ? "" : ": " + cause.getMessage();
    return new RawStoreUnavailableException(what + " (Cassandra at " + config.contactPoints() + ")" + detail, cause);
  }
}
