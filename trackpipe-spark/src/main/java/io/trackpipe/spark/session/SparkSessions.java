package io.trackpipe.spark.session;

import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.spark.hive.HiveConfig;
import io.trackpipe.spark.stream.StreamConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.TimeZone;
import org.apache.spark.sql.SparkSession;

/** The one place Spark sessions are configured, so the job behaves the same under the CLI, tests and spark-submit. */
public final class SparkSessions {
  private static final String CODEGEN_CACHE_ENTRIES = "spark.sql.codegen.cache.maxEntries";
  /** Generated classes kept for reuse: room for every domain's plans (see {@link #withCodegenCache}). */
  private static final int CODEGEN_CACHE_SIZE = 1_000;

  static {
    // Tasks write to the raw store until Spark has stopped: its sessions close after Spark, not as soon as the JVM is
    // told to stop.
    RawStoreSessions.closeAtExitWith(ShutdownHooks::afterSpark);
  }

  private SparkSessions() {}

  /**
   * Uses the running session when there is one (spark-submit), else starts one on {@link StreamConfig#sparkMaster()}.
   * The settings below are the job's, and are applied either way.
   */
  public static SparkSession forStream(String appName, StreamConfig stream) {
    forgetStoppedSessions();
    SparkSession.Builder builder = withCodegenCache(named(SparkSession.builder(), appName));
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

  /**
   * The end of a {@code spark-submit} application (in a {@code finally}): stops Spark, then closes the raw store's
   * Cassandra sessions, whose threads ({@code trackpipe-rawstore-io-N}, {@code -admin-N}, {@code -timer-0}) are the only
   * non-daemon ones left. So the JVM ends when main returns or throws, and a cluster-mode driver is reported FINISHED or
   * FAILED instead of staying RUNNING.
   */
  public static void stopApplication(SparkSession spark) {
    try {
      spark.stop();
    } finally {
      RawStoreSessions.closeAll();
    }
  }

  /**
   * Spark keeps 100 generated classes per JVM; the three built-in domains' batches use about 115, so with the default
   * every batch compiled a dozen of them again (1,300-1,700 compilations a minute in the demo, none once they all
   * fit). A static setting, read by the JVM's first session that generates code, and by its executors: every session
   * here sets it, and a value given to spark-submit ({@code --conf}) wins.
   */
  private static SparkSession.Builder withCodegenCache(SparkSession.Builder builder) {
    if (System.getProperty(CODEGEN_CACHE_ENTRIES) == null) {
      builder.config(CODEGEN_CACHE_ENTRIES, String.valueOf(CODEGEN_CACHE_SIZE));
    }
    return builder;
  }

  /**
   * The job's own name, unless one was given to spark-submit ({@code --name}, which reaches the driver as the system
   * property {@code spark.app.name}): the builder's name would override it.
   */
  private static SparkSession.Builder named(SparkSession.Builder builder, String appName) {
    return System.getProperty("spark.app.name") == null ? builder.appName(appName) : builder;
  }

  /** A small local session for unit tests and batch tools. */
  public static SparkSession local(String appName) {
    SparkSession spark = withCodegenCache(SparkSession.builder().appName(appName)).master("local[2]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    return spark;
  }

  /**
   * A session with Hive support on {@code hive}'s metastore: the embedded Derby database in {@link
   * HiveConfig#metastoreDir()} (one JVM at a time may open it), or the external one of {@link HiveConfig#metastoreUris()}.
   * Uses the running session under spark-submit, which must then have been started with Hive support.
   *
   * <p>Sets this JVM's default time zone to UTC: Hive's text format reads and writes timestamps through {@code
   * java.sql.Timestamp}, in the JVM's zone, and the warehouse's DATETIME columns hold UTC. A cluster's executors need
   * {@code -Duser.timezone=UTC} too (see docs/hive-export.md).
   *
   * @param sparkMaster used when no session runs and no {@code spark.master} is set (the CLI)
   */
  public static SparkSession forHive(String appName, String sparkMaster, HiveConfig hive) {
    TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
    forgetStoppedSessions();
    SparkSession.Builder builder = withCodegenCache(named(SparkSession.builder(), appName)).enableHiveSupport()
        .config("spark.sql.warehouse.dir", hive.warehouseUri())
        // The export writes every partition of a run in one INSERT (dynamic partitions), days of years included.
        .config("spark.hadoop.hive.exec.dynamic.partition", "true")
        .config("spark.hadoop.hive.exec.dynamic.partition.mode", "nonstrict")
        .config("spark.hadoop.hive.exec.max.dynamic.partitions", "100000")
        .config("spark.hadoop.hive.exec.max.dynamic.partitions.pernode", "100000");
    // Executors started by this session (a cluster's) read and write Hive text in UTC too; spark-submit's own options stay.
    String executorOptions = System.getProperty("spark.executor.extraJavaOptions", "");
    if (!executorOptions.contains("-Duser.timezone=")) {
      builder.config("spark.executor.extraJavaOptions", (executorOptions + " -Duser.timezone=UTC").trim());
    }
    if (hive.embeddedMetastore()) {
      Path dir = hive.metastoreDir().toAbsolutePath().normalize();
      Path scratch = dir.resolve("scratch");
      try {
        Files.createDirectories(scratch);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the metastore folder " + dir + " (hive.metastore-dir)", e);
      }
      // Derby writes derby.log and finds its databases under its home; Hive's scratch folders go next to it, not to /tmp.
      System.setProperty("derby.system.home", dir.toString());
      builder.config("spark.hadoop.javax.jdo.option.ConnectionURL", derbyUrl(hive) + ";create=true")
          .config("spark.hadoop.hive.exec.scratchdir", scratch.resolve("hdfs").toString())
          .config("spark.hadoop.hive.exec.local.scratchdir", scratch.resolve("local").toString())
          .config("spark.hadoop.hive.downloaded.resources.dir", scratch.resolve("resources").toString())
          .config("spark.hadoop.hive.querylog.location", scratch.resolve("querylog").toString());
    } else {
      builder.config("spark.hadoop.hive.metastore.uris", hive.metastoreUris().orElseThrow());
    }
    if (SparkSession.getActiveSession().isEmpty() && System.getProperty("spark.master") == null) {
      builder.master(sparkMaster)
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.ui.enabled", "false");
    }
    SparkSession spark = builder.getOrCreate();
    if (!"hive".equals(spark.conf().get("spark.sql.catalogImplementation", "in-memory"))) {
      throw new IllegalStateException("the running Spark session has no Hive support (spark.sql.catalogImplementation="
          + spark.conf().get("spark.sql.catalogImplementation", "in-memory") + "): start it with --conf "
          + "spark.sql.catalogImplementation=hive, or stop it before exporting");
    }
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    spark.conf().set("hive.exec.dynamic.partition.mode", "nonstrict");
    return spark;
  }

  /**
   * Stops a session of {@link #forHive} and, for the embedded metastore, shuts its Derby database down so that another
   * JVM may open it. Hive keeps its metastore client for the life of the JVM: do not start another Hive session on the
   * embedded metastore in this JVM afterwards.
   */
  public static void stopHive(SparkSession spark, HiveConfig hive) {
    spark.stop();
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
    if (!hive.embeddedMetastore()) return;
    try {
      DriverManager.getConnection(derbyUrl(hive) + ";shutdown=true").close();
    } catch (SQLException e) {
      // Derby reports a database shut down as SQLState 08006; anything else is a real failure, and it was not opened
      // at all (XJ004) when the session never touched the metastore.
      if (!"08006".equals(e.getSQLState()) && !"XJ004".equals(e.getSQLState())) {
        throw new IllegalStateException("cannot shut down the Derby metastore in " + hive.metastoreDir() + ": " + e.getMessage(), e);
      }
    }
  }

  private static String derbyUrl(HiveConfig hive) {
    return "jdbc:derby:;databaseName=" + hive.metastoreDir().toAbsolutePath().normalize().resolve("metastore_db");
  }

  /** A session stopped earlier in this JVM (one CLI command after another, as in tests) is not one to join. */
  private static void forgetStoppedSessions() {
    if (SparkSession.getActiveSession().isDefined() && SparkSession.getActiveSession().get().sparkContext().isStopped()) {
      SparkSession.clearActiveSession();
    }
    if (SparkSession.getDefaultSession().isDefined() && SparkSession.getDefaultSession().get().sparkContext().isStopped()) {
      SparkSession.clearDefaultSession();
    }
  }
}
