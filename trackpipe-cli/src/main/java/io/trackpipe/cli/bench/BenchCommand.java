package io.trackpipe.cli.bench;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.cli.settings.EmbeddedSettings;
import io.trackpipe.cli.stream.ProgressLine;
import io.trackpipe.cli.stream.RunningStream;
import io.trackpipe.config.Configuration;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.domain.Domain;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedKafka;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.fs.Folders;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.GeneratorProgress;
import io.trackpipe.generator.GeneratorRun;
import io.trackpipe.generator.KafkaEventSink;
import io.trackpipe.generator.RecordGenerator;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.generator.SimulatedClock;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.kafka.KafkaTopics;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.spark.stream.FreshnessHistogram;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.StreamStatus;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.SqlNames;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.dimension.DimensionTables;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
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
        "  2. freshness: --rate events/s for --duration, event-to-row latency p50/p99 per domain;",
        "and peak memory (with the job's heap and resident memory each --report-every during phase 2).",
        "Job ads by default; --domain picks the domains and their shares of the events.",
        "Uses a fresh temporary data folder unless --data-dir is given."},
    footer = {"", "Examples:", "  trackpipe bench", "  trackpipe bench --events 2000000 --rate 20000 --duration 60s",
        "  trackpipe bench --set stream.max-events-per-batch=50000",
        "  trackpipe bench --with-rawstore          (the same with every valid event also written to Cassandra)",
        "  trackpipe bench --domain clickstream --events 300000 --rate 2000 --duration 600",
        "                                           (page views alone, sessions on, ten minutes of memory readings)",
        "  trackpipe bench --domain job-ads=0.7 --domain ecommerce=0.3",
        "                                           (30 %% of the events are the shop's, on its own topics and query)"})
public final class BenchCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--events", defaultValue = "1000000", description = "Backlog size for the throughput phase (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--rate", defaultValue = "20000", description = "Events/s in the freshness phase (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "60", description = "Seconds of the freshness phase (default: ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--report-every", defaultValue = "60", paramLabel = "SECONDS",
      description = "During the freshness phase, print the job's heap after its last collection, its resident memory"
          + " and each domain's freshness so far every SECONDS (default: ${DEFAULT-VALUE}).")
  int reportEverySeconds;

  @Option(names = "--data-dir", description = "Keep the servers' data here instead of a temporary folder.")
  Path dataDir;

  @Option(names = "--with-rawstore",
      description = "Also start embedded Cassandra and write every valid event to the raw store, as the demo does.")
  boolean withRawStore;

  @Option(names = "--domain", paramLabel = "NAME[=SHARE]",
      description = "A domain to stream, with its share (0 to 1) of the events, on its own topics and query, made by its"
          + " generator; repeat for several. Domains named without a share split what the others leave equally."
          + " Default: job-ads alone.")
  List<String> domainOptions = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Configuration settings = config.load();
    Map<String, Double> shares = BenchShares.parse(domainOptions, settings);
    settings.check(rate > 0, "--rate must be above 0 events/s, got " + rate);
    settings.check(events > 0, "--events must be at least 1, got " + events);
    settings.check(reportEverySeconds > 0, "--report-every must be at least 1 second, got " + reportEverySeconds);
    settings.throwIfInvalid();
    Map<String, String> domains = Map.of(StreamConfig.DOMAINS.key(), String.join(",", shares.keySet()));
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
      Duration span = Duration.ofMillis(Math.round(events / rate * 1000));
      settings.check(span.compareTo(stream.allowedLateness()) < 0, String.format(Locale.ROOT, "the backlog of %,d events"
          + " at %,.0f events/s spans %s, more than stream.allowed-lateness (%s): its oldest events would be too late;"
          + " raise --rate or lower --events", events, rate, span, stream.allowedLateness()));
      settings.throwIfInvalid();
      Warehouse warehouse = new Warehouse(warehouseConfig);
      warehouse.migrate();
      new DimensionTables(warehouse).upsert(dimensions);
      List<Benched> benched = new ArrayList<>();
      long allocated = 0;
      for (Map.Entry<String, Double> share : shares.entrySet()) {
        Domain domain = stream.domains().domain(share.getKey()).orElseThrow();
        KafkaConfig topics = kafka.forDomain(domain);
        KafkaTopics.ensureExist(topics);
        // The last domain takes what rounding left, so the backlog is exactly --events.
        long backlog = benched.size() == shares.size() - 1 ? events - allocated : Math.round(events * share.getValue());
        allocated += backlog;
        benched.add(new Benched(domain, share.getValue(), topics, backlog));
      }

      out.printf(Locale.ROOT, "Phase 1: loading a backlog of %,d events into Kafka (the traffic of the last %,.0f s at"
          + " %,.0f events/s) …%n", events, events / rate, rate);
      long backlog = 0;
      for (Benched b : benched) {
        // In simulated time at the live rate, ending now: visitors come back and sessions go on as they would have,
        // where a burst stamped with one instant would make every page view a new visitor's.
        double domainRate = rate * b.share();
        SimulatedClock clock = new SimulatedClock(Instant.now().minusMillis(Math.round(b.backlog() / domainRate * 1000)));
        long producing = System.nanoTime();
        GeneratorProgress loaded = generate(b.topics(), RecordGenerator.forDomain(b.domain(),
            generator.toBuilder().eventsPerSecond(domainRate).maxEvents(b.backlog()).build(), stream.timeZone()),
            clock, clock);
        double producedIn = (System.nanoTime() - producing) / 1e9;
        backlog += loaded.total();
        out.printf(Locale.ROOT, "  %s: produced %,d events in %.1f s: %,.0f events/s into Kafka%n", b.domain().name(),
            loaded.total(), producedIn, loaded.total() / producedIn);
      }

      long started = System.nanoTime();
      try (RunningStream running = RunningStream.start(kafka, warehouseConfig, stream, rawStore, MetricsEndpointConfig.off(), false, false)) {
        long firstBatchAt = 0;
        long firstBatchEvents = 0;
        long read;
        while ((read = recordsRead(running)) < backlog) {
          if (!running.isActive()) throw new IllegalStateException("the streaming job stopped during the benchmark");
          if (firstBatchAt == 0 && batches(running) > 0) {
            firstBatchAt = System.nanoTime();
            firstBatchEvents = read;
          }
          Thread.sleep(200);
          out.print("\r  " + ProgressLine.format(backlog, total(running)) + "   ");
        }
        double total = (System.nanoTime() - started) / 1e9;
        double steady = (System.nanoTime() - firstBatchAt) / 1e9;
        out.println();
        out.printf(Locale.ROOT, "  drained %,d events in %.1f s including start-up: %,.0f events/s end to end%n",
            read, total, read / total);
        if (firstBatchAt == 0 || read == firstBatchEvents) {
          out.println("  after the first batch: - (the backlog was one batch; raise --events or lower"
              + " stream.max-events-per-batch for a steady figure)");
        } else {
          out.printf(Locale.ROOT, "  after the first batch: %,.0f events/s%n", (read - firstBatchEvents) / steady);
        }
        for (Benched b : benched) {
          StreamStatus s = running.status(b.domain().name());
          out.printf(Locale.ROOT, "  %s: %,d records read, %d batches, %,d rows upserted%n", b.domain().name(),
              s.recordsRead(), s.batches(), s.rowsUpserted());
        }

        out.printf(Locale.ROOT, "Phase 2: %,.0f events/s for %d s, measuring event-to-row freshness …%n", rate, durationSeconds);
        benched.forEach(b -> running.freshness(b.domain().name()).reset());
        long before = recordsRead(running);
        GeneratorConfig live = generator.toBuilder().maxDuration(Duration.ofSeconds(durationSeconds))
            .maxEvents(OptionalLong.empty()).build();
        // Each domain's generator in a thread of its own, at the same time, at its share of the rate.
        List<Thread> threads = new ArrayList<>();
        AtomicLong sent = new AtomicLong();
        for (Benched b : benched) {
          GeneratorConfig domainConfig = live.toBuilder().eventsPerSecond(rate * b.share()).build();
          Thread thread = new Thread(() -> sent.addAndGet(generate(b.topics(),
              RecordGenerator.forDomain(b.domain(), domainConfig, stream.timeZone()), Clock.systemUTC(),
              GeneratorRun.Sleeper.THREAD_SLEEP).total()),
              "trackpipe-bench-" + b.domain().name());
          thread.start();
          threads.add(thread);
        }
        long phaseStarted = System.nanoTime();
        long nextReport = reportEverySeconds;
        while (threads.stream().anyMatch(Thread::isAlive)) {
          Thread.sleep(200);
          long elapsed = (System.nanoTime() - phaseStarted) / 1_000_000_000L;
          if (elapsed >= nextReport) {
            out.printf(Locale.ROOT, "  after %d s: heap after last collection %,d MiB, resident %,d MiB, MariaDB resident"
                + " %,d MiB;%s%s%n", elapsed, MemorySampler.heapAfterLastCollectionMiB(),
                MemorySampler.rssMiB(ProcessHandle.current().pid()), MemorySampler.rssMiB(stack.mariaDb().pid()),
                freshnessLine(running, benched, 0.99), sessionStateLine(warehouse, benched));
            nextReport += reportEverySeconds;
          }
        }
        for (Thread thread : threads) thread.join();
        while (recordsRead(running) < before + sent.get()) {
          if (!running.isActive()) throw new IllegalStateException("the streaming job stopped during the benchmark");
          Thread.sleep(200);
        }
        out.printf(Locale.ROOT, "  sent %,.0f events/s%n", sent.get() / (double) durationSeconds);
        for (Benched b : benched) {
          FreshnessHistogram f = running.freshness(b.domain().name());
          out.printf(Locale.ROOT, "  %s: freshness p50 %d ms, p99 %d ms, max %d ms (%,d events)%n", b.domain().name(),
              f.percentile(0.50), f.percentile(0.99), f.percentile(1.0), f.count());
        }
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

  /** A domain of the benchmark: its share of the events, its topics and its part of the backlog. */
  private record Benched(Domain domain, double share, KafkaConfig topics, long backlog) { }

  /** The rows of each sessions state table: the views of sessions that may still change, which must stay bounded. */
  private static String sessionStateLine(Warehouse warehouse, List<Benched> benched) throws SQLException {
    StringBuilder line = new StringBuilder();
    for (Benched b : benched) {
      if (b.domain().sessions() == null) continue;
      String table = b.domain().sessions().stateTable();
      try (Connection c = warehouse.connect(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + SqlNames.quote(table))) {
        rs.next();
        line.append(String.format(Locale.ROOT, "; %s %,d rows", table, rs.getLong(1)));
      }
    }
    return line.toString();
  }

  private static String freshnessLine(RunningStream running, List<Benched> benched, double fraction) {
    StringBuilder line = new StringBuilder();
    for (Benched b : benched) {
      line.append(String.format(Locale.ROOT, " %s freshness p99 so far %,d ms", b.domain().name(),
          running.freshness(b.domain().name()).percentile(fraction)));
    }
    return line.toString();
  }

  /** Runs {@code generator} into the domain's topics, paced by {@code clock} (real time, or simulated for a backlog). */
  private static GeneratorProgress generate(KafkaConfig kafka, RecordGenerator generator, InstantSource clock,
      GeneratorRun.Sleeper sleeper) {
    try (KafkaEventSink sink = KafkaEventSink.forEvents(kafka)) {
      return new GeneratorRun(generator, sink, clock, sleeper).run(p -> { });
    }
  }

  /** Records read by every domain's query. */
  private static long recordsRead(RunningStream running) {
    return running.domains().stream().mapToLong(d -> running.status(d).recordsRead()).sum();
  }

  /** Every domain's counters added up, for the progress line. */
  private static StreamStatus total(RunningStream running) {
    List<StreamStatus> all = running.domains().stream().map(running::status).toList();
    boolean lagKnown = all.stream().allMatch(s -> s.lag() >= 0);
    return new StreamStatus(all.stream().mapToLong(StreamStatus::batches).sum(), -1,
        all.stream().mapToLong(StreamStatus::recordsRead).sum(), all.stream().mapToLong(StreamStatus::eventsCounted).sum(),
        all.stream().mapToLong(StreamStatus::eventsTooLate).sum(),
        all.stream().mapToLong(StreamStatus::droppedDuplicates).sum(), all.stream().mapToLong(StreamStatus::rejected).sum(),
        Map.of(), all.stream().mapToLong(StreamStatus::rowsUpserted).sum(),
        all.stream().mapToLong(StreamStatus::lastBatchMillis).max().orElse(0),
        lagKnown ? all.stream().mapToLong(StreamStatus::lag).sum() : -1,
        all.stream().mapToDouble(StreamStatus::inputRecordsPerSecond).sum(),
        all.stream().mapToDouble(StreamStatus::processedRecordsPerSecond).sum());
  }

  private static long batches(RunningStream running) {
    return running.domains().stream().mapToLong(d -> running.status(d).batches()).sum();
  }
}
