package io.trackpipe.spark.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * Collects the job's counters from two places: the batch function (what was counted, dropped as a copy, rejected,
 * upserted) and Spark's query progress (rates and lag, computed from the latest offsets because Spark does not
 * commit offsets to a consumer group). Thread-safe.
 */
public final class StreamMetrics {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StreamMetrics.class);

  private StreamStatus status = StreamStatus.EMPTY;
  private final Map<String, Long> rejectedByReason = new TreeMap<>();
  private final FreshnessHistogram freshness = new FreshnessHistogram();
  /** Records not yet read per "topic/partition", from the last progress; empty before the first. */
  private Map<String, Long> lagByPartition = Map.of();
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

  /** Called with the progress of the job's own query (the job filters out other queries). */
  synchronized void onQueryProgress(StreamingQueryListener.QueryProgressEvent event) {
    StreamingQueryProgress p = event.progress();
    if (log.isDebugEnabled()) log.debug("Batch {} durations (ms): {}", p.batchId(), p.durationMs());
    long lag = 0;
    Map<String, Long> byPartition = new TreeMap<>();
    for (SourceProgress source : p.sources()) {
      long behind = offsetsBehind(source.endOffset(), source.latestOffset());
      lag = behind < 0 || lag < 0 ? -1 : lag + behind; // -1: unknown, shown as "-"
      partitionsBehind(source.endOffset(), source.latestOffset(), byPartition);
    }
    lagByPartition = Map.copyOf(byPartition);
    StreamStatus s = status;
    status = new StreamStatus(s.batches(), s.lastBatchId(), s.recordsRead(), s.eventsCounted(), s.eventsTooLate(),
        s.droppedDuplicates(), s.rejected(), s.rejectedByReason(), s.rowsUpserted(), s.lastBatchMillis(), lag,
        finite(p.inputRowsPerSecond()), finite(p.processedRowsPerSecond()));
  }

  /** Sum over partitions of latest − end, from Spark's Kafka offset JSON ({@code {"topic":{"0":42,…}}}). */
  static long offsetsBehind(String endJson, String latestJson) {
    if (endJson == null || latestJson == null) return 0;
    try {
      JsonNode end = JSON.readTree(endJson);
      JsonNode latest = JSON.readTree(latestJson);
      long behind = 0;
      for (Iterator<Map.Entry<String, JsonNode>> topics = latest.fields(); topics.hasNext(); ) {
        var topic = topics.next();
        for (Iterator<Map.Entry<String, JsonNode>> parts = topic.getValue().fields(); parts.hasNext(); ) {
          var part = parts.next();
          JsonNode read = end.path(topic.getKey()).path(part.getKey());
          behind += Math.max(0, part.getValue().asLong() - (read.isMissingNode() ? 0 : read.asLong()));
        }
      }
      return behind;
    } catch (Exception e) {
      // Lag is a progress figure: an offset format we cannot read must not stop the job, but should be visible.
      log.debug("Cannot compute lag from offsets {} and {}", endJson, latestJson, e);
      return -1;
    }
  }

  /** Per partition latest − end into {@code into} as {@code topic/partition}; nothing when the offsets are unreadable. */
  static void partitionsBehind(String endJson, String latestJson, Map<String, Long> into) {
    if (endJson == null || latestJson == null) return;
    try {
      JsonNode end = JSON.readTree(endJson);
      JsonNode latest = JSON.readTree(latestJson);
      for (Iterator<Map.Entry<String, JsonNode>> topics = latest.fields(); topics.hasNext(); ) {
        var topic = topics.next();
        for (Iterator<Map.Entry<String, JsonNode>> parts = topic.getValue().fields(); parts.hasNext(); ) {
          var part = parts.next();
          JsonNode read = end.path(topic.getKey()).path(part.getKey());
          into.put(topic.getKey() + "/" + part.getKey(),
              Math.max(0, part.getValue().asLong() - (read.isMissingNode() ? 0 : read.asLong())));
        }
      }
    } catch (Exception e) {
      log.debug("Cannot compute partition lag from offsets {} and {}", endJson, latestJson, e);
    }
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
