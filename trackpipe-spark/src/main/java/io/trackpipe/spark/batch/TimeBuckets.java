package io.trackpipe.spark.batch;

import io.trackpipe.rollup.RollupDefinition.Granularity;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rollups' time buckets (local hours and days in the facts' zone) and the UTC event hours the raw store keys
 * them by. A UTC hour can touch two local hours (zones with a half-hour offset) and a local hour can cover two UTC hours
 * (the repeated hour when daylight saving ends), so both directions are computed, never assumed to be one to one.
 * Buckets are identified by their local start ({@link LocalDateTime}; a day by its midnight).
 */
public final class TimeBuckets {
  private static final Duration HOUR = Duration.ofHours(1);
  /** Every zone offset in use is a multiple of 15 minutes. */
  private static final Duration STEP = Duration.ofMinutes(15);

  private final ZoneId zone;

  public TimeBuckets(ZoneId zone) {
    this.zone = zone;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The bucket an instant falls in. */
  public LocalDateTime bucketOf(Granularity granularity, Instant instant) {
    LocalDateTime local = LocalDateTime.ofInstant(instant, zone);
    return granularity == Granularity.HOURLY ? local.truncatedTo(ChronoUnit.HOURS) : local.toLocalDate().atStartOfDay();
  }

  /** The first instant of the bucket (the earlier one when a repeated local hour starts it). */
  public Instant start(Granularity granularity, LocalDateTime bucket) {
    return granularity == Granularity.HOURLY ? bucket.atZone(zone).toInstant()
        : bucket.toLocalDate().atStartOfDay(zone).toInstant();
  }

  /** The instant after the bucket's last one. */
  public Instant end(Granularity granularity, LocalDateTime bucket) {
    return granularity == Granularity.HOURLY ? bucket.plusHours(1).atZone(zone).toInstant()
        : bucket.toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
  }

  /** The buckets that events of the UTC hour starting at {@code utcHour} fall into. */
  public Set<LocalDateTime> bucketsOfUtcHour(Granularity granularity, Instant utcHour) {
    Set<LocalDateTime> buckets = new TreeSet<>();
    for (Instant t = utcHour; t.isBefore(utcHour.plus(HOUR)); t = t.plus(STEP)) buckets.add(bucketOf(granularity, t));
    return buckets;
  }

  /** The UTC hours (their starts) holding the bucket's events. */
  public NavigableSet<Instant> utcHours(Granularity granularity, LocalDateTime bucket) {
    NavigableSet<Instant> hours = new TreeSet<>();
    Instant end = end(granularity, bucket);
    for (Instant h = start(granularity, bucket).truncatedTo(ChronoUnit.HOURS); h.isBefore(end); h = h.plus(HOUR)) hours.add(h);
    return hours;
  }

  /**
   * Settled: the stream adds nothing more to the bucket, because an event counts only if it arrives at most
   * {@code allowedLateness} after its hour ends, and {@code settleTime} more has passed for the stream's last batch to
   * commit.
   */
  public boolean settled(Granularity granularity, LocalDateTime bucket, Instant now, Duration allowedLateness,
      Duration settleTime) {
    return !settledAt(granularity, bucket, allowedLateness, settleTime).isAfter(now);
  }

  public Instant settledAt(Granularity granularity, LocalDateTime bucket, Duration allowedLateness, Duration settleTime) {
    return end(granularity, bucket).plus(allowedLateness).plus(settleTime);
  }

  /** The buckets of a granularity overlapping the local time range [from, to). */
  public List<LocalDateTime> bucketsBetween(Granularity granularity, LocalDateTime from, LocalDateTime to) {
    List<LocalDateTime> buckets = new ArrayList<>();
    LocalDateTime b = granularity == Granularity.HOURLY ? from.truncatedTo(ChronoUnit.HOURS) : from.toLocalDate().atStartOfDay();
    for (; b.isBefore(to); b = granularity == Granularity.HOURLY ? b.plusHours(1) : b.plusDays(1)) buckets.add(b);
    return buckets;
  }
}
