package io.trackpipe.spark.stream;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.spark.metrics.MetricsEndpoint;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.spark.session.ShutdownHooks;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.session.SubmitArguments;
import io.trackpipe.warehouse.WarehouseConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point for {@code spark-submit} (and for tests that run the job in its own JVM): the streaming job alone,
 * configured like {@code trackpipe stream}.
 *
 * <pre>spark-submit --class io.trackpipe.spark.stream.StreamMain trackpipe-spark-job.jar --config prod.yaml [--fresh]
 *     [--available-now] [--set key=value …]</pre>
 */
public final class StreamMain {
  static final List<Setting<?>> SETTINGS;

  static {
    List<Setting<?>> all = new ArrayList<>();
    all.addAll(KafkaConfig.SETTINGS);
    all.addAll(WarehouseConfig.SETTINGS);
    all.addAll(StreamConfig.SETTINGS);
    all.addAll(MetricsEndpointConfig.STREAM_SETTINGS);
    all.addAll(RawStoreConfig.SETTINGS);
    SETTINGS = List.copyOf(all);
  }

  private StreamMain() {}

  public static void main(String[] args) throws Exception {
    SubmitArguments arguments = new SubmitArguments(args,
        "StreamMain [--config FILE] [--fresh] [--available-now] [--set key=value …]");
    boolean fresh = false;
    boolean availableNow = false;
    for (String option; (option = arguments.nextOption()) != null; ) {
      switch (option) {
        case "--fresh" -> fresh = true;
        case "--available-now" -> availableNow = true;
        default -> arguments.usage("unknown argument '" + option + "'");
      }
    }
    KafkaConfig kafka;
    WarehouseConfig warehouse;
    StreamConfig stream;
    MetricsEndpointConfig metricsEndpoint;
    RawStoreConfig rawStore;
    try {
      Configuration config = arguments.load(SETTINGS);
      kafka = KafkaConfig.from(config);
      warehouse = WarehouseConfig.from(config);
      stream = StreamConfig.from(config);
      metricsEndpoint = MetricsEndpointConfig.forStream(config);
      rawStore = RawStoreConfig.from(config);
      config.throwIfInvalid();
    } catch (ConfigException e) {
      SubmitArguments.exitOnConfigProblem(e);
      return;
    }
    TrackingStreamJob job = new TrackingStreamJob(kafka, warehouse, stream, rawStore);
    SparkSession spark = SparkSessions.forStream(TrackingStreamJob.APP_NAME, stream);
    Optional<MetricsEndpoint> endpoint = Optional.empty();
    try {
      if (fresh) job.resetState(spark);
      endpoint = MetricsEndpoint.start(metricsEndpoint, job.prometheus().registry());
      StreamQueries queries;
      try {
        queries = job.start(spark, availableNow);
      } catch (ConfigException e) {
        SubmitArguments.exitOnConfigProblem(e);
        return;
      }
      ShutdownHooks.beforeSpark(() -> {
        try {
          queries.stop();
        } catch (Exception e) {
          System.err.println("Streaming queries did not stop cleanly: " + e.getMessage());
        }
      });
      queries.awaitTermination();
    } finally {
      // With --available-now the queries end by themselves, and a failed query ends main: the JVM must end too
      // (spark-submit and the cluster wait for it).
      endpoint.ifPresent(MetricsEndpoint::close);
      SparkSessions.stopApplication(spark);
    }
  }
}
