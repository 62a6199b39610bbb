package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;

/**
 * Counts of a {@link GeneratorRun} so far, or at its end.
 *
 * @param elapsed clock time since the run started
 * @param currentEventsPerSecond records per second since the previous report
 * @param averageEventsPerSecond records per second since the start
 */
public record GeneratorProgress(
    Status status,
    Duration elapsed,
    long valid,
    long duplicates,
    long late,
    long malformed,
    double currentEventsPerSecond,
    double averageEventsPerSecond) {

  /** Whether the run goes on, and if not, why it ended. */
  public enum Status {
    RUNNING,
    MAX_EVENTS_REACHED,
    MAX_DURATION_REACHED,
    /** {@link GeneratorRun#stop()} was called or the running thread was interrupted. */
    STOPPED
  }

  public GeneratorProgress {
    requireNonNull(status, "status is null");
    requireNonNull(elapsed, "elapsed is null");
  }

  /** Records of every kind. */
  public long total() {
    return valid + duplicates + late + malformed;
  }

  public long count(GeneratedRecord.Kind kind) {
    return switch (kind) {
      case VALID -> valid;
      case DUPLICATE -> duplicates;
      case LATE -> late;
      case MALFORMED -> malformed;
    };
  }

  public boolean finished() {
    return status != Status.RUNNING;
  }

  /** One line for people: {@code 12,000 records in 10.0 s (11,500 valid, 200 duplicate, ...), 1,200/s}. */
  public String summary() {
    return String.format(Locale.ROOT, "%,d records in %.1f s (%,d valid, %,d duplicate, %,d late, %,d malformed), %,.0f/s%s",
        total(), elapsed.toNanos() / 1e9, valid, duplicates, late, malformed,
        finished() ? averageEventsPerSecond : currentEventsPerSecond,
        finished() ? " average, " + status.name().toLowerCase(Locale.ROOT).replace('_', ' ') : "");
  }
}
