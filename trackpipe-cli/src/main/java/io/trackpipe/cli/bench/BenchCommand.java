package io.trackpipe.cli.bench;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.cli.settings.EmbeddedSettings;
import io.trackpipe.cli.stream.ProgressLine;
import io.trackpipe.cli.stream.RunningStream;
import io.trackpipe.config.Configuration;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedKafka;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.fs.Folders;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.GeneratorProgress;
import io.trackpipe.generator.GeneratorRun;
import io.trackpipe.generator.KafkaEventSink;
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
        "  trackpipe bench --with-rawstore          (the same with every valid event also written to Cassandra)"})
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

  @Override
  public Integer call() throws Exception {
    Configuration settings = config.load();
    settings.throwIfInvalid();
    PrintStream out = System.out;
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("trackpipe-bench");
    MemorySampler memory = MemorySampler.start();
    try (EmbeddedStack stack = EmbeddedStack.start(dir, EmbeddedKafka.Options.defaults(), 0,
        withRawStore ? EmbeddedCassandra.Options.defaults() : null)) {
      stack.mariaDb().createDatabase("bench");
      settings = config.load(EmbeddedSettings.pointingAt(stack, "bench", dir.resolve("checkpoint"), Map.of()));
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

      out.printf(Locale.ROOT, "Phase 1: loading a backlog of %,d events into Kafka …%n", events);
      GeneratorProgress loaded = generate(kafka, generator.toBuilder().eventsPerSecond(0).maxEvents(events).build());
      out.printf(Locale.ROOT, "  produced %,d events in %.1f s: %,.0f events/s into Kafka%n", loaded.total(),
          seconds(loaded.elapsed()), loaded.averageEventsPerSecond());

      long started = System.nanoTime();
      try (RunningStream running = RunningStream.start(kafka, warehouseConfig, stream, rawStore, MetricsEndpointConfig.off(), false, false)) {
        long firstBatchAt = 0;
        long firstBatchEvents = 0;
        StreamStatus s;
        while ((s = running.status()).recordsRead() < loaded.total()) {
          if (!running.isActive()) throw new IllegalStateException("the streaming job stopped during the benchmark");
          if (firstBatchAt == 0 && s.batches() > 0) {
            firstBatchAt = System.nanoTime();
            firstBatchEvents = s.recordsRead();
          }
          Thread.sleep(200);
          out.print("\r  " + ProgressLine.format(loaded.total(), s) + "   ");
        }
        double total = (System.nanoTime() - started) / 1e9;
        double steady = (System.nanoTime() - firstBatchAt) / 1e9;
        out.println();
        out.printf(Locale.ROOT, "  drained %,d events in %.1f s including start-up: %,.0f events/s end to end%n",
            s.recordsRead(), total, s.recordsRead() / total);
        out.printf(Locale.ROOT, "  after the first batch: %,.0f events/s (%d batches, %,d fact rows upserted)%n",
            (s.recordsRead() - firstBatchEvents) / steady, s.batches(), s.rowsUpserted());

        out.printf(Locale.ROOT, "Phase 2: %,.0f events/s for %d s, measuring event-to-row freshness …%n", rate, durationSeconds);
        running.freshness().reset();
        long before = s.recordsRead();
        GeneratorProgress live = generate(kafka, generator.toBuilder().eventsPerSecond(rate)
            .maxDuration(Duration.ofSeconds(durationSeconds)).maxEvents(java.util.OptionalLong.empty()).build());
        while ((s = running.status()).recordsRead() < before + live.total()) {
          Thread.sleep(200);
        }
        out.printf(Locale.ROOT, "  sent %,.0f events/s; freshness p50 %d ms, p99 %d ms, max %d ms (%,d events)%n",
            live.averageEventsPerSecond(), running.freshness().percentile(0.50), running.freshness().percentile(0.99),
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

  private static GeneratorProgress generate(KafkaConfig kafka, GeneratorConfig config) {
    try (KafkaEventSink sink = KafkaEventSink.forEvents(kafka)) {
      return new GeneratorRun(new EventGenerator(config), sink, Clock.systemUTC()).run(p -> { });
    }
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
