package io.trackpipe.event.legacy;

import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;

import static java.util.Objects.requireNonNull;

/**
 * The fields of a valid tracking event that the rollups read, and its tracker context for the raw store. Nullable
 * fields are boxed and null when the tracker sent null or nothing; money is in micro-units (1.25 → 1 250 000) so sums
 * are exact.
 *
 * @param context the free tracker fields; {@link TrackerContext#EMPTY} unless the decoder keeps them
 *     ({@link EventDecoder#keepingContext()})
 */
public record DecodedEvent(
    String id,
    long eventTimeMillis,
    Long jobId,
    Long publisherId,
    Long campaignId,
    Long groupId,
    Long bidMicros,
    String customTrack,
    TrackerContext context) {

  public DecodedEvent {
    requireNonNull(id, "id is null");
    requireNonNull(context, "context is null");
  }

  /** An event without tracker context. */
  public DecodedEvent(String id, long eventTimeMillis, Long jobId, Long publisherId, Long campaignId, Long groupId,
      Long bidMicros, String customTrack) {
    this(id, eventTimeMillis, jobId, publisherId, campaignId, groupId, bidMicros, customTrack, TrackerContext.EMPTY);
  }
}
