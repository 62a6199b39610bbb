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
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.event.DecodedEvent;
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
 * Writes a domain's decoded events to its raw table ({@link RawTable}) asynchronously, at most {@link RawStoreConfig#maxInFlight()} requests at a time, and
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
  private final RawTable table;
  private final RawStoreConfig config;
  /** Per column after the arrival: the schema position of its field, and the field. */
  private final int[] valuePositions;
  private final EventField[] valueFields;
  /** The id field and its position, or null and -1 when the id is a hash. */
  private final EventField idField;
  private final int idPosition;
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

  public RawEventWriter(CqlSession session, RawTable table, Clock clock) {
    this.session = session;
    this.table = table;
    this.config = table.store();
    EventSchema schema = table.schema();
    this.valueFields = table.valueFields().toArray(EventField[]::new);
    this.valuePositions = table.valueFields().stream().mapToInt(f -> schema.indexOf(f.name())).toArray();
    this.idField = table.idField();
    this.idPosition = idField == null ? -1 : schema.indexOf(idField.name());
    this.clock = clock;
    this.inFlight = new Semaphore(config.maxInFlight());
    try {
      this.insert = session.prepare(table.insertCql());
      this.insertArrival = session.prepare(table.insertArrivalCql());
    } catch (DriverException e) {
      throw unavailable("Cannot prepare the raw-store statements for " + table.qualifiedName(), e);
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
    long hour = RawTable.hourOf(event.eventTimeMillis());
    int bucket = RawTable.bucketOf(event.id(), config.bucketsPerHour());
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
    int bytes = 64 + e.id().length();
    for (Object value : e.values()) {
      if (value != null) bytes += value instanceof String text ? text.length() + 4 : 12;
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
        throw unavailable("Writes to " + table.qualifiedName() + " did not finish within " + waitMillis + " ms", null);
      }
      inFlight.release(config.maxInFlight());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("Interrupted while waiting for writes to " + table.qualifiedName(), e);
    }
    throwIfFailed();
    for (Map.Entry<Long, Long> touched : touchedHours.entrySet()) {
      long arrival = touched.getValue();
      try {
        session.execute(insertArrival.bind(Instant.ofEpochMilli(RawTable.hourOf(arrival)),
            Instant.ofEpochMilli(touched.getKey()), Instant.ofEpochMilli(arrival), arrival * 1000L).setIdempotent(true));
      } catch (DriverException e) {
        throw unavailable("Cannot record arrivals in " + table.qualifiedArrivals(), e);
      }
    }
    touchedHours.clear();
  }

  /** Events accepted so far (copies included); sent by the next {@link #flush()} at the latest. */
  public long written() {
    return written;
  }

  private BoundStatement bind(DecodedEvent e, long receivedAtMillis, long hour, int bucket) {
    Object[] values = new Object[5 + valueFields.length];
    values[0] = Instant.ofEpochMilli(hour);
    values[1] = bucket;
    values[2] = Instant.ofEpochMilli(e.eventTimeMillis());
    values[3] = idField == null ? e.id() : toCql(idField, e.value(idPosition)); // typed as its field
    values[4] = Instant.ofEpochMilli(receivedAtMillis);
    for (int i = 0; i < valueFields.length; i++) {
      values[5 + i] = toCql(valueFields[i], e.value(valuePositions[i]));
    }
    // Absent fields stay unset rather than bound to null: a null would write a tombstone per empty column, which
    // Cassandra then has to skip on every read. Copies of an event carry the same values, so the row is the same.
    BoundStatementBuilder builder = insert.boundStatementBuilder();
    for (int c = 0; c < values.length; c++) {
      if (values[c] != null) set(builder, c, values[c]);
    }
    return builder.setIdempotence(true).build();
  }

  /** A decoded value as its column takes it (see {@link RawTable#cqlType}); null stays null. */
  private static Object toCql(EventField field, Object decoded) {
    if (decoded == null) return null;
    return switch (field.type()) {
      case DECIMAL -> BigDecimal.valueOf((Long) decoded, field.scale());
      case TIMESTAMP -> Instant.ofEpochMilli((Long) decoded);
      default -> decoded;
    };
  }

  @SuppressWarnings("unchecked")
  private static <T> void set(BoundStatementBuilder builder, int index, T value) {
    builder.set(index, value, (Class<T>) value.getClass());
  }

  private void acquire() {
    try {
      if (!inFlight.tryAcquire((config.requestTimeout().toMillis() + 3_200) * ATTEMPTS, TimeUnit.MILLISECONDS)) {
        throw unavailable("No write to " + table.qualifiedName() + " finished within the request timeout", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("Interrupted while writing to " + table.qualifiedName(), e);
    }
  }

  private void throwIfFailed() {
    Throwable failure = firstFailure.get();
    if (failure != null) {
      throw unavailable(failures.get() + " write(s) to " + table.qualifiedName() + " failed", failure);
    }
  }

  private RawStoreUnavailableException unavailable(String what, Throwable cause) {
    String detail = cause == null ? "" : ": " + cause.getMessage();
    return new RawStoreUnavailableException(what + " (Cassandra at " + config.contactPoints() + ")" + detail, cause);
  }
}
