package io.trackpipe.spark.session;

import io.trackpipe.spark.stream.StreamConfig;
import org.apache.spark.sql.SparkSession;

/** The one place Spark sessions are configured, so the job behaves the same under the CLI, tests and spark-submit. */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * Uses the running session when there is one (spark-submit), else starts one on {@link StreamConfig#sparkMaster()}.
   * The settings below are the job's, and are applied either way.
   */
  public static SparkSession forStream(String appName, StreamConfig stream) {
    // A session stopped earlier in this JVM (one CLI command after another, as in tests) is not one to join.
    if (SparkSession.getActiveSession().isDefined() && SparkSession.getActiveSession().get().sparkContext().isStopped()) {
      SparkSession.clearActiveSession();
    }
    if (SparkSession.getDefaultSession().isDefined() && SparkSession.getDefaultSession().get().sparkContext().isStopped()) {
      SparkSession.clearDefaultSession();
    }
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (SparkSession.getActiveSession().isEmpty() && System.getProperty("spark.master") == null) {
      builder.master(stream.sparkMaster())
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.ui.enabled", "false");
    }
    SparkSession spark = builder.getOrCreate();
    // Facts are bucketed by an explicit zone conversion (RollupPlan); the session itself must not shift times.
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    spark.conf().set("spark.sql.shuffle.partitions", String.valueOf(stream.shufflePartitions()));
    // Small batches: adaptive planning costs more than it saves, and the job keeps no Spark state to spill.
    spark.conf().set("spark.sql.adaptive.enabled", "false");
    // Each micro-batch is cached for its two passes and dropped right after: compressing it costs more than it saves.
    spark.conf().set("spark.sql.inMemoryColumnarStorage.compressed", "false");
    // Decoded batches have 33 columns (with the tracker context): above the default 25, Spark warns at every start.
    spark.conf().set("spark.sql.debug.maxToStringFields", "64");
    return spark;
  }

  /** A small local session for unit tests and batch tools. */
  public static SparkSession local(String appName) {
    SparkSession spark = SparkSession.builder().appName(appName).master("local[2]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    return spark;
  }
}
