package io.trackpipe.warehouse.status;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * One job's last committed batch and its counters since the job started, as kept in {@code pipeline_status}.
 *
 * @param job the job's name (the streaming job's sink name)
 * @param lagRecords Kafka records not yet read, summed over partitions; null when unknown
 * @param freshnessP50Millis event arrival to committed row, median over the events committed in the last 10 minutes;
 *     null when there were none
 */
public record PipelineStatus(
    String job,
    Instant startedAt,
    Instant updatedAt,
    long batchId,
    long batches,
    long recordsRead,
    long eventsCounted,
    long duplicates,
    long tooLate,
    long deadLetters,
    Map<String, Long> deadLettersByReason,
    long rowsUpserted,
    long lastBatchMillis,
    Long lagRecords,
    double inputPerSecond,
    double processedPerSecond,
    Long freshnessP50Millis,
    Long freshnessP99Millis) {

  public PipelineStatus {
    requireNonNull(job, "job is null");
    requireNonNull(startedAt, "startedAt is null");
    requireNonNull(updatedAt, "updatedAt is null");
    deadLettersByReason = Map.copyOf(deadLettersByReason);
  }
}
