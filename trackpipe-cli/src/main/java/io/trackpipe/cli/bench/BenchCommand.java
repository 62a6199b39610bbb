package io.trackpipe.cli.bench;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.cli.settings.EmbeddedSettings;
import io.trackpipe.cli.stream.ProgressLine;
import io.trackpipe.cli.stream.RunningStream;
import io.trackpipe.config.Configuration;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedKafka;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.fs.Folders;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.GeneratorProgress;
import io.trackpipe.generator.GeneratorRun;
import io.trackpipe.generator.KafkaEventSink;
import io.trackpipe.generator.RecordGenerator;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.kafka.KafkaTopics;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.StreamStatus;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.dimension.DimensionTables;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trackpipe bench}: the pipeline's speed on embedded servers, measured, not asserted. Phase 1 drains a
 * pre-loaded backlog at full speed (end-to-end events/s into committed facts); phase 2 feeds a fixed rate and
 * measures event-to-row freshness; peak memory is sampled throughout.
 */
@Command(name = "bench",
    header = "Measure the stream's throughput, freshness and memory on embedded servers.",
    mixinStandardHelpOptions = true,
    description = {"Measure the streaming pipeline on embedded Kafka and MariaDB:",
        "  1. throughput: drain a backlog of --events at full speed;",
        "  2. freshness: --rate events/s for --duration, event-to-row latency p50/p99;",
        "and peak memory. Uses a fresh temporary data folder unless --data-dir is given."},
    footer = {"", "Examples:", "  trackpipe bench", "  trackpipe bench --events 2000000 --rate 20000 --duration 60s",
        "  trackpipe bench --set stream.max-events-per-batch=50000",
        "  trackpipe bench --with-rawstore          (the same with every valid event also written to Cassandra)",
        "  trackpipe bench --ecommerce-share 0.3    (30 %% of the events are the shop's, on its own topics and query)"})
public final class BenchCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--events", defaultValue = "1000000", description = "Backlog size for the throughput phase (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--rate", defaultValue = "20000", description = "Events/s in the freshness phase (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "60", description = "Seconds of the freshness phase (default: ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--data-dir", description = "Keep the servers' data here instead of a temporary folder.")
  Path dataDir;

  @Option(names = "--with-rawstore",
      description = "Also start embedded Cassandra and write every valid event to the raw store, as the demo does.")
  boolean withRawStore;

  @Option(names = "--ecommerce-share", paramLabel = "SHARE", defaultValue = "0",
      description = "Share (0 to 1) of the events that are the built-in shop's (ecommerce domain), sent to its topics and"
          + " streamed by its own query next to job ads; 0 (default) streams job ads alone.")
  double ecommerceShare;

  @Override
  public Integer call() throws Exception {
    Configuration settings = config.load();
    settings.check(ecommerceShare >= 0 && ecommerceShare <= 1, "--ecommerce-share must be between 0 and 1, got " + ecommerceShare);
    settings.throwIfInvalid();
    // The domains streamed: job ads alone, or job ads and the shop.
    Map<String, String> domains = Map.of(StreamConfig.DOMAINS.key(),
        ecommerceShare > 0 ? DomainCatalog.JOB_ADS + "," + DomainCatalog.ECOMMERCE : DomainCatalog.JOB_ADS);
    PrintStream out = System.out;
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("trackpipe-bench");
    MemorySampler memory = MemorySampler.start();
    try (EmbeddedStack stack = EmbeddedStack.start(dir, EmbeddedKafka.Options.defaults(), 0,
        withRawStore ? EmbeddedCassandra.defaultOptions() : null)) {
      stack.mariaDb().createDatabase("bench");
      settings = config.load(EmbeddedSettings.pointingAt(stack, "bench", dir.resolve("checkpoint"), domains));
      KafkaConfig kafka = KafkaConfig.from(settings);
      WarehouseConfig warehouseConfig = WarehouseConfig.from(settings);
      StreamConfig stream = StreamConfig.from(settings);
      RawStoreConfig rawStore = RawStoreConfig.from(settings);
      Dimensions dimensions = SampleDimensions.generate(settings.get(GeneratorConfig.SEED));
      GeneratorConfig generator = GeneratorConfig.from(settings, dimensions);
      settings.throwIfInvalid();
      Warehouse warehouse = new Warehouse(warehouseConfig);
      warehouse.migrate();
      new DimensionTables(warehouse).upsert(dimensions);
      KafkaTopics.ensureExist(kafka);
      Optional<Domain> shop = stream.domains().domain(DomainCatalog.ECOMMERCE);
      KafkaConfig shopKafka = shop.map(d -> kafka.withTopics(d.topics().events(), d.topics().deadLetters())).orElse(null);
      if (shopKafka != null) KafkaTopics.ensureExist(shopKafka);
      long shopEvents = Math.round(events * ecommerceShare);

      out.printf(Locale.ROOT, "Phase 1: loading a backlog of %,d events into Kafka%s …%n", events, shop.isEmpty() ? ""
          : String.format(Locale.ROOT, " (%,d job ads, %,d shop events)", events - shopEvents, shopEvents));
      GeneratorProgress loaded = generate(kafka, new EventGenerator(generator.toBuilder().eventsPerSecond(0)
          .maxEvents(events - shopEvents).build()));
      long backlog = loaded.total();
      if (shop.isPresent()) {
        GeneratorProgress shopLoaded = generate(shopKafka, RecordGenerator.forDomain(shop.get(),
            generator.toBuilder().eventsPerSecond(0).maxEvents(shopEvents).build(), stream.timeZone()));
        backlog += shopLoaded.total();
        out.printf(Locale.ROOT, "  produced %,d shop events in %.1f s%n", shopLoaded.total(), seconds(shopLoaded.elapsed()));
      }
      out.printf(Locale.ROOT, "  produced %,d job-ad events in %.1f s: %,.0f events/s into Kafka%n", loaded.total(),
          seconds(loaded.elapsed()), loaded.averageEventsPerSecond());

      long started = System.nanoTime();
      try (RunningStream running = RunningStream.start(kafka, warehouseConfig, stream, rawStore, MetricsEndpointConfig.off(), false, false)) {
        long firstBatchAt = 0;
        long firstBatchEvents = 0;
        StreamStatus s;
        long read;
        while ((read = recordsRead(running)) < backlog) {
          s = running.status();
          if (!running.isActive()) throw new IllegalStateException("the streaming job stopped during the benchmark");
          if (firstBatchAt == 0 && s.batches() > 0) {
            firstBatchAt = System.nanoTime();
            firstBatchEvents = read;
          }
          Thread.sleep(200);
          out.print("\r  " + ProgressLine.format(loaded.total(), s) + "   ");
        }
        s = running.status();
        double total = (System.nanoTime() - started) / 1e9;
        double steady = (System.nanoTime() - firstBatchAt) / 1e9;
        out.println();
        out.printf(Locale.ROOT, "  drained %,d events in %.1f s including start-up: %,.0f events/s end to end%n",
            read, total, read / total);
        out.printf(Locale.ROOT, "  after the first batch: %,.0f events/s (job ads: %d batches, %,d fact rows upserted)%n",
            (read - firstBatchEvents) / steady, s.batches(), s.rowsUpserted());
        if (shop.isPresent()) {
          StreamStatus shopStatus = running.status(DomainCatalog.ECOMMERCE);
          out.printf(Locale.ROOT, "  shop: %,d records read, %d batches, %,d rows upserted%n", shopStatus.recordsRead(),
              shopStatus.batches(), shopStatus.rowsUpserted());
        }

        out.printf(Locale.ROOT, "Phase 2: %,.0f events/s for %d s, measuring event-to-row freshness …%n", rate, durationSeconds);
        running.freshness().reset();
        long before = recordsRead(running);
        GeneratorConfig live = generator.toBuilder().maxDuration(Duration.ofSeconds(durationSeconds))
            .maxEvents(java.util.OptionalLong.empty()).build();
        // The shop's share in a thread of its own, at the same time.
        GeneratorProgress[] shopLive = new GeneratorProgress[1];
        Thread shopThread = null;
        if (shop.isPresent()) {
          GeneratorConfig shopConfig = live.toBuilder().eventsPerSecond(rate * ecommerceShare).build();
          shopThread = new Thread(() -> shopLive[0] = generate(shopKafka,
              RecordGenerator.forDomain(shop.get(), shopConfig, stream.timeZone())), "trackpipe-bench-shop");
          shopThread.start();
        }
        GeneratorProgress jobAdsLive = generate(kafka, new EventGenerator(live.toBuilder()
            .eventsPerSecond(rate * (1 - ecommerceShare)).build()));
        if (shopThread != null) shopThread.join();
        long sent = jobAdsLive.total() + (shopLive[0] == null ? 0 : shopLive[0].total());
        while (recordsRead(running) < before + sent) {
          Thread.sleep(200);
        }
        out.printf(Locale.ROOT, "  sent %,.0f events/s; freshness p50 %d ms, p99 %d ms, max %d ms (%,d events)%n",
            sent / (double) durationSeconds, running.freshness().percentile(0.50), running.freshness().percentile(0.99),
            running.freshness().percentile(1.0), running.freshness().count());
      }
      out.printf(Locale.ROOT, "Memory: this JVM peak heap %,d MiB, peak RSS %,d MiB; Kafka broker peak RSS %,d MiB;"
          + " MariaDB peak RSS %,d MiB%n", memory.peakHeapMiB(), MemorySampler.peakRssMiB(ProcessHandle.current().pid()),
          MemorySampler.peakRssMiB(stack.kafka().pid()), MemorySampler.peakRssMiB(stack.mariaDb().pid()));
      stack.cassandra().ifPresent(cassandra -> out.printf(Locale.ROOT, "  Cassandra peak RSS %,d MiB (raw store on)%n",
          MemorySampler.peakRssMiB(cassandra.pid())));
      out.printf(Locale.ROOT, "Machine: %d cores, Java %s; settings: shuffle partitions %d, max events per batch %,d,"
          + " trigger %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
          stream.shufflePartitions(), stream.maxEventsPerBatch(), stream.triggerInterval());
    } finally {
      memory.stop();
      if (dataDir == null) Folders.deleteRecursively(dir);
    }
    return ExitCodes.OK;
  }

  private static GeneratorProgress generate(KafkaConfig kafka, RecordGenerator generator) {
    try (KafkaEventSink sink = KafkaEventSink.forEvents(kafka)) {
      return new GeneratorRun(generator, sink, Clock.systemUTC()).run(p -> { });
    }
  }

  /** Records read by every domain's query. */
  private static long recordsRead(RunningStream running) {
    return running.domains().stream().mapToLong(d -> running.status(d).recordsRead()).sum();
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
