package io.trackpipe.event;

import static java.util.Objects.requireNonNull;

/**
 * The fields of a valid tracking event that the rollups read. Nullable fields are boxed and null when the
 * tracker sent null or nothing; money is in micro-units (1.25 → 1 250 000) so sums are exact.
 */
public record DecodedEvent(
    String id,
    long eventTimeMillis,
    Long jobId,
    Long publisherId,
    Long campaignId,
    Long groupId,
    Long bidMicros,
    String customTrack) {

  public DecodedEvent {
    requireNonNull(id, "id is null");
  }
}
