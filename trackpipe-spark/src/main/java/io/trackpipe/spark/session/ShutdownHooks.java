package io.trackpipe.spark.session;

import java.util.concurrent.TimeUnit;

/**
 * Shutdown work that must run while Spark is still up (stopping a query between batches on Ctrl-C). Spark stops its
 * context from a Hadoop shutdown hook; plain JVM hooks run in no defined order relative to it.
 */
public final class ShutdownHooks {
  /** Above Spark's own hooks (its context stops at 50), so this runs first. */
  private static final int BEFORE_SPARK = 100;
  /** Below Spark's context (50): runs once Spark has stopped. */
  private static final int AFTER_SPARK = 10;
  /**
   * Hadoop gives a hook 30 s by default and then logs a TimeoutException over the rest of the stop. An ordered stop
   * (a batch cut short, servers draining) may need longer on a loaded machine; it is not cut off half-way.
   */
  private static final long TIMEOUT_SECONDS = 120;

  private ShutdownHooks() {}

  /**
   * For resources that running tasks use (a JVM-wide Kafka producer): closed only after Spark has stopped its context,
   * so that a stop between batches does not fail the batch in flight with "producer has been closed".
   */
  public static void afterSpark(Runnable hook) {
    org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(hook, AFTER_SPARK, TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  public static void beforeSpark(Runnable hook) {
    org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(hook, BEFORE_SPARK, TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
