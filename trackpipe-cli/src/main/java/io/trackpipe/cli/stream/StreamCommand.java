package io.trackpipe.cli.stream;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.DomainCatalog;
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
        "Runs every domain of the catalogue (job ads and those of domain.definitions), one query each, or those --domain names.",
        "Ctrl-C stops cleanly; the next start resumes from the checkpoint (stream.checkpoint-dir)."},
    footer = {"", "Examples:", "  TRACKPIPE_WAREHOUSE_PASSWORD=… trackpipe stream --config prod.yaml",
        "  trackpipe stream --config prod.yaml --domain signups"})
public final class StreamCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--fresh", description = "Start over: clear the checkpoint and the streamed facts, re-read the topic.")
  boolean fresh;

  @Option(names = "--available-now",
      description = "Process what the topic holds now, then exit (for cron or Airflow runs); the default runs until stopped.")
  boolean availableNow;

  @Option(names = "--domain", paramLabel = "NAME", split = ",",
      description = "Stream only these domains (repeatable or comma-separated); default: every domain of the catalogue.")
  java.util.List<String> domains = new java.util.ArrayList<>();

  @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "10",
      description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
  int progressSeconds;

  @Override
  public Integer call() throws Exception {
    Configuration settings = config.load();
    KafkaConfig kafka = KafkaConfig.from(settings);
    WarehouseConfig warehouse = WarehouseConfig.from(settings);
    StreamConfig stream = StreamConfig.from(settings);
    if (!domains.isEmpty()) {
      java.util.List<String> known = stream.domains().names();
      for (String name : domains) {
        settings.check(known.contains(name), "--domain: no domain '" + name + "' (the catalogue has " + known + ")");
      }
      stream = stream.withDomains(new DomainCatalog(stream.domains().domains().stream()
          .filter(d -> domains.contains(d.name())).toList()));
    }
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
      System.out.println("Streaming " + String.join(", ", running.domains()) + " from " + kafka.bootstrapServers() + " into "
          + warehouse.jdbcUrl() + (rawStore.enabled() ? " and the raw store (keyspace " + rawStore.keyspace() + ") at "
          + rawStore.contactPoints() : "") + (availableNow ? " until the records there now are processed." : ". Ctrl-C stops."));
      running.metricsUrl().ifPresent(url -> System.out.println("Prometheus metrics at " + url));
      while (!running.awaitTermination(progressSeconds * 1000L)) {
        printProgress(running, "");
      }
      printProgress(running, "Stopped. ");
      return ExitCodes.OK;
    } finally {
      stopped.countDown();
    }
  }

  /** One line per domain, named when there are several. */
  private static void printProgress(RunningStream running, String prefix) {
    for (String domain : running.domains()) {
      String name = running.domains().size() > 1 ? domain + ": " : "";
      System.out.println(prefix + name + ProgressLine.format(-1, running.status(domain)));
    }
  }
}
