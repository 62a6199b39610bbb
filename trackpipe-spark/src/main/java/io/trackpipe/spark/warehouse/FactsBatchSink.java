package io.trackpipe.spark.warehouse;

import static io.trackpipe.spark.ingest.DecodedEvents.RECEIVED_AT;
import static io.trackpipe.spark.ingest.DecodedEvents.REJECT_REASON;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.trackpipe.spark.deadletter.DeadLetterWriter;
import io.trackpipe.spark.ingest.DecodedEvents;
import io.trackpipe.spark.rollup.HourlyJobFacts;
import io.trackpipe.warehouse.fact.ExactlyOnceWriter;
import io.trackpipe.warehouse.fact.FactBatch;
import io.trackpipe.warehouse.fact.FactTables;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one deduplicated micro-batch: rejected records to the dead-letter topic, in-time events to the hourly
 * facts, committed exactly once through {@link ExactlyOnceWriter}. Runs on the driver, one batch at a time.
 *
 * <p>Dead letters are written before the facts commit: a crash between the two re-sends them when Spark re-runs
 * the batch (at-least-once, each carrying its source position to de-duplicate by), while the facts stay exactly-once.
 */
public final class FactsBatchSink {
  private static final Logger log = LoggerFactory.getLogger(FactsBatchSink.class);
  /** Spark sets this local property on the thread that runs a streaming query's batches. */
  private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";
  private static final String STATUS = "status";
  private static final String COUNTED = "counted";
  private static final String TOO_LATE = "too_late";
  private static final long ARRIVAL_BUCKET_MILLIS = 10;

  /**
   * Outcome of one batch, for metrics and progress.
   *
   * @param freshnessMillis counted events by how long after their arrival in Kafka they were committed
   */
  public record BatchResult(long batchId, boolean applied, long read, long counted, long tooLate,
      Map<String, Long> rejectedByReason, long rowsUpserted, long millis, Map<Long, Long> freshnessMillis) {}

  private final String sinkName;
  private final ExactlyOnceWriter writer;
  private final DeadLetterWriter deadLetters;
  private final JobLookup jobs;
  private final ZoneId zone;
  private final Duration allowedLateness;
  private final String sourceName;

  public FactsBatchSink(String sinkName, ExactlyOnceWriter writer, DeadLetterWriter deadLetters, JobLookup jobs,
      ZoneId zone, Duration allowedLateness, String sourceName) {
    this.sinkName = sinkName;
    this.writer = writer;
    this.deadLetters = deadLetters;
    this.jobs = jobs;
    this.zone = zone;
    this.allowedLateness = allowedLateness;
    this.sourceName = sourceName;
  }

  public BatchResult apply(Dataset<Row> batch, long batchId) throws Exception {
    long started = System.nanoTime();
    String queryId = batch.sparkSession().sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
    if (queryId == null) {
      throw new IllegalStateException("not running inside a streaming query: no " + QUERY_ID_PROPERTY);
    }
    var last = writer.lastCommit(sinkName);
    if (last.isPresent() && last.get().queryId().equals(queryId) && batchId <= last.get().batchId()) {
      log.info("Batch {} was committed before the restart; skipping it", batchId);
      return new BatchResult(batchId, false, 0, 0, 0, Map.of(), 0, 0, Map.of());
    }
    batch.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Column inTime = HourlyJobFacts.arrivedInTime(zone, allowedLateness);
      Column status = when(col(REJECT_REASON).isNotNull(), col(REJECT_REASON))
          .when(inTime, lit(COUNTED))
          .otherwise(lit(TOO_LATE));
      // One pass for the counts by outcome and the arrival times of counted events (for freshness).
      Column arrivalBucket = col(RECEIVED_AT).cast(DataTypes.DoubleType).multiply(1000 / ARRIVAL_BUCKET_MILLIS)
          .cast(DataTypes.LongType);
      Map<String, Long> byStatus = new TreeMap<>();
      Map<Long, Long> countedByArrival = new HashMap<>();
      for (Row row : batch.groupBy(status.as(STATUS), arrivalBucket.as("arrival")).count().collectAsList()) {
        byStatus.merge(row.getString(0), row.getLong(2), Long::sum);
        if (COUNTED.equals(row.getString(0))) countedByArrival.put(row.getLong(1), row.getLong(2));
      }
      long counted = byStatus.getOrDefault(COUNTED, 0L);
      long tooLate = byStatus.getOrDefault(TOO_LATE, 0L);
      Map<String, Long> rejected = new TreeMap<>(byStatus);
      rejected.remove(COUNTED);
      rejected.remove(TOO_LATE);
      long read = byStatus.values().stream().mapToLong(Long::longValue).sum();
      long decodedAt = System.nanoTime();

      if (!rejected.isEmpty()) {
        deadLetters.write(batch.filter(col(REJECT_REASON).isNotNull()));
      }
      long deadLetteredAt = System.nanoTime();
      List<Object[]> rows = new ArrayList<>();
      if (counted > 0) {
        Dataset<Row> events = batch.filter(col(REJECT_REASON).isNull().and(inTime))
            .select(Arrays.stream(DecodedEvents.EVENT_SCHEMA.fieldNames()).map(org.apache.spark.sql.functions::col)
                .toArray(Column[]::new));
        Dataset<Row> facts = HourlyJobFacts.transform(events, jobs.current(batch.sparkSession()), zone);
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
        for (Row fact : facts.collectAsList()) {
          rows.add(toEventsRow(fact, now));
        }
      }
      long aggregatedAt = System.nanoTime();
      ExactlyOnceWriter.Outcome outcome =
          writer.commit(sinkName, queryId, batchId, List.of(new FactBatch(FactTables.EVENTS, rows)));
      long committedAt = System.currentTimeMillis();
      Map<Long, Long> freshness = new HashMap<>();
      countedByArrival.forEach((bucket, n) ->
          freshness.merge(Math.max(0, committedAt - bucket * ARRIVAL_BUCKET_MILLIS - ARRIVAL_BUCKET_MILLIS / 2), n, Long::sum));
      long millis = (System.nanoTime() - started) / 1_000_000;
      log.info("Batch {}: {} records, {} counted, {} too late, rejected {}; {} rows in {} ms (read+dedup {} ms,"
          + " dead letters {} ms, rollup {} ms, commit {} ms)", batchId, read, counted, tooLate, rejected, rows.size(), millis,
          (decodedAt - started) / 1_000_000, (deadLetteredAt - decodedAt) / 1_000_000, (aggregatedAt - deadLetteredAt) / 1_000_000,
          (System.nanoTime() - aggregatedAt) / 1_000_000);
      return new BatchResult(batchId, outcome.applied(), read, counted, tooLate, rejected, outcome.rowsWritten(), millis,
          freshness);
    } finally {
      batch.unpersist();
    }
  }

  /** Values in {@link FactTables#EVENTS} column order. */
  private Object[] toEventsRow(Row fact, LocalDateTime now) {
    Date dates = fact.getDate(1);
    BigDecimal spend = fact.getDecimal(10);
    BigDecimal bidSet = fact.isNullAt(11) ? null : fact.getDecimal(11);
    Long companyId = fact.isNullAt(12) ? null : fact.getLong(12);
    return new Object[] {
      fact.getLong(0), dates.toLocalDate(), fact.getInt(2), fact.getLong(3), fact.getLong(4), fact.getLong(5),
      fact.getLong(6), fact.getLong(7), fact.getLong(8), fact.getLong(9), spend, bidSet, companyId, sourceName, now
    };
  }
}
