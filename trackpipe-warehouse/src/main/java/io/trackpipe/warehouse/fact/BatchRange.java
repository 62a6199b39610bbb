package io.trackpipe.warehouse.fact;

import static java.util.Objects.requireNonNull;

/** The Kafka offsets a micro-batch read: from {@code start} (inclusive) to {@code end} (exclusive), per partition. */
public record BatchRange(KafkaOffsets start, KafkaOffsets end) {
  public BatchRange {
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
  }

  @Override
  public String toString() {
    return start.json() + " → " + end.json();
  }
}
