package io.trackpipe.spark.stream;

import java.time.Clock;
import java.util.Arrays;

/**
 * Event-to-row freshness (time from an event's arrival in Kafka to its facts being committed in the warehouse),
 * in 10 ms buckets up to two minutes: since start (or {@link #reset()}), and over the last {@value #WINDOW_MINUTES}
 * minutes. Thread-safe.
 *
 * <p>The window is what a dashboard shows: since start, the first minutes' batches (Spark's code generation and the
 * JIT warming up, tens of seconds) stay in the 99th percentile of a demo for hours, whatever its freshness now.
 */
public final class FreshnessHistogram {
  /** The window of {@link #recentPercentiles}, in whole minutes of the clock. */
  public static final int WINDOW_MINUTES = 10;
  private static final int BUCKET_MILLIS = 10;
  private static final int BUCKETS = 12_000;
  private static final long MINUTE_MILLIS = 60_000;
  private final Clock clock;
  private final long[] counts = new long[BUCKETS + 1];
  private long total;
  /** Per minute of the window, by the minute's number modulo the window: its counts, and which minute they are. */
  private final long[][] minuteCounts = new long[WINDOW_MINUTES][];
  private final long[] minuteOf = new long[WINDOW_MINUTES];

  public FreshnessHistogram() {
    this(Clock.systemUTC());
  }

  /** @param clock when events are recorded, for the window */
  public FreshnessHistogram(Clock clock) {
    this.clock = clock;
    Arrays.fill(minuteOf, -1);
  }

  public synchronized void record(long millis, long events) {
    int bucket = (int) Math.min(BUCKETS, Math.max(0, millis / BUCKET_MILLIS));
    counts[bucket] += events;
    total += events;
    long minute = Math.floorDiv(clock.millis(), MINUTE_MILLIS);
    int slot = (int) Math.floorMod(minute, WINDOW_MINUTES);
    if (minuteOf[slot] != minute) {
      if (minuteCounts[slot] == null) minuteCounts[slot] = new long[BUCKETS + 1];
      else Arrays.fill(minuteCounts[slot], 0);
      minuteOf[slot] = minute;
    }
    minuteCounts[slot][bucket] += events;
  }

  /** The freshness under which {@code fraction} of the events since start were committed, in ms; -1 before any. */
  public synchronized long percentile(double fraction) {
    return percentile(counts, total, fraction);
  }

  /**
   * For each of {@code fractions}, the freshness under which that fraction of the events committed in the last
   * {@value #WINDOW_MINUTES} minutes (this one included) were committed, in ms; -1 when there were none. The window's
   * minutes are added up once for all of them.
   */
  public synchronized long[] recentPercentiles(double... fractions) {
    long now = Math.floorDiv(clock.millis(), MINUTE_MILLIS);
    long[] recent = new long[BUCKETS + 1];
    long recentTotal = 0;
    for (int slot = 0; slot < WINDOW_MINUTES; slot++) {
      if (minuteCounts[slot] == null || minuteOf[slot] <= now - WINDOW_MINUTES) continue;
      for (int i = 0; i <= BUCKETS; i++) {
        recent[i] += minuteCounts[slot][i];
        recentTotal += minuteCounts[slot][i];
      }
    }
    long[] percentiles = new long[fractions.length];
    for (int i = 0; i < fractions.length; i++) percentiles[i] = percentile(recent, recentTotal, fractions[i]);
    return percentiles;
  }

  private static long percentile(long[] counts, long total, double fraction) {
    if (total == 0) return -1;
    long rank = (long) Math.ceil(fraction * total);
    long seen = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) return (long) (i + 1) * BUCKET_MILLIS;
    }
    return (long) BUCKETS * BUCKET_MILLIS;
  }

  public synchronized long count() {
    return total;
  }

  /** Forgets every event recorded so far, the window's too. */
  public synchronized void reset() {
    Arrays.fill(counts, 0);
    total = 0;
    Arrays.fill(minuteOf, -1);
  }
}
