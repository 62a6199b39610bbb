package io.trackpipe.cli.batch;

import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.Configuration;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.spark.batch.BatchConfig;
import io.trackpipe.spark.batch.BatchJob;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.WarehouseConfig;
import java.time.Clock;
import org.apache.spark.sql.SparkSession;

/**
 * What batch, backfill and verify share: the configuration they read (warehouse, raw store, the stream's zone, lateness
 * and rollups, batch.*), checked at once, and the prepared job on a Spark session that {@link #close()} stops.
 */
final class BatchSettings implements AutoCloseable {
  final WarehouseConfig warehouse;
  final RawStoreConfig rawStore;
  final StreamConfig stream;
  final BatchConfig batch;
  private SparkSession spark;

  private BatchSettings(WarehouseConfig warehouse, RawStoreConfig rawStore, StreamConfig stream, BatchConfig batch) {
    this.warehouse = warehouse;
    this.rawStore = rawStore;
    this.stream = stream;
    this.batch = batch;
  }

  /** @throws io.trackpipe.config.ConfigException with every problem */
  static BatchSettings load(ConfigOptions options) {
    Configuration settings = options.load();
    BatchSettings loaded = new BatchSettings(WarehouseConfig.from(settings), RawStoreConfig.from(settings),
        StreamConfig.from(settings), BatchConfig.from(settings));
    settings.throwIfInvalid();
    return loaded;
  }

  BatchJob prepare(String appName) throws Exception {
    spark = SparkSessions.forStream(appName, stream);
    return BatchJob.prepare(spark, warehouse, rawStore, stream, batch, Clock.systemUTC());
  }

  @Override
  public void close() {
    if (spark == null) return;
    spark.stop();
    // A stopped session stays "active" for this thread: the next command in the same JVM (tests) would reuse it.
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }
}
