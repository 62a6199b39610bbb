package io.trackpipe.generator;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock that only moves when told to; as a {@link GeneratorRun.Sleeper}, sleeping moves it. Thread-safe. */
final class ManualClock implements InstantSource, GeneratorRun.Sleeper {
  private volatile Instant now;
  private volatile long sleeps;

  ManualClock(Instant start) {
    this.now = start;
  }

  @Override
  public Instant instant() {
    return now;
  }

  synchronized void advance(Duration duration) {
    now = now.plus(duration);
  }

  @Override
  public synchronized void sleep(Duration duration) {
    sleeps++;
    advance(duration);
  }

  long sleeps() {
    return sleeps;
  }
}
