package io.trackpipe.spark.session;

/**
 * Shutdown work that must run while Spark is still up (stopping a query between batches on Ctrl-C). Spark stops its
 * context from a Hadoop shutdown hook; plain JVM hooks run in no defined order relative to it.
 */
public final class ShutdownHooks {
  /** Above Spark's own hooks (its context stops at 50), so this runs first. */
  private static final int BEFORE_SPARK = 100;

  private ShutdownHooks() {}

  public static void beforeSpark(Runnable hook) {
    org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(hook, BEFORE_SPARK);
  }
}
