package io.trackpipe.spark.warehouse;

import static io.trackpipe.spark.ingest.EventColumns.EVENT_ID;
import static io.trackpipe.spark.ingest.EventColumns.RECEIVED_AT;
import static io.trackpipe.spark.ingest.DecodedEvents.REJECT_REASON;
import static io.trackpipe.spark.ingest.DecodedEvents.SOURCE_OFFSET;
import static io.trackpipe.spark.ingest.DecodedEvents.SOURCE_PARTITION;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;

import io.trackpipe.event.RejectReason;
import io.trackpipe.spark.dedup.DedupStore;
import io.trackpipe.spark.ingest.CheckpointOffsets;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.domain.Rule;
import io.trackpipe.spark.ingest.EventColumns;
import io.trackpipe.spark.rawstore.RawStoreWriter;
import io.trackpipe.spark.rollup.Lateness;
import io.trackpipe.spark.rollup.Rollups;
import io.trackpipe.warehouse.fact.BatchRange;
import io.trackpipe.warehouse.fact.ExactlyOnceWriter;
import io.trackpipe.warehouse.fact.StreamCommit;
import io.trackpipe.warehouse.fact.FactBatch;
import io.trackpipe.warehouse.session.SessionStage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one micro-batch to every rollup's table, committed exactly once through {@link ExactlyOnceWriter}. Runs on
 * the driver, one batch at a time, in two passes over the cached batch:
 *
 * <ol>
 *   <li>the ids and arrival times of the events that arrived in time go to the driver, where the {@link DedupStore}
 *       marks copies; the batch's counts (read, too late, rejected by reason) are observed in the same pass;
 *   <li>the remaining events feed every rollup ({@link Rollups}); all their rows are upserted in one transaction.
 *       When the domain declares sessions, the same events' views go to the {@link SessionStage}, which changes the
 *       session tables in that transaction.
 * </ol>
 *
 * <p><b>The commit runs behind the next batch while the stream catches up.</b> When Kafka holds at least another
 * batch's worth of records past the batch, its transaction runs on a committer thread and Spark goes on with the next batch, whose read, dedup and
 * rollups overlap the commit (the MariaDB side of a commit is a core's work the batch's own cores need not wait for).
 * The next batch's commit waits for it, so commits stay in order, one at a time, and a failed commit fails the next
 * batch, and so the query. Otherwise (caught up, or nearly) the commit runs before the batch ends, so a batch Spark
 * has finished is committed. Spark records a batch as done when this returns: after a crash its checkpoint may be
 * one batch ahead of the warehouse, which {@code TrackingStreamJob} rewinds at start (the batch then runs again), and
 * the dedup store keeps what a re-run of either of its last two batches needs.
 */
public final class FactsBatchSink {
  private static final Logger log = LoggerFactory.getLogger(FactsBatchSink.class);
  /** Spark sets this local property on the thread that runs a streaming query's batches. */
  private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";
  /** Kafka positions of the copies to leave out. */
  private static final StructType POSITION = new StructType()
      .add("p", DataTypes.IntegerType, false).add("o", DataTypes.LongType, false);

  /**
   * Outcome of one batch, for metrics and progress.
   *
   * @param freshnessMillis counted events by how long after their arrival in Kafka they were committed
   */
  public record BatchResult(long batchId, boolean applied, long read, long counted, long duplicates, long tooLate,
      Map<String, Long> rejectedByReason, long rowsUpserted, long millis, Map<Long, Long> freshnessMillis) {}

  private final String sinkName;
  private final ExactlyOnceWriter writer;
  private final CheckpointOffsets offsets;
  private final DedupStore dedup;
  private final Rollups rollups;
  private final ZoneId zone;
  private final Duration allowedLateness;
  private final String sourceName;
  private final Optional<RawStoreWriter> rawStore;
  private final Optional<SessionStage> sessions;
  /** The view columns the session stage reads: user, event time, event id, page, dimensions. */
  private final Column[] viewColumns;
  /** The valid events' columns the rollups read. */
  private final Column[] eventColumns;
  /** Every reject code a batch's rows can carry: the reasons, and {@code rule:<name>} per rule of the domain. */
  private final List<String> rejectCodes;
  /** Whether a batch's commit runs behind the next batch, given its range: when the stream is behind. */
  private final Predicate<BatchRange> commitBehind;
  private final ExecutorService committer;
  /** The previous batch's commit while it runs on the committer thread; set by the batch thread, read at close. */
  private volatile Future<Void> commitInFlight;

  /**
   * @param sinkName the domain's sink: its commits' name in the warehouse
   * @param schema the domain's events
   * @param offsets where the Kafka offsets of each batch are read, to be committed with its facts
   * @param rawStore where every valid event of a batch is stored before the batch's commit, if anywhere
   * @param sessions the stage of the domain's sessions, when it declares them
   * @param commitBehind whether a batch's commit runs behind the next batch, given its range
   */
  public FactsBatchSink(String sinkName, EventSchema schema, ExactlyOnceWriter writer, CheckpointOffsets offsets,
      DedupStore dedup, Rollups rollups, ZoneId zone, Duration allowedLateness, String sourceName,
      Optional<RawStoreWriter> rawStore, Optional<SessionStage> sessions, Predicate<BatchRange> commitBehind) {
    this.sinkName = sinkName;
    this.commitBehind = commitBehind;
    this.committer = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "trackpipe-commit-" + sinkName);
      thread.setDaemon(true);
      return thread;
    });
    this.sessions = sessions;
    this.viewColumns = sessions.map(stage -> SessionViews.columns(stage.tables().definition())).orElse(new Column[0]);
    this.eventColumns = Arrays.stream(EventColumns.eventSchema(schema, false).fieldNames())
        .map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    List<String> codes = new ArrayList<>();
    for (RejectReason reason : RejectReason.values()) codes.add(reason.code());
    for (Rule rule : schema.rules()) codes.add("rule:" + rule.name());
    this.rejectCodes = List.copyOf(codes);
    this.writer = writer;
    this.offsets = offsets;
    this.dedup = dedup;
    this.rollups = rollups;
    this.zone = zone;
    this.allowedLateness = allowedLateness;
    this.sourceName = sourceName;
    this.rawStore = rawStore;
  }

  /**
   * Applies {@code batch}: now, or behind the next batch when {@code commitBehind} says so (the stream is behind).
   * {@code onCommitted} gets the outcome once the transaction committed, on the thread that committed it.
   *
   * @throws Exception when this batch fails, or the previous batch's commit did
   */
  public void apply(Dataset<Row> batch, long batchId, Consumer<BatchResult> onCommitted) throws Exception {
    long started = System.nanoTime();
    String queryId = batch.sparkSession().sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
    if (queryId == null) {
      throw new IllegalStateException("not running inside a streaming query: no " + QUERY_ID_PROPERTY);
    }
    BatchRange range = offsets.range(batchId);
    // Decided again in the commit's transaction; here it saves the work of a batch committed before a restart, and
    // refuses a checkpoint that went back before anything (the dedup store included) is touched. Behind a commit still
    // running, the warehouse's last commit is not yet this batch's predecessor: the transaction decides.
    var last = commitInFlight == null ? writer.lastCommit(sinkName) : Optional.<StreamCommit>empty();
    if (last.isPresent() && last.get().decide(queryId, batchId, range) == StreamCommit.Decision.SKIP) {
      log.info("Batch {} was committed before the restart; skipping it (Kafka offsets {})", batchId, range);
      onCommitted.accept(new BatchResult(batchId, false, 0, 0, 0, 0, Map.of(), 0, 0, Map.of()));
      return;
    }
    Column valid = col(REJECT_REASON).isNull();
    Column inTime = valid.and(Lateness.arrivedInTime(zone, allowedLateness));
    Observation observation = new Observation("batch-" + batchId);
    List<FactBatch> facts;
    List<ExactlyOnceWriter.CommitStep> steps = new ArrayList<>();
    int duplicates;
    long collectedAt;
    long dedupedAt;
    long rawMillis = 0;
    long[] arrivalMillis;
    BitSet copies;
    List<Column> metrics = new ArrayList<>(List.of(
        count(lit(1)).as("read"),
        max(unix_millis(col(RECEIVED_AT))).as("newest_arrival"),
        countWhere(valid.and(inTime.unary_$bang())).as("too_late")));
    for (String code : rejectCodes) {
      metrics.add(countWhere(col(REJECT_REASON).equalTo(code)).as(code));
    }
    batch.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // Pass 1: arrivals in time, in Kafka order, to the driver for dedup; the batch's counts observed on the way.
      // (Sorted here, not in Spark: a distributed sort samples its input first, which would observe the batch twice.)
      List<Row> arrivals = new ArrayList<>(batch
          .observe(observation, metrics.get(0), metrics.subList(1, metrics.size()).toArray(Column[]::new))
          .filter(inTime)
          .select(col(SOURCE_PARTITION), col(SOURCE_OFFSET), col(EVENT_ID), unix_millis(col(RECEIVED_AT)))
          .collectAsList());
      arrivals.sort(Comparator.<Row>comparingInt(r -> r.getInt(0)).thenComparingLong(r -> r.getLong(1)));
      List<String> ids = new ArrayList<>(arrivals.size());
      arrivalMillis = new long[arrivals.size()];
      for (int i = 0; i < arrivals.size(); i++) {
        ids.add(arrivals.get(i).getString(2));
        arrivalMillis[i] = arrivals.get(i).getLong(3);
      }
      collectedAt = System.nanoTime();
      copies = dedup.duplicates(batchId, ids, arrivalMillis);
      dedupedAt = System.nanoTime();
      duplicates = copies.cardinality();

      // Pass 2: the facts of the first sightings.
      Dataset<Row> events = batch.filter(inTime);
      if (duplicates > 0) {
        List<Row> dropped = new ArrayList<>(duplicates);
        copies.stream().forEach(i -> dropped.add(RowFactory.create(arrivals.get(i).getInt(0), arrivals.get(i).getLong(1))));
        Dataset<Row> droppedPositions = batch.sparkSession().createDataFrame(dropped, POSITION);
        events = events.join(broadcast(droppedPositions),
            events.col(SOURCE_PARTITION).equalTo(droppedPositions.col("p")).and(events.col(SOURCE_OFFSET).equalTo(droppedPositions.col("o"))),
            "left_anti");
      }
      events = events.select(eventColumns);
      facts = rollups.apply(events, sourceName);
      if (sessions.isPresent()) {
        SessionStage stage = sessions.get();
        steps.add(stage.step(SessionViews.of(events.select(viewColumns).collectAsList(), stage), sourceName));
      }
      // Every valid event (late ones and copies too) into the raw store, before the commit: if it fails, the batch
      // is not committed and runs again.
      if (rawStore.isPresent()) {
        long rawStarted = System.nanoTime();
        rawStore.get().write(batch.filter(valid));
        rawMillis = (System.nanoTime() - rawStarted) / 1_000_000;
      }
    } finally {
      batch.unpersist();
    }
    long aggregatedAt = System.nanoTime();
    Map<String, Object> counts = observation.getAsJava();
    boolean behind = commitBehind.test(range);
    long waitStarted = System.nanoTime();
    awaitCommitInFlight();
    Prepared prepared = new Prepared(batchId, queryId, range, counts, facts, steps, arrivalMillis, copies, behind,
        new StepTimes(started, collectedAt, dedupedAt, aggregatedAt, rawMillis,
            (System.nanoTime() - waitStarted) / 1_000_000));
    if (behind) {
      commitInFlight = committer.submit(() -> {
        onCommitted.accept(commit(prepared));
        return null;
      });
    } else {
      onCommitted.accept(commit(prepared));
    }
  }

  /** A batch ready to commit: what its transaction writes, and what its outcome reports. */
  private record Prepared(long batchId, String queryId, BatchRange range, Map<String, Object> counts,
      List<FactBatch> facts, List<ExactlyOnceWriter.CommitStep> steps, long[] arrivalMillis, BitSet copies,
      boolean behind, StepTimes times) {}

  /**
   * When a batch started and its steps ended ({@link System#nanoTime}); how long its raw store write took (part of the
   * rollups' step) and its wait for the previous commit, in ms.
   */
  private record StepTimes(long started, long collected, long deduped, long aggregated, long rawMillis, long waitedMillis) {}

  /** Waits for the previous batch's commit, if it still runs; rethrows its failure. */
  private void awaitCommitInFlight() throws Exception {
    if (commitInFlight == null) return;
    try {
      commitInFlight.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      commitInFlight = null;
    }
  }

  /**
   * Once the query has stopped: waits up to {@code timeout} for the commit still running behind the last batch, if
   * any, and stops the committer thread. A commit that fails or does not finish in time is logged; its batch runs
   * again at the next start (see the class comment).
   */
  public void close(Duration timeout) {
    committer.shutdown();
    try {
      if (!committer.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("The last commit of sink '{}' still runs after {}; its batch runs again at the next start", sinkName,
            timeout);
        return;
      }
      Future<Void> last = commitInFlight;
      if (last != null) last.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.error("The last commit of sink '{}' failed after its query stopped; its batch runs again at the next start",
          sinkName, e.getCause());
    }
  }

  private BatchResult commit(Prepared batch) throws Exception {
    long commitStarted = System.nanoTime();
    Object newest = batch.counts().get("newest_arrival");
    ExactlyOnceWriter.Outcome outcome = writer.commit(sinkName, batch.queryId(), batch.batchId(), batch.range(),
        newest == null ? null : Instant.ofEpochMilli(number(newest)), batch.facts(), batch.steps());
    long committedAt = System.currentTimeMillis();

    Map<String, Object> counts = batch.counts();
    long[] arrivalMillis = batch.arrivalMillis();
    BitSet copies = batch.copies();
    int duplicates = copies.cardinality();
    long read = number(counts.get("read"));
    long counted = arrivalMillis.length - duplicates;
    long tooLate = number(counts.get("too_late"));
    Map<String, Long> rejected = new TreeMap<>();
    for (String code : rejectCodes) {
      long n = number(counts.get(code));
      if (n > 0) rejected.put(code, n);
    }
    Map<Long, Long> freshness = new HashMap<>();
    for (int i = 0; i < arrivalMillis.length; i++) {
      if (!copies.get(i)) freshness.merge(Math.max(0, committedAt - arrivalMillis[i]), 1L, Long::sum);
    }
    StepTimes t = batch.times();
    long millis = (System.nanoTime() - t.started()) / 1_000_000;
    log.debug("Batch {}: {} records, {} counted, {} copies, {} too late, rejected {}; {} rows in {} ms (read and collect ids {} ms,"
        + " dedup {} ms, rollups {} ms (raw store {} ms), previous commit awaited {} ms, commit {} ms{})", batch.batchId(), read, counted,
        duplicates, tooLate, rejected, outcome.rowsWritten(), millis, (t.collected() - t.started()) / 1_000_000,
        (t.deduped() - t.collected()) / 1_000_000, (t.aggregated() - t.deduped()) / 1_000_000, t.rawMillis(), t.waitedMillis(),
        (System.nanoTime() - commitStarted) / 1_000_000, batch.behind() ? " behind the next batch" : "");
    return new BatchResult(batch.batchId(), outcome.applied(), read, counted, duplicates, tooLate, rejected,
        outcome.rowsWritten(), millis, freshness);
  }

  private static Column countWhere(Column condition) {
    return sum(when(condition, 1L).otherwise(0L));
  }

  private static long number(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }
}
