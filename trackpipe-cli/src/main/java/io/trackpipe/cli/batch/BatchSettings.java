package io.trackpipe.cli.batch;

import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawTable;
import io.trackpipe.spark.batch.BatchConfig;
import io.trackpipe.spark.batch.BatchJob;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.WarehouseConfig;
import java.time.Clock;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * What batch, backfill and verify share: the configuration they read (warehouse, raw store, the stream's zone, lateness
 * and rollups, batch.*, the domains), checked at once, the domain they run for ({@code --domain}), and the prepared job
 * on a Spark session that {@link #close()} stops.
 */
final class BatchSettings implements AutoCloseable {
  final Domain domain;
  final RawTable rawTable;
  final WarehouseConfig warehouse;
  final RawStoreConfig rawStore;
  final StreamConfig stream;
  final BatchConfig batch;
  private SparkSession spark;

  private BatchSettings(Domain domain, WarehouseConfig warehouse, RawStoreConfig rawStore, StreamConfig stream,
      BatchConfig batch) {
    this.domain = domain;
    this.rawTable = RawTable.of(domain, rawStore);
    this.warehouse = warehouse;
    this.rawStore = rawStore;
    this.stream = stream;
    this.batch = batch;
  }

  /**
   * @param domainName the domain to run for ({@code --domain})
   * @throws ConfigException with every problem, an unknown domain included
   */
  static BatchSettings load(ConfigOptions options, String domainName) {
    Configuration settings = options.load();
    DomainCatalog domains = DomainCatalog.from(settings);
    WarehouseConfig warehouse = WarehouseConfig.from(settings);
    RawStoreConfig rawStore = RawStoreConfig.from(settings);
    StreamConfig stream = StreamConfig.from(settings);
    BatchConfig batch = BatchConfig.from(settings);
    settings.throwIfInvalid();
    Domain domain = domains.domain(domainName).orElseThrow(() -> new ConfigException(List.of("--domain: no domain '"
        + domainName + "' (defined: " + String.join(", ", domains.names()) + "; add one with domain.definitions)")));
    return new BatchSettings(domain, warehouse, rawStore, stream, batch);
  }

  BatchJob prepare(String appName) throws Exception {
    spark = SparkSessions.forStream(appName, stream);
    return BatchJob.prepare(spark, domain, warehouse, rawStore, stream, batch, Clock.systemUTC());
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
