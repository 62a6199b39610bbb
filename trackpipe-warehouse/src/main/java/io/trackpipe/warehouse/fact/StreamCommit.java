package io.trackpipe.warehouse.fact;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The last micro-batch of a streaming sink committed to the warehouse, the query (checkpoint) it belongs to, and the
 * Kafka offsets it read.
 *
 * @param range null for a commit made before offsets were recorded (schema version 4 and earlier)
 * @param arrivedUntil the newest Kafka timestamp of the records of every batch committed so far: how far the stream
 *     has counted, by arrival; null before a batch with records recorded it (schema version 5 and earlier)
 */
public record StreamCommit(String sink, String queryId, long batchId, BatchRange range, Instant arrivedUntil) {
  public StreamCommit {
    requireNonNull(sink, "sink is null");
    requireNonNull(queryId, "queryId is null");
  }

  /** What to do with a micro-batch, given the last commit. */
  public enum Decision {
    /** The batch follows the last commit: write it. */
    APPLY,
    /** The very batch that was committed last (same id, same offsets), run again after a crash: already written. */
    SKIP
  }

  /**
   * Decides whether batch {@code batchId} of {@code queryId}, reading {@code range}, continues this commit exactly.
   * Only an exact re-run is skipped; anything else that does not start where this commit ended would skip or count
   * events twice, and is refused.
   *
   * @throws IllegalStateException with what does not match and the way out
   */
  public Decision decide(String queryId, long batchId, BatchRange batchRange) {
    if (!this.queryId.equals(queryId)) throw new IllegalStateException(otherCheckpointMessage(queryId));
    if (range == null) return batchId <= this.batchId ? Decision.SKIP : Decision.APPLY;
    if (batchId == this.batchId) {
      if (range.equals(batchRange)) return Decision.SKIP;
      throw new IllegalStateException(checkpointMismatch("batch " + batchId + " is planned again over other Kafka offsets ("
          + batchRange + ") than it was committed with (" + range + ")"));
    }
    if (batchId < this.batchId) {
      throw new IllegalStateException(checkpointMismatch("the checkpoint went back: it runs batch " + batchId + " ("
          + batchRange + ") while the warehouse already committed batch " + this.batchId + " (" + range + ")"));
    }
    List<String> differences = differences(range.end(), batchRange.start());
    if (!differences.isEmpty()) {
      throw new IllegalStateException(checkpointMismatch("batch " + batchId + " does not start where the last committed batch "
          + this.batchId + " ended: " + String.join("; ", differences)));
    }
    return Decision.APPLY;
  }

  /** Per partition: where the committed batch ended and the next one starts, when they differ. */
  private static List<String> differences(KafkaOffsets committedEnd, KafkaOffsets nextStart) {
    SortedMap<String, Long> ended = committedEnd.byPartition();
    SortedMap<String, Long> starts = nextStart.byPartition();
    List<String> differences = new ArrayList<>();
    TreeSet<String> partitions = new TreeSet<>(ended.keySet());
    partitions.addAll(starts.keySet());
    for (String partition : partitions) {
      Long end = ended.get(partition);
      Long start = starts.get(partition);
      if (end == null || start == null) {
        differences.add(partition + ": " + (end == null ? "not in the last commit" : "not in this batch's start"));
      } else if (start > end) {
        differences.add(partition + ": gap, offsets " + end + " to " + (start - 1) + " would never be counted");
      } else if (start < end) {
        differences.add(partition + ": overlap, offsets " + start + " to " + (end - 1) + " would be counted twice");
      }
    }
    return differences;
  }

  private String checkpointMismatch(String what) {
    return "the checkpoint does not match the warehouse (sink '" + sink + "', query " + queryId + "): " + what
        + ". A restored older checkpoint or lost offsets/ or commits/ files cause this; counting on would skip or count"
        + " events twice. Restore the checkpoint folder that belongs to the warehouse (with its offsets/ and commits/ files"
        + " up to batch " + batchId + "), or the warehouse backup that belongs to this checkpoint, or start over with --fresh"
        + " (clears the streamed facts, the checkpoint and the dedup store).";
  }

  /** Why a job must not continue on a checkpoint other than the one the warehouse's facts came from, and what to do. */
  public String otherCheckpointMessage(String otherQueryId) {
    return "the warehouse holds facts committed by streaming query " + queryId + " (sink '" + sink
        + "', up to batch " + batchId + "), but this job runs query " + otherQueryId + " from a different checkpoint;"
        + " continuing would count retained Kafka events twice. Restore the original checkpoint folder, or start over"
        + " with --fresh (clears the streamed facts and the checkpoint).";
  }

}
