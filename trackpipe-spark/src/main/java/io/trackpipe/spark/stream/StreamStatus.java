package io.trackpipe.spark.stream;

import java.util.Map;

/**
 * A snapshot of the streaming job's counters since it started (this process), for progress output and metrics.
 *
 * @param lag Kafka records not yet read, summed over partitions, after the last batch (-1 before the first)
 * @param droppedDuplicates copies removed by the dedup step
 * @param rejectedByReason dead-lettered records by reason code
 */
public record StreamStatus(
    long batches,
    long lastBatchId,
    long recordsRead,
    long eventsCounted,
    long eventsTooLate,
    long droppedDuplicates,
    long rejected,
    Map<String, Long> rejectedByReason,
    long rowsUpserted,
    long lastBatchMillis,
    long lag,
    double inputRecordsPerSecond,
    double processedRecordsPerSecond) {

  public StreamStatus {
    rejectedByReason = Map.copyOf(rejectedByReason);
  }

  public static final StreamStatus EMPTY = new StreamStatus(0, -1, 0, 0, 0, 0, 0, Map.of(), 0, 0, -1, 0, 0);
}
