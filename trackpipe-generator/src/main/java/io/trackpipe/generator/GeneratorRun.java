package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Feeds a {@link RecordGenerator} into an {@link EventSink} at the configured rate until
 * {@link GeneratorConfig#maxEvents()}, {@link GeneratorConfig#maxDuration()}, {@link #stop()} or an interrupt, then
 * flushes the sink (it does not close it: the caller owns the sink).
 *
 * <p>Pacing is a token bucket refilled from the clock: the run sleeps whenever it is ahead of schedule, for at least
 * {@link #SHORTEST_PAUSE}, and then sends the events that came due in a burst. So 10 events/s sleep 100 ms between
 * events and 200k events/s send about 200 events per millisecond, neither spinning a core. After a stall (a slow
 * sink) it catches up by at most {@link #LONGEST_BURST} worth of events rather than flooding.
 *
 * <p>Time comes only from the given {@link InstantSource} and {@link Sleeper}, so a test can run an hour of pacing in
 * no time. One run per instance; {@link #run} blocks the calling thread, {@link #stop()} may be called from any thread.
 */
public final class GeneratorRun {
  public static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
  /** Sleeping less than this costs more in wake-ups than it gains in smoothness. */
  public static final Duration SHORTEST_PAUSE = Duration.ofMillis(1);
  public static final Duration LONGEST_BURST = Duration.ofMillis(50);

  /** Waits; the real one sleeps the thread, a test's advances its clock. */
  @FunctionalInterface
  public interface Sleeper {
    Sleeper THREAD_SLEEP = duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());

    void sleep(Duration duration) throws InterruptedException;
  }

  private static final long PROGRESS_INTERVAL_NANOS = PROGRESS_INTERVAL.toNanos();
  private static final long SHORTEST_PAUSE_NANOS = SHORTEST_PAUSE.toNanos();

  private final RecordGenerator generator;
  private final EventSink sink;
  private final InstantSource clock;
  private final Sleeper sleeper;
  private volatile boolean stopRequested;

  /** A run on real time: {@code clock} is usually {@link InstantSource#system()}. */
  public GeneratorRun(RecordGenerator generator, EventSink sink, InstantSource clock) {
    this(generator, sink, clock, Sleeper.THREAD_SLEEP);
  }

  public GeneratorRun(RecordGenerator generator, EventSink sink, InstantSource clock, Sleeper sleeper) {
    this.generator = requireNonNull(generator, "generator is null");
    this.sink = requireNonNull(sink, "sink is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
  }

  /** Asks a running {@link #run} to end after the record in hand; it still flushes. Safe from any thread. */
  public void stop() {
    stopRequested = true;
  }

  /**
   * Generates until a limit or a stop, then flushes the sink.
   *
   * @param onProgress called on this thread about every {@link #PROGRESS_INTERVAL} with {@link
   *     GeneratorProgress.Status#RUNNING}; the final summary is returned, not passed to it
   * @return the final counts, with the reason the run ended
   * @throws EventSinkException when the sink fails; the records sent before are not counted as lost or delivered
   */
  public GeneratorProgress run(Consumer<GeneratorProgress> onProgress) {
    requireNonNull(onProgress, "onProgress is null");
    GeneratorConfig config = generator.config();
    long maxEvents = config.maxEvents().orElse(Long.MAX_VALUE);
    long maxDurationNanos = config.maxDuration().map(GeneratorRun::saturatedNanos).orElse(Long.MAX_VALUE);
    double eventsPerSecond = config.eventsPerSecond();
    boolean paced = eventsPerSecond > 0;
    double bucketCapacity = Math.max(1, eventsPerSecond * LONGEST_BURST.toNanos() / 1e9);

    Instant start = clock.instant();
    long[] counts = new long[GeneratedRecord.Kind.values().length];
    long total = 0;
    long lastReportNanos = 0;
    long totalAtLastReport = 0;
    double tokens = 1;
    long lastRefillNanos = 0;
    boolean interrupted = false;
    GeneratorProgress.Status status;

    while (true) {
      if (total >= maxEvents) {
        status = GeneratorProgress.Status.MAX_EVENTS_REACHED;
        break;
      }
      if (stopRequested || Thread.currentThread().isInterrupted()) {
        status = GeneratorProgress.Status.STOPPED;
        break;
      }
      Instant now = clock.instant();
      long elapsedNanos = nanosBetween(start, now);
      if (elapsedNanos >= maxDurationNanos) {
        status = GeneratorProgress.Status.MAX_DURATION_REACHED;
        break;
      }
      if (elapsedNanos - lastReportNanos >= PROGRESS_INTERVAL_NANOS) {
        onProgress.accept(progress(GeneratorProgress.Status.RUNNING, elapsedNanos, counts,
            perSecond(total - totalAtLastReport, elapsedNanos - lastReportNanos)));
        lastReportNanos = elapsedNanos;
        totalAtLastReport = total;
      }
      if (paced) {
        tokens = Math.min(bucketCapacity, tokens + (elapsedNanos - lastRefillNanos) * eventsPerSecond / 1e9);
        lastRefillNanos = elapsedNanos;
        if (tokens < 1) {
          long dueInNanos = (long) Math.ceil((1 - tokens) * 1e9 / eventsPerSecond);
          // Wake up for the next report and for the deadline too, so slow rates still report and stop on time.
          long untilReport = lastReportNanos + PROGRESS_INTERVAL_NANOS - elapsedNanos;
          long untilDeadline = maxDurationNanos - elapsedNanos;
          long pauseNanos = Math.max(SHORTEST_PAUSE_NANOS, Math.min(dueInNanos, Math.min(untilReport, untilDeadline)));
          try {
            sleeper.sleep(Duration.ofNanos(pauseNanos));
          } catch (InterruptedException e) {
            interrupted = true;
            status = GeneratorProgress.Status.STOPPED;
            break;
          }
          continue;
        }
        tokens -= 1;
      }
      GeneratedRecord record = generator.next(now);
      sink.send(record);
      counts[record.kind().ordinal()]++;
      total++;
    }

    // A pending interrupt would make the Kafka producer's flush throw; flush first, then restore it for the caller.
    interrupted |= Thread.interrupted();
    try {
      sink.flush();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    long elapsedNanos = nanosBetween(start, clock.instant());
    return progress(status, elapsedNanos, counts, perSecond(total - totalAtLastReport, elapsedNanos - lastReportNanos));
  }

  private static GeneratorProgress progress(
      GeneratorProgress.Status status, long elapsedNanos, long[] counts, double currentEventsPerSecond) {
    long total = 0;
    for (long count : counts) {
      total += count;
    }
    return new GeneratorProgress(status, Duration.ofNanos(elapsedNanos),
        counts[GeneratedRecord.Kind.VALID.ordinal()], counts[GeneratedRecord.Kind.DUPLICATE.ordinal()],
        counts[GeneratedRecord.Kind.LATE.ordinal()], counts[GeneratedRecord.Kind.MALFORMED.ordinal()],
        currentEventsPerSecond, perSecond(total, elapsedNanos));
  }

  private static double perSecond(long events, long nanos) {
    return nanos <= 0 ? 0 : events * 1e9 / nanos;
  }

  private static long nanosBetween(Instant from, Instant to) {
    return saturatedNanos(Duration.between(from, to));
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
