package io.trackpipe.cli.schedule;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.config.ValueType;
import io.trackpipe.spark.session.ShutdownHooks;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;

/**
 * {@code --every DURATION} of the commands that repeat (batch, export hive), for deployments without cron or Airflow:
 * a cycle every DURATION until Ctrl-C, which lets a running cycle finish while Spark is still up. A failed cycle is
 * reported and the next one runs on time.
 */
public final class RunEvery {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** One cycle; returns the line that reports it. */
  @FunctionalInterface
  public interface Cycle {
    String run() throws Exception;
  }

  /** Parses {@code --every}: a positive duration such as 10s, 5m or 1h. */
  public static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = ValueType.DURATION_TYPE.parse(value);
      if (d.isZero() || d.isNegative()) throw new IllegalArgumentException("must be > 0: '" + value + "'");
      return d;
    }
  }

  private RunEvery() {}

  /**
   * @param onFailure told of each failed cycle (a metric to count it), before the failure is printed
   * @param afterFailure what a failed cycle leaves behind, for its message (e.g. "nothing committed")
   * @return {@link ExitCodes#OK} once stopped
   */
  public static int loop(Duration every, Cycle cycle, Consumer<Exception> onFailure, String afterFailure)
      throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    ShutdownHooks.beforeSpark(() -> {
      stop.countDown();
      try {
        stopped.await(2, TimeUnit.MINUTES); // let a running cycle finish while Spark is up
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    System.out.println("A cycle every " + ValueType.formatDuration(every) + ". Ctrl-C stops.");
    try {
      while (stop.getCount() > 0) {
        long started = System.nanoTime();
        try {
          System.out.println(cycle.run());
        } catch (Exception e) { // SQLException, an unreachable server, Spark's failures: report, try again next time
          onFailure.accept(e);
          System.err.println(now() + " cycle failed (" + afterFailure + "; retrying in " + ValueType.formatDuration(every)
              + "): " + e.getMessage());
        }
        long waitMillis = every.toMillis() - (System.nanoTime() - started) / 1_000_000;
        if (waitMillis > 0) stop.await(waitMillis, TimeUnit.MILLISECONDS);
      }
      System.out.println("Stopped.");
      return ExitCodes.OK;
    } finally {
      stopped.countDown();
    }
  }

  /** The time of day (UTC) that starts a cycle's report line. */
  public static String now() {
    return LocalTime.now(ZoneOffset.UTC).format(TIME);
  }
}
