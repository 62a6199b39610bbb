package io.trackpipe.cli.collect;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.collector.Collector;
import io.trackpipe.collector.CollectorConfig;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import io.trackpipe.spark.stream.StreamConfig;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trackpipe collect}: the HTTP tracking endpoint in front of Kafka, until Ctrl-C. */
@Command(name = "collect",
    header = "Serve the HTTP collector in front of Kafka: events, pixel, health and metrics.",
    mixinStandardHelpOptions = true,
    description = {"Serve the HTTP collector in front of Kafka, for every domain (job ads and those of",
        "domain.definitions): POST /v1/{domain}/events (a JSON array or JSON lines), GET /v1/{domain}/pixel.gif,",
        "for job ads also POST /v1/events and GET /v1/pixel.gif; GET /health, GET /metrics.",
        "Each event is checked as the streaming job will check it: accepted ones go to the domain's",
        "events topic, the rest to its dead-letter topic with the reason. A client hears 'accepted'",
        "only after Kafka has acknowledged. Needs kafka.bootstrap-servers and collector.write-keys.",
        "Ctrl-C answers the requests in flight, then stops."},
    footer = {"", "Examples:",
        "  TRACKPIPE_COLLECTOR_WRITE_KEYS=… \\",
        "    trackpipe collect --set kafka.bootstrap-servers=kafka-1:9092",
        "  trackpipe collect --config prod.yaml --set collector.http.host=0.0.0.0",
        "", "See docs/collector.md for the routes, answers and settings."})
public final class CollectCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(CollectCommand.class);

  @Mixin ConfigOptions config;

  @Option(names = "--port", description = "Port to listen on (collector.http.port, default 8080; 0 picks a free one).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    if (port != null) flags.put(CollectorConfig.PORT.key(), String.valueOf(port));
    Configuration settings = config.load(flags);
    KafkaConfig kafka = KafkaConfig.from(settings);
    CollectorConfig collectorConfig = CollectorConfig.from(settings);
    // The streaming job's time zone and future skew: both must judge every event the same way.
    StreamConfig stream = StreamConfig.from(settings);
    settings.throwIfInvalid();
    DomainCatalog catalog = DomainCatalog.from(settings);
    List<Domain> domains = Collector.withJobAdsTopics(catalog, kafka);

    Collector collector = Collector.start(collectorConfig, kafka, stream.eventLimits(), catalog);
    CountDownLatch stopped = new CountDownLatch(1);
    PrintStream out = System.out;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("Stopping: answering requests in flight …");
      collector.close();
      out.printf("Stopped; %,d events accepted.%n", collector.eventsAccepted());
      stopped.countDown();
    }, "trackpipe-collect-shutdown"));
    // In the background: the collector answers 503 (and /health says why) until the topics exist.
    Thread topics = new Thread(() -> {
      try {
        for (Domain domain : domains) {
          KafkaTopics.ensureExist(kafka.withTopics(domain.topics().events(), domain.topics().deadLetters()));
        }
      } catch (RuntimeException e) {
        LOG.warn("Cannot create the topics yet ({}); the collector answers 503 until Kafka and the topics are there",
            e.getMessage());
      }
    }, "trackpipe-collect-topics");
    topics.setDaemon(true);
    topics.start();

    out.println("trackpipe collector listening on " + collector.url() + "   Kafka " + kafka.bootstrapServers());
    for (Domain domain : domains) {
      out.println("  " + domain.name() + ": POST /v1/" + domain.name() + "/events, GET /v1/" + domain.name()
          + "/pixel.gif   events topic " + domain.topics().events() + "   dead letters " + domain.topics().deadLetters());
    }
    out.println("  curl -s -H 'X-Trackpipe-Key: <write key>' --data-binary '"
        + "{\"job_id\":1,\"publisher_id\":1,\"custom_track\":\"click\",\"bid\":0.5}' " + collector.url() + "/v1/events");
    out.println("Ctrl-C stops (requests in flight are answered first).");
    stopped.await();
    return ExitCodes.OK;
  }
}
