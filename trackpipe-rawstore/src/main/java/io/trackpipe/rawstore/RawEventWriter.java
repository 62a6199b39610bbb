package io.trackpipe.rawstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.TrackerContext;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes events to the raw table asynchronously, at most {@link RawStoreConfig#maxInFlight()} at a time, and on
 * {@link #flush()} waits for them and then records in the arrivals index which event hours received rows. Writing an
 * event again writes the same row (same key, same values): idempotent.
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
  private long written;

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
   * Sends one event; blocks while {@code maxInFlight} writes are outstanding.
   *
   * @throws RawStoreUnavailableException for an earlier write that failed
   */
  public void write(DecodedEvent event, long receivedAtMillis) {
    throwIfFailed();
    long hour = TrackingTable.hourOf(event.eventTimeMillis());
    BoundStatement bound = bind(event, receivedAtMillis, hour);
    acquire();
    CompletionStage<AsyncResultSet> sent;
    try {
      sent = session.executeAsync(bound);
    } catch (RuntimeException e) {
      inFlight.release();
      throw unavailable("Cannot send a row to " + config.qualifiedTable(), e);
    }
    sent.whenComplete((rs, error) -> {
      inFlight.release();
      if (error != null) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, error);
      }
    });
    touchedHours.merge(hour, clock.millis(), Math::max);
    written++;
  }

  /**
   * Waits for every write sent so far, then adds the event hours they touched to the arrivals index.
   *
   * @throws RawStoreUnavailableException when a write failed or did not finish within the request timeout
   */
  public void flush() {
    long waitMillis = config.requestTimeout().toMillis() * 2 + 1000;
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

  /** Events sent so far (copies included). */
  public long written() {
    return written;
  }

  private BoundStatement bind(DecodedEvent e, long receivedAtMillis, long hour) {
    Object[] values = new Object[TrackingTable.COLUMNS.size()];
    values[0] = Instant.ofEpochMilli(hour);
    values[1] = TrackingTable.bucketOf(e.id(), config.bucketsPerHour());
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
      if (!inFlight.tryAcquire(config.requestTimeout().toMillis() * 2 + 1000, TimeUnit.MILLISECONDS)) {
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
