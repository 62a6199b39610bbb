package io.trackpipe.cli.demo;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.cli.settings.EmbeddedSettings;
import io.trackpipe.cli.stream.ProgressLine;
import io.trackpipe.cli.stream.RunningStream;
import io.trackpipe.collector.Collector;
import io.trackpipe.collector.CollectorConfig;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
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
import io.trackpipe.generator.RecordGenerator;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.serve.DashboardServer;
import io.trackpipe.serve.ServeConfig;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.search.SearchConfig;
import io.trackpipe.search.SearchIndexJob;
import io.trackpipe.spark.session.ShutdownHooks;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.TrackingStreamJob;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.dimension.DimensionTables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trackpipe demo}: the whole pipeline on this machine — embedded Kafka and MariaDB, the schema and dimension
 * tables, the generator, and the streaming job — with live progress and how to connect.
 */
@Command(name = "demo",
    header = "Run everything on this machine: embedded Kafka, MariaDB, Cassandra, collector, stream, dashboard.",
    mixinStandardHelpOptions = true,
    description = {"Start the whole pipeline on this machine: embedded Kafka (KRaft), MariaDB and Cassandra (the raw",
        "store; --no-cassandra leaves it out), schema and dimension tables, the HTTP collector, the event generator,",
        "the streaming job and the live dashboard, with live progress. --with-search adds an embedded OpenSearch node",
        "and indexes the rollup tables into it every 10 s (trackpipe index).",
        "Data stays under demo.data-dir (default data/demo): run it again to resume, --fresh to start over."},
    footer = {"", "Examples:", "  trackpipe demo", "  trackpipe demo --rate 20000", "  trackpipe demo --no-generate",
        "  trackpipe demo --fresh --set stream.time-zone=Asia/Ho_Chi_Minh"})
public final class DemoCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(DemoCommand.class);
  private static final String DEMO_KAFKA_HEAP = "256m";
  private static final String DEMO_CASSANDRA_HEAP = "512m";
  /** The demo shows every path of the pipeline: a few duplicates, late and malformed records by default. */
  private static final Map<String, String> DEMO_DEFAULTS = Map.of(
      GeneratorConfig.DUPLICATE_RATIO.key(), "0.01",
      GeneratorConfig.LATE_RATIO.key(), "0.02",
      GeneratorConfig.MALFORMED_RATIO.key(), "0.002",
      // Three domains catching up at once each hold a batch in the demo's 768 MiB heap (bin/trackpipe).
      StreamConfig.MAX_EVENTS_PER_BATCH.key(), "50000",
      CollectorConfig.PORT.key(), "18080",
      ServeConfig.HOST.key(), "127.0.0.1",
      ServeConfig.PORT.key(), "18088",
      MetricsEndpointConfig.STREAM_PORT.key(), "18089");

  @Mixin ConfigOptions config;

  @Option(names = "--fresh", description = "Delete the demo's data (Kafka, MariaDB, checkpoint) and start over.")
  boolean fresh;

  @Option(names = "--no-generate", negatable = false, description = "Do not run the generator: send your own events.")
  boolean noGenerate;

  @Option(names = "--no-cassandra", negatable = false,
      description = "Do not start embedded Cassandra: the stream then skips the raw store (saves 10–30 s of start-up and about 1 GB).")
  boolean noCassandra;

  @Option(names = "--with-search", negatable = false,
      description = "Also start embedded OpenSearch (demo.search-port, 19200) and index the rollup tables into it every 10 s.")
  boolean withSearch;

  @Option(names = "--rate", paramLabel = "EVENTS_PER_SECOND",
      description = "Generator rate (default: generator.events-per-second, 1000).")
  Double rate;

  /** The dashboard and the stream's metrics endpoint, once started (printed with the connection help). */
  private volatile DashboardServer dashboard;
  /** The embedded OpenSearch node and its indexer, with --with-search. */
  private volatile DemoSearch search;
  /** Set by the shutdown hook: from then on, servers and the stream going down are expected. */
  private volatile boolean stopping;
  private Optional<URI> streamMetricsUrl = Optional.empty();

  @Override
  public Integer call() throws Exception {
    Map<String, String> defaults = new LinkedHashMap<>(DEMO_DEFAULTS);
    if (rate != null) defaults.put(GeneratorConfig.EVENTS_PER_SECOND.key(), String.valueOf(rate));
    // First pass validates everything the user set before any server starts.
    Configuration settings = config.load(defaults);
    DemoConfig demo = DemoConfig.from(settings);
    settings.throwIfInvalid();
    PrintStream out = System.out;

    if (fresh) Folders.deleteRecursively(demo.dataDir());
    // Spark's session needs none of the servers and takes seconds to start: it starts while they do, and the stream
    // takes it over (SparkSessions.forStream gets the running session).
    StreamConfig sparkSettings = StreamConfig.from(settings);
    CompletableFuture<SparkSession> sparkStart = CompletableFuture.supplyAsync(
        () -> SparkSessions.forStream(TrackingStreamJob.APP_NAME, sparkSettings));
    out.println("Starting embedded Kafka, MariaDB" + (noCassandra ? "" : ", Cassandra") + (withSearch ? ", OpenSearch" : "")
        + " under " + demo.dataDir().toAbsolutePath() + " …");
    CompletableFuture<DemoSearch> searchStart = withSearch
        ? CompletableFuture.supplyAsync(() -> DemoSearch.startServer(demo.dataDir(), demo.searchPort()))
        : CompletableFuture.completedFuture(null);
    EmbeddedStack stack;
    try {
      // Heaps measured for the demo's load (docs/performance.md): 470 MiB less for its processes, and no slower.
      stack = EmbeddedStack.start(demo.dataDir(),
          EmbeddedKafka.Options.defaults().withPort(demo.kafkaPort()).withMaxHeap(DEMO_KAFKA_HEAP), demo.mariaDbPort(),
          noCassandra ? null : EmbeddedCassandra.defaultOptions().withPort(demo.cassandraPort()).withMaxHeap(DEMO_CASSANDRA_HEAP));
    } catch (RuntimeException e) {
      searchStart.thenAccept(started -> {
        if (started != null) started.close();
      });
      throw e;
    }
    CountDownLatch done = new CountDownLatch(1);
    // Job ads first, then each built-in domain's (DemoDomain.BUILT_IN).
    GeneratorRun[] generatorRun = new GeneratorRun[1 + DemoDomain.BUILT_IN.size()];
    RunningStream[] stream = new RunningStream[1];
    Collector[] collector = new Collector[1];
    ShutdownHooks.beforeSpark(() -> {
      stopping = true;
      long t0 = System.nanoTime();
      out.println();
      out.println("Stopping: generator, collector, dashboard, streaming job, then Kafka, MariaDB"
          + (noCassandra ? "" : " and Cassandra") + " …");
      // Writers first, servers last: nothing may still write to a server that is going down.
      if (generatorRun[0] != null) stopQuietly("the generator", generatorRun[0]::stop);
      for (int i = 1; i < generatorRun.length; i++) {
        if (generatorRun[i] != null) stopQuietly("the " + DemoDomain.BUILT_IN.get(i - 1).domain() + " generator", generatorRun[i]::stop);
      }
      if (collector[0] != null) stopQuietly("the collector", collector[0]::close);
      if (dashboard != null) stopQuietly("the dashboard", dashboard::close);
      if (stream[0] != null) stopQuietly("the streaming job", stream[0]::close);
      stopQuietly("the embedded servers", stack::close);
      if (search != null) stopQuietly("OpenSearch", search::close);
      out.printf("Stopped in %.1f s. Run it again to resume.%n", (System.nanoTime() - t0) / 1e9);
      if (writesClassArchive()) {
        out.println("Archiving the classes this run loaded, for a faster start next time (once; 10–20 s) …");
      }
      done.countDown();
    });
    stack.leaveShutdownToCaller();
    try {
      search = searchStart.join();
    } catch (CompletionException e) {
      stack.close();
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }

    stack.mariaDb().createDatabase(demo.database());
    Map<String, String> embedded = EmbeddedSettings.pointingAt(stack, demo.database(), demo.checkpointDir(), defaults);
    if (settings.get(CollectorConfig.WRITE_KEYS) == null) {
      embedded.put(CollectorConfig.WRITE_KEYS.key(), DemoWriteKey.loadOrCreate(demo.dataDir()));
    }
    if (search != null) embedded.put(SearchConfig.URL.key(), search.url());
    settings = config.load(embedded);
    KafkaConfig kafka = KafkaConfig.from(settings);
    WarehouseConfig warehouseConfig = WarehouseConfig.from(settings);
    StreamConfig streamConfig = StreamConfig.from(settings);
    RawStoreConfig rawStore = RawStoreConfig.from(settings);
    CollectorConfig collectorConfig = CollectorConfig.from(settings);
    ServeConfig serveConfig = ServeConfig.from(settings, streamConfig.timeZone());
    MetricsEndpointConfig streamMetrics = MetricsEndpointConfig.forStream(settings);
    long seed = settings.get(GeneratorConfig.SEED);
    Dimensions dimensions = SampleDimensions.generate(seed);
    GeneratorConfig generatorConfig = GeneratorConfig.from(settings, dimensions);
    SearchConfig searchConfig = SearchConfig.from(settings);
    settings.throwIfInvalid();

    Warehouse warehouse = new Warehouse(warehouseConfig);
    warehouse.migrate();
    new DimensionTables(warehouse).upsert(dimensions);
    KafkaTopics.ensureExist(kafka);
    collector[0] = Collector.start(collectorConfig, kafka, streamConfig.eventLimits(), streamConfig.domains());
    // The generators start before the stream: Kafka holds their first events while Spark starts, so the first batch
    // has events to count.
    AtomicLong produced = new AtomicLong(noGenerate ? -1 : 0);
    if (!noGenerate) {
      generatorRun[0] = new GeneratorRun(new EventGenerator(generatorConfig), KafkaEventSink.forEvents(kafka), Clock.systemUTC());
      Thread generator = new Thread(() -> {
        GeneratorProgress last = generatorRun[0].run(p -> produced.set(p.total()));
        produced.set(last.total());
      }, "trackpipe-demo-generator");
      generator.setDaemon(true);
      generator.start();
    }
    for (int i = 0; i < DemoDomain.BUILT_IN.size(); i++) {
      DemoDomain builtIn = DemoDomain.BUILT_IN.get(i);
      Optional<Domain> domain = streamConfig.domains().domain(builtIn.domain());
      if (noGenerate || domain.isEmpty() || demo.rate(builtIn) <= 0) continue;
      generatorRun[1 + i] = generateAtItsRate(domain.get(), generatorConfig.toBuilder().eventsPerSecond(demo.rate(builtIn))
          .build(), kafka, streamConfig);
    }
    out.println("Starting the streaming job …");
    try {
      sparkStart.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
    stream[0] = RunningStream.start(kafka, warehouseConfig, streamConfig, rawStore, streamMetrics, false, false);
    streamMetricsUrl = stream[0].metricsUrl();
    dashboard = DashboardServer.start(serveConfig, streamConfig.domains(), warehouse, Clock.systemUTC());
    if (search != null) search.startIndexing(searchConfig, warehouse, streamConfig.domains());

    // Written in one piece: a reader of the terminal or of a log file never sees half of it, nor a log line inside it.
    ByteArrayOutputStream bannerBytes = new ByteArrayOutputStream();
    PrintStream banner = new PrintStream(bannerBytes, false, StandardCharsets.UTF_8);
    printConnectionHelp(banner, demo, kafka, warehouseConfig, stack, generatorConfig, collector[0], collectorConfig,
        streamConfig.domains());
    for (DemoDomain builtIn : DemoDomain.BUILT_IN) {
      Optional<Domain> domain = streamConfig.domains().domain(builtIn.domain());
      if (domain.isPresent()) printDomainHelp(banner, demo, warehouseConfig, stack, builtIn, domain.get(), collector[0], collectorConfig);
    }
    HiveExportHelp.print(banner, demo, warehouseConfig);
    if (rawStore.enabled()) RawStoreHelp.print(banner, rawStore);
    banner.flush();
    out.writeBytes(bannerBytes.toByteArray());
    out.flush();

    boolean interactive = System.console() != null;
    long lastPrinted = 0;
    while (!stream[0].awaitTermination(interactive ? 1000 : 2000)) {
      Optional<String> serverDown = stack.unexpectedExit().or(() -> search == null ? Optional.empty() : search.unexpectedExit());
      if (serverDown.isPresent() && !stopping) {
        throw new IllegalStateException(serverDown.get());
      }
      String line = ProgressLine.format(produced.get(), stream[0].status());
      if (interactive) {
        out.print("\r" + line + "   ");
        out.flush();
      } else if (System.currentTimeMillis() - lastPrinted >= 10_000) {
        out.println(line);
        lastPrinted = System.currentTimeMillis();
      }
    }
    if (!stopping) {
      throw new IllegalStateException("the streaming job stopped by itself (see the lines above)");
    }
    done.await();
    return ExitCodes.OK;
  }

  /** A step of the ordered stop: a failure is one line, and the next steps still run. */
  private static void stopQuietly(String what, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      LOG.warn("Stopping {} failed: {}", what, e.toString());
    }
  }

  private void printConnectionHelp(PrintStream out, DemoConfig demo, KafkaConfig kafka, WarehouseConfig warehouse,
      EmbeddedStack stack, GeneratorConfig generator, Collector collector, CollectorConfig collectorConfig,
      DomainCatalog domains) {
    int port = stack.mariaDb().port();
    out.println();
    out.println("trackpipe demo is running. Ctrl-C stops; run it again to resume; --fresh starts over.");
    out.println("  Kafka     " + kafka.bootstrapServers() + "   events topic " + kafka.eventsTopic()
        + "   dead letters " + kafka.deadLetterTopic());
    out.println("  MariaDB   " + warehouse.jdbcUrl() + "   user " + warehouse.user() + "   password " + warehouse.password());
    out.println("            mysql -h 127.0.0.1 -P " + port + " -u " + warehouse.user() + " -p'" + warehouse.password() + "' "
        + demo.database() + " -e 'SELECT * FROM events ORDER BY latest_update_time DESC LIMIT 10'");
    out.println("  Collector " + collector.url() + "   write key " + collectorConfig.writeKeys().get(0)
        + "   (POST /v1/events, GET /v1/pixel.gif, /health, /metrics)");
    out.println("            curl -s -H 'X-Trackpipe-Key: " + collectorConfig.writeKeys().get(0) + "' --data-binary "
        + "'{\"job_id\":1,\"publisher_id\":1,\"custom_track\":\"click\",\"bid\":0.5}' " + collector.url() + "/v1/events");
    if (domains.domains().size() > 1) {
      out.println("  Domains   " + String.join(", ", domains.names()) + "   (others at POST /v1/{domain}/events, "
          + "their own topics and dashboard pages; bin/trackpipe domains lists them)");
    }
    if (noGenerate) {
      out.println("  Send events, e.g. with kcat:");
      out.println("            echo '{\"create_time\":\"" + java.util.UUID.randomUUID() + "\",\"ts\":\""
          + java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toString().replace('T', ' ')
          + "\",\"job_id\":1,\"publisher_id\":1,\"campaign_id\":1,\"group_id\":1,\"bid\":0.5,\"custom_track\":\"click\"}' \\");
      out.println("              | kcat -P -b " + kafka.bootstrapServers() + " -t " + kafka.eventsTopic());
    } else {
      out.printf("  Generator %,.0f events/s, seed %d (%s)%n", generator.eventsPerSecond(), generator.seed(),
          "set generator.* or --rate to change");
    }
    printDashboardHelp(out);
    if (search != null) {
      out.println("  Search    " + search.url() + "   indices " + SearchIndexJob.tables(domains.jobAds()).size()
          + " per domain, e.g. trackpipe-job-ads-events (every " + DemoSearch.EVERY_SECONDS + " s; docs/search-index.md)");
      out.println("            curl -s '" + search.url() + "/trackpipe-job-ads-events/_search?size=3&sort=latest_update_time:desc'");
    }
    out.println();
  }

  /** A built-in domain's generator on a daemon thread of its own, into the domain's topics, at its config's rate. */
  private static GeneratorRun generateAtItsRate(Domain domain, GeneratorConfig config, KafkaConfig kafka,
      StreamConfig streamConfig) {
    KafkaConfig topics = kafka.forDomain(domain);
    KafkaTopics.ensureExist(topics);
    GeneratorRun run = new GeneratorRun(RecordGenerator.forDomain(domain, config, streamConfig.timeZone()),
        KafkaEventSink.forEvents(topics), Clock.systemUTC());
    Thread generator = new Thread(() -> run.run(p -> { }), "trackpipe-demo-" + domain.name() + "-generator");
    generator.setDaemon(true);
    generator.start();
    return run;
  }

  /** A built-in domain's block: where its events go, its generator's rate, and how to query its tables. */
  private void printDomainHelp(PrintStream out, DemoConfig demo, WarehouseConfig warehouse, EmbeddedStack stack,
      DemoDomain builtIn, Domain domain, Collector collector, CollectorConfig collectorConfig) {
    String mysql = "mysql -h 127.0.0.1 -P " + stack.mariaDb().port() + " -u " + warehouse.user() + " -p'"
        + warehouse.password() + "' " + demo.database() + " -e ";
    String key = builtIn.rate().key();
    out.println("  " + String.format(java.util.Locale.ROOT, "%-9s", builtIn.label()) + " domain " + domain.name()
        + "   topic " + domain.topics().events() + "   "
        + (noGenerate ? "no generator (--no-generate)" : demo.rate(builtIn) <= 0 ? "no generator (" + key + "=0)"
        : String.format(java.util.Locale.ROOT, "generator %,.0f events/s (%s)", demo.rate(builtIn), key)));
    out.println("            tables " + builtIn.tables());
    for (String query : builtIn.queries()) out.println("            " + mysql + "'" + query + "'");
    out.println("            curl -s -H 'X-Trackpipe-Key: " + collectorConfig.writeKeys().get(0) + "' --data-binary '"
        + builtIn.sampleEvent().apply(java.time.Instant.now()) + "' " + collector.url() + "/v1/" + domain.name() + "/events");
  }

  private void printDashboardHelp(PrintStream out) {
    out.println("  Dashboard " + dashboard.url() + "/   API " + dashboard.url() + "/api/v1   (OpenAPI: /api/v1/openapi.json)");
    streamMetricsUrl.ifPresent(url -> out.println("  Metrics   " + url + "   (streaming job, Prometheus; collector: "
        + "its own /metrics)"));
  }

  /** Whether this JVM writes a class archive when it exits (bin/trackpipe asks the first demo to). */
  private static boolean writesClassArchive() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .anyMatch(arg -> arg.startsWith("-XX:ArchiveClassesAtExit="));
  }
}
