package io.trackpipe.spark.stream;

import io.trackpipe.warehouse.fact.KafkaOffsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * Collects the job's counters from two places: the batch function (what was counted, dropped as a copy, rejected,
 * upserted) and Spark's query progress (rates, and the committed offsets that the lag is measured from, since Spark
 * does not commit offsets to a consumer group). Thread-safe.
 */
public final class StreamMetrics {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StreamMetrics.class);

  private StreamStatus status = StreamStatus.EMPTY;
  private final Map<String, Long> rejectedByReason = new TreeMap<>();
  private final FreshnessHistogram freshness = new FreshnessHistogram();
  /** Records not yet read per "topic/partition", from the last progress; empty before the first. */
  private Map<String, Long> lagByPartition = Map.of();
  /** The offsets after the last batch, by "topic/partition"; empty before the first. */
  private Map<String, Long> committedOffsets = Map.of();
  private long deadLettersNotStored;

  /** Event-to-row freshness of the events counted since start (or since {@link FreshnessHistogram#reset()}). */
  public FreshnessHistogram freshness() {
    return freshness;
  }

  public synchronized StreamStatus status() {
    return status;
  }

  /** Kafka records not yet read, by {@code topic/partition}, after the last batch (empty before the first). */
  public synchronized Map<String, Long> lagByPartition() {
    return lagByPartition;
  }

  /** Rejected records whose dead letter Kafka refused for good (logged each), since start. */
  public synchronized long deadLettersNotStored() {
    return deadLettersNotStored;
  }

  synchronized void deadLettersNotStored(long sinceStart) {
    deadLettersNotStored = sinceStart;
  }

  /** Called by the batch function after a batch committed. */
  synchronized void batchCommitted(long batchId, long read, long counted, long duplicates, long tooLate,
      Map<String, Long> rejected,
      long rowsUpserted, long millis, Map<Long, Long> freshnessMillis) {
    freshnessMillis.forEach(freshness::record);
    rejected.forEach((reason, n) -> rejectedByReason.merge(reason, n, Long::sum));
    long rejectedTotal = rejected.values().stream().mapToLong(Long::longValue).sum();
    StreamStatus s = status;
    status = new StreamStatus(s.batches() + 1, batchId, s.recordsRead() + read, s.eventsCounted() + counted,
        s.eventsTooLate() + tooLate, s.droppedDuplicates() + duplicates, s.rejected() + rejectedTotal, rejectedByReason,
        s.rowsUpserted() + rowsUpserted, millis, s.lag(), s.inputRecordsPerSecond(), s.processedRecordsPerSecond());
  }

  /** The topic's current end offsets, keyed {@code topic/partition}; throws when they cannot be had. */
  @FunctionalInterface
  public interface EndOffsets {
    Map<String, Long> latest(Set<String> topicPartitions);
  }

  /**
   * Called with the progress of the job's own query, after each batch and every few seconds while idle. The lag is
   * measured from the offsets committed so far (the progress's end offsets) to the topic's end now, so it is 0 once
   * the job has caught up; Spark's own "latest" offsets date from when the batch was planned.
   */
  synchronized void onQueryProgress(StreamingQueryListener.QueryProgressEvent event, EndOffsets endOffsets) {
    StreamingQueryProgress p = event.progress();
    if (log.isDebugEnabled()) log.debug("Batch {} durations (ms): {}", p.batchId(), p.durationMs());
    Map<String, Long> ended = new TreeMap<>();
    boolean readable = true;
    for (SourceProgress source : p.sources()) {
      if (source.endOffset() == null) continue;
      try {
        ended.putAll(KafkaOffsets.parse(source.endOffset()).byPartition());
      } catch (IllegalArgumentException e) {
        log.debug("Cannot read Kafka offsets {}", source.endOffset(), e);
        readable = false;
      }
    }
    // An idle trigger may report no offsets: the last batch's still stand.
    if (!ended.isEmpty()) committedOffsets = Map.copyOf(ended);
    Map<String, Long> byPartition = readable ? lagByPartition(committedOffsets, endOffsets) : Map.of();
    long lag = totalLag(byPartition);
    lagByPartition = Map.copyOf(byPartition);
    StreamStatus s = status;
    status = new StreamStatus(s.batches(), s.lastBatchId(), s.recordsRead(), s.eventsCounted(), s.eventsTooLate(),
        s.droppedDuplicates(), s.rejected(), s.rejectedByReason(), s.rowsUpserted(), s.lastBatchMillis(), lag,
        finite(p.inputRowsPerSecond()), finite(p.processedRowsPerSecond()));
  }

  /**
   * Per partition, the topic's end minus the committed offset (or a batch's end: what it will commit); empty when the
   * end offsets cannot be had.
   */
  static Map<String, Long> lagByPartition(Map<String, Long> committed, EndOffsets endOffsets) {
    if (committed.isEmpty()) return Map.of();
    Map<String, Long> ends;
    try {
      ends = endOffsets.latest(committed.keySet());
    } catch (RuntimeException e) {
      // Lag is a progress figure: a broker that does not answer must not stop the job, but shows as unknown.
      log.debug("Cannot read the end offsets of {}", committed.keySet(), e);
      return Map.of();
    }
    Map<String, Long> lag = new TreeMap<>();
    committed.forEach((partition, offset) -> {
      Long end = ends.get(partition);
      if (end != null) lag.put(partition, Math.max(0, end - offset));
    });
    return lag;
  }

  /** The sum of {@link #lagByPartition}'s lags; -1 when it is empty (the end offsets unknown, shown as "-"). */
  static long totalLag(Map<String, Long> byPartition) {
    return byPartition.isEmpty() ? -1 : byPartition.values().stream().mapToLong(Long::longValue).sum();
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
