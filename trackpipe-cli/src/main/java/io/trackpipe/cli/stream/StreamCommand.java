package io.trackpipe.cli.stream;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.Configuration;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.spark.session.ShutdownHooks;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.WarehouseConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trackpipe stream}: the streaming job against the Kafka and warehouse named by configuration. */
@Command(name = "stream",
    header = "Run the streaming job: Kafka events into deduplicated rollup tables in MySQL, exactly once.",
    mixinStandardHelpOptions = true,
    description = {"Run the streaming job: Kafka events → validated, deduplicated hourly facts in MySQL, exactly once.",
        "Needs kafka.bootstrap-servers, warehouse.jdbc-url and warehouse.user (and warehouse.password, if the database has one).",
        "Ctrl-C stops cleanly; the next start resumes from the checkpoint (stream.checkpoint-dir)."},
    footer = {"", "Example:", "  TRACKPIPE_WAREHOUSE_PASSWORD=… trackpipe stream --config prod.yaml"})
public final class StreamCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--fresh", description = "Start over: clear the checkpoint and the streamed facts, re-read the topic.")
  boolean fresh;

  @Option(names = "--available-now",
      description = "Process what the topic holds now, then exit (for cron or Airflow runs); the default runs until stopped.")
  boolean availableNow;

  @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "10",
      description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
  int progressSeconds;

  @Override
  public Integer call() throws Exception {
    Configuration settings = config.load();
    KafkaConfig kafka = KafkaConfig.from(settings);
    WarehouseConfig warehouse = WarehouseConfig.from(settings);
    StreamConfig stream = StreamConfig.from(settings);
    MetricsEndpointConfig metrics = MetricsEndpointConfig.forStream(settings);
    RawStoreConfig rawStore = RawStoreConfig.from(settings);
    settings.throwIfInvalid();

    CountDownLatch stopped = new CountDownLatch(1);
    try (RunningStream running = RunningStream.start(kafka, warehouse, stream, rawStore, metrics, fresh, availableNow)) {
      ShutdownHooks.beforeSpark(() -> {
        running.close();
        try {
          stopped.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      System.out.println("Streaming " + kafka.eventsTopic() + " from " + kafka.bootstrapServers() + " into "
          + warehouse.jdbcUrl() + (rawStore.enabled() ? " and the raw store (keyspace " + rawStore.keyspace() + ") at "
          + rawStore.contactPoints() : "") + (availableNow ? " until the records there now are processed." : ". Ctrl-C stops."));
      running.metricsUrl().ifPresent(url -> System.out.println("Prometheus metrics at " + url));
      while (!running.awaitTermination(progressSeconds * 1000L)) {
        System.out.println(ProgressLine.format(-1, running.status()));
      }
      System.out.println("Stopped. " + ProgressLine.format(-1, running.status()));
      return ExitCodes.OK;
    } finally {
      stopped.countDown();
    }
  }
}
