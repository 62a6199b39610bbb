package io.trackpipe.spark.batch;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.session.SubmitArguments;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.WarehouseConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point for {@code spark-submit}: one cycle of the batch job, configured like {@code trackpipe batch --once} (a
 * scheduler repeats it). A failed cycle commits nothing and ends the application with an exception, so the cluster
 * reports the driver FAILED. A driver killed at any point leaves the warehouse as the last finished cycle left it (a
 * cycle writes in one transaction: {@link BatchJob#runCycle()}): the next run does its work.
 *
 * <pre>spark-submit --class io.trackpipe.spark.batch.BatchMain trackpipe-spark-job.jar --once --config prod.yaml
 *     [--domain NAME] [--set key=value …]</pre>
 */
public final class BatchMain {
  static final List<Setting<?>> SETTINGS;

  static {
    List<Setting<?>> all = new ArrayList<>();
    all.addAll(WarehouseConfig.SETTINGS);
    all.addAll(RawStoreConfig.SETTINGS);
    all.addAll(StreamConfig.SETTINGS); // the zone, lateness, domain.* and rollup.* the stream counts with
    all.addAll(BatchConfig.SETTINGS);
    SETTINGS = List.copyOf(all);
  }

  private BatchMain() {}

  public static void main(String[] args) throws Exception {
    SubmitArguments arguments = new SubmitArguments(args,
        "BatchMain --once [--config FILE] [--domain NAME] [--set key=value …]");
    String domainName = DomainCatalog.JOB_ADS;
    boolean once = false;
    for (String option; (option = arguments.nextOption()) != null; ) {
      switch (option) {
        case "--domain" -> domainName = arguments.value(option);
        case "--once" -> once = true;
        default -> arguments.usage("unknown argument '" + option + "'");
      }
    }
    // Only one mode under spark-submit: a cluster's scheduler (cron, Airflow) repeats the application.
    if (!once) arguments.usage("--once is required (schedule the application to repeat it)");
    WarehouseConfig warehouse;
    RawStoreConfig rawStore;
    StreamConfig stream;
    BatchConfig batch;
    Domain domain;
    try {
      Configuration config = arguments.load(SETTINGS);
      DomainCatalog catalog = DomainCatalog.from(config);
      warehouse = WarehouseConfig.from(config);
      rawStore = RawStoreConfig.from(config);
      stream = StreamConfig.from(config);
      batch = BatchConfig.from(config);
      config.throwIfInvalid();
      String name = domainName;
      domain = catalog.domain(name).orElseThrow(() -> new ConfigException(List.of("--domain: no domain '" + name
          + "' (defined: " + String.join(", ", catalog.names()) + "; add one with domain.definitions)")));
    } catch (ConfigException e) {
      SubmitArguments.exitOnConfigProblem(e);
      return;
    }
    SparkSession spark = SparkSessions.forStream("trackpipe-batch", stream);
    try {
      BatchJob.CycleResult r = BatchJob.prepare(spark, domain, warehouse, rawStore, stream, batch, Clock.systemUTC())
          .runCycle();
      System.out.printf("Batch cycle of %s: %d event hours written since the last one; %d hours and %d days rewritten"
              + " (%,d rows replaced by %,d); %d buckets pending; watermark %s; %,d ms%n", domain.name(),
          r.eventHoursWritten(), r.hourlyBuckets(), r.dailyBuckets(), r.rowsDeleted(), r.rowsInserted(), r.pending(),
          r.watermark(), r.millis());
    } finally {
      SparkSessions.stopApplication(spark);
    }
  }
}
