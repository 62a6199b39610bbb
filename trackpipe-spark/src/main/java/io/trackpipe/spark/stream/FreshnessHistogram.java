package io.trackpipe.spark.stream;

/**
 * Event-to-row freshness (time from an event's arrival in Kafka to its facts being committed in the warehouse),
 * in 10 ms buckets up to two minutes. Thread-safe.
 */
public final class FreshnessHistogram {
  private static final int BUCKET_MILLIS = 10;
  private static final int BUCKETS = 12_000;
  private final long[] counts = new long[BUCKETS + 1];
  private long total;

  public synchronized void record(long millis, long events) {
    int bucket = (int) Math.min(BUCKETS, Math.max(0, millis / BUCKET_MILLIS));
    counts[bucket] += events;
    total += events;
  }

  /** The freshness under which {@code fraction} of events were committed, in ms; -1 before any event. */
  public synchronized long percentile(double fraction) {
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

  public synchronized void reset() {
    java.util.Arrays.fill(counts, 0);
    total = 0;
  }
}
