package io.trackpipe.spark.rawstore;

import static io.trackpipe.spark.ingest.EventColumns.EVENT_ID;
import static io.trackpipe.spark.ingest.EventColumns.EVENT_TIME;
import static io.trackpipe.spark.ingest.EventColumns.RECEIVED_AT;
import static org.apache.spark.sql.functions.col;

import io.trackpipe.domain.EventField;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.rawstore.RawEventWriter;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawStoreSchema;
import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.rawstore.RawStoreUnavailableException;
import io.trackpipe.rawstore.RawTable;
import io.trackpipe.spark.ingest.EventColumns;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a micro-batch's valid events of a domain to its table in the Cassandra raw store ({@link RawTable}) from the executors, each task with its own bounded
 * asynchronous {@link RawEventWriter} on the executor's shared session. Idempotent: an event's row is keyed by its
 * event hour, bucket, time and id, so copies and re-run batches write the same rows.
 *
 * <p>While Cassandra is unavailable, the whole write is retried with back-off (0.5 s doubling to 5 s) for at most
 * {@link RawStoreConfig#outageTimeout()}; then {@link #write} throws {@link RawStoreUnavailableException}. The
 * streaming job calls it before the warehouse commit, so the batch is then not committed: the query stops with that
 * error, and the next start re-runs the batch from the checkpoint (same records, same rows, facts committed once).
 */
public final class RawStoreWriter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(RawStoreWriter.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final RawTable table;
  private final RawStoreConfig config;
  /** The preparation of the table's schema, once started on the driver ({@link #prepareSchemas}); writes wait for it. */
  private transient volatile CompletableFuture<Void> schemaReady;

  public RawStoreWriter(RawTable table) {
    this.table = table;
    this.config = table.store();
  }

  /**
   * Creates each writer's keyspace and tables if missing and checks their layout, one table after another (Cassandra
   * applies schema changes one at a time), on a thread of its own; once, on the driver, at start-up. A fresh Cassandra
   * takes about a second per table, 4 s per domain: the queries start meanwhile, and a batch's write waits for its
   * table. The returned future completes when every table is ready, and fails as {@link RawStoreSchema#apply} does.
   */
  public static CompletableFuture<Void> prepareSchemas(Collection<RawStoreWriter> writers) {
    List<RawStoreWriter> pending = List.copyOf(writers);
    if (pending.isEmpty()) return CompletableFuture.completedFuture(null);
    // One future per table: a domain's batches wait for its own table, not for every domain's.
    pending.forEach(writer -> writer.schemaReady = new CompletableFuture<>());
    Thread thread = new Thread(() -> {
      for (int i = 0; i < pending.size(); i++) {
        RawStoreWriter writer = pending.get(i);
        try {
          RawStoreSchema.apply(RawStoreSessions.get(writer.config), writer.table);
          writer.schemaReady.complete(null);
        } catch (RuntimeException | Error e) {
          pending.subList(i, pending.size()).forEach(notPrepared -> notPrepared.schemaReady.completeExceptionally(e));
          return;
        }
      }
    }, "trackpipe-rawstore-schema");
    thread.setDaemon(true);
    thread.start();
    return CompletableFuture.allOf(pending.stream().map(writer -> writer.schemaReady).toArray(CompletableFuture[]::new));
  }

  /** Waits for the preparation {@link #prepareSchemas} started, and rethrows its failure as it was thrown. */
  public static void awaitSchema(CompletableFuture<Void> ready) {
    try {
      ready.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  public RawTable table() {
    return table;
  }

  /**
   * Stores every row of {@code validEvents}: rows with the columns of {@code EventColumns.eventSchema(schema, true)}
   * (every field, the raw-only ones included; other columns are ignored).
   *
   * @throws RawStoreUnavailableException when Cassandra stayed unavailable for the outage timeout
   */
  public void write(Dataset<Row> validEvents) {
    if (schemaReady != null) awaitSchema(schemaReady);
    List<Column> columns = new ArrayList<>(List.of(col(EVENT_ID), col(EVENT_TIME), col(RECEIVED_AT)));
    table.schema().fields().forEach(f -> columns.add(col(f.name())));
    Dataset<Row> rows = validEvents.select(columns.toArray(Column[]::new));
    long deadline = System.nanoTime() + config.outageTimeout().toNanos();
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        rows.foreachPartition(new WritePartition(table));
        if (attempt > 1) log.info("Raw store reachable again: batch written on attempt {}", attempt);
        return;
      } catch (Exception e) { // Spark's SparkException is checked, and thrown by Scala code that does not declare it
        if (!isUnavailable(e)) throw rethrow(e);
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new RawStoreUnavailableException("The raw store (Cassandra at " + config.contactPoints() + ") stayed "
              + "unavailable for rawstore.outage-timeout (" + config.outageTimeout() + "); the batch is not committed. "
              + "Start the job again once Cassandra is back: it resumes from the checkpoint. Last error: "
              + rootMessage(e), e);
        }
        Duration wait = backoff.toNanos() < left ? backoff : Duration.ofNanos(left);
        log.warn("Raw store unavailable (attempt {}): {}; retrying in {} ms", attempt, rootMessage(e), wait.toMillis());
        sleep(wait);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  /** Rethrows {@code e} unchanged, checked or not (the caller's own failure handling sees the original). */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> RuntimeException rethrow(Exception e) throws E {
    throw (E) e;
  }

  /** A failed Spark job wraps the task's exception (as text when it crossed from an executor): look at the chain. */
  private static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RawStoreUnavailableException
          || t.getClass().getName().startsWith("com.datastax.oss.driver.api.core")
          || String.valueOf(t.getMessage()).contains(RawStoreUnavailableException.class.getSimpleName())) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    String message = String.valueOf(t.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static void sleep(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RawStoreUnavailableException("Interrupted while waiting for the raw store", e);
    }
  }

  /** One task: its rows through one writer, flushed (rows, then the arrivals index) before the task ends. */
  private static final class WritePartition implements ForeachPartitionFunction<Row> {
    private static final long serialVersionUID = 1L;
    private final RawTable table;

    WritePartition(RawTable table) {
      this.table = table;
    }

    @Override
    public void call(Iterator<Row> rows) {
      if (!rows.hasNext()) return;
      RawEventWriter writer = new RawEventWriter(RawStoreSessions.get(table.store()), table, Clock.systemUTC());
      List<EventField> fields = table.schema().fields();
      while (rows.hasNext()) {
        Row r = rows.next();
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) values[i] = EventColumns.fromSpark(fields.get(i), r.get(3 + i));
        writer.write(new DecodedEvent(r.getString(0), r.getTimestamp(1).getTime(), values), r.getTimestamp(2).getTime());
      }
      writer.flush();
    }
  }
}
