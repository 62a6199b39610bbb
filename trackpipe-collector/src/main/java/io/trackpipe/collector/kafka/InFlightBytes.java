package io.trackpipe.collector.kafka;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A budget of request bytes held while waiting for Kafka. A request takes its share before its body is read and gives
 * it back when answered; when the budget is spent the request is answered 503 at once, so a slow or absent broker
 * cannot make the collector pile up memory. Thread-safe and lock-free.
 */
public final class InFlightBytes {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  public InFlightBytes(long limit) {
    if (limit <= 0) throw new IllegalArgumentException("limit must be > 0, got " + limit);
    this.limit = limit;
  }

  /** Takes {@code bytes} if they fit; false (and nothing taken) otherwise. */
  public boolean tryTake(long bytes) {
    while (true) {
      long current = used.get();
      if (current + bytes > limit) return false;
      if (used.compareAndSet(current, current + bytes)) return true;
    }
  }

  public void giveBack(long bytes) {
    used.addAndGet(-bytes);
  }

  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }
}
