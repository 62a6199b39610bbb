package io.trackpipe.warehouse.fact;

import static java.util.Objects.requireNonNull;

/** The Kafka offsets a micro-batch read: from {@code start} (inclusive) to {@code end} (exclusive), per partition. */
public record BatchRange(KafkaOffsets start, KafkaOffsets end) {
  public BatchRange {
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
  }

  /** How many offsets the batch spans, over every partition (records, and any offsets without one). */
  public long offsets() {
    var starts = start.byPartition();
    return end.byPartition().entrySet().stream()
        .mapToLong(e -> Math.max(0, e.getValue() - starts.getOrDefault(e.getKey(), e.getValue()))).sum();
  }

  @Override
  public String toString() {
    return start.json() + " → " + end.json();
  }
}
