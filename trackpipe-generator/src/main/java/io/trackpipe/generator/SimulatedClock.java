package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * A clock that only moves when told to; as a {@link GeneratorRun.Sleeper}, sleeping moves it. A {@link GeneratorRun}
 * on it paces events in simulated time as fast as the sink takes them: an hour of traffic at its rate in seconds (a
 * test's, or a benchmark's backlog). Thread-safe.
 */
public final class SimulatedClock implements InstantSource, GeneratorRun.Sleeper {
  private volatile Instant now;
  private volatile long sleeps;

  public SimulatedClock(Instant start) {
    this.now = requireNonNull(start, "start is null");
  }

  @Override
  public Instant instant() {
    return now;
  }

  public synchronized void advance(Duration duration) {
    now = now.plus(duration);
  }

  @Override
  public synchronized void sleep(Duration duration) {
    sleeps++;
    advance(duration);
  }

  /** How many times a run slept on it. */
  public long sleeps() {
    return sleeps;
  }
}
