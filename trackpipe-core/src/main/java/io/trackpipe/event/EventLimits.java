package io.trackpipe.event;

import java.time.Duration;
import java.time.ZoneId;

/**
 * What the decoder accepts beyond the schema's types.
 *
 * @param zone zone of {@code ts} values written without an offset ({@code yyyy-MM-dd HH:mm:ss})
 * @param maxFutureSkew how far an event's time may lie ahead of its arrival (tracker clocks drift);
 *     later than that is rejected, because a future event time would hold the pipeline's time horizon open
 * @param maxPayloadBytes largest raw record accepted
 * @param maxFieldChars longest string accepted in any field
 */
public record EventLimits(ZoneId zone, Duration maxFutureSkew, int maxPayloadBytes, int maxFieldChars)
    implements java.io.Serializable {
  /** Event times before this are treated as corrupt (an unset clock reads 1970). */
  public static final long MIN_EVENT_TIME_MILLIS = 946_684_800_000L; // 2000-01-01T00:00:00Z

  public static final EventLimits DEFAULT = new EventLimits(ZoneId.of("UTC"), Duration.ofMinutes(15), 64 * 1024, 8192);

  public EventLimits {
    if (zone == null) throw new IllegalArgumentException("zone is null");
    if (maxFutureSkew == null || maxFutureSkew.isNegative()) throw new IllegalArgumentException("maxFutureSkew must be >= 0");
    if (maxPayloadBytes <= 0) throw new IllegalArgumentException("maxPayloadBytes must be > 0");
    if (maxFieldChars <= 0) throw new IllegalArgumentException("maxFieldChars must be > 0");
  }
}
