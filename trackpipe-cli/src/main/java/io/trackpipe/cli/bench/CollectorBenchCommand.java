package io.trackpipe.cli.bench;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.collector.Collector;
import io.trackpipe.collector.CollectorConfig;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.embedded.EmbeddedKafka;
import io.trackpipe.event.EventLimits;
import io.trackpipe.fs.Folders;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trackpipe bench-collector}: events per second the HTTP collector takes into Kafka, and request latency, from a
 * Java load generator on the same machine (closed loop: each connection sends its next request when the previous one
 * is answered). Measured, not asserted; the numbers depend on the machine and on everything sharing its cores.
 */
@Command(name = "bench-collector",
    header = "Measure the HTTP collector's events/s and request latency.",
    mixinStandardHelpOptions = true,
    description = {"Measure the HTTP collector: --connections clients each POST --batch generated events per request",
        "(a JSON array) for --duration seconds after --warmup; reports events/s accepted into Kafka and request latency",
        "p50/p99/max. By default starts an embedded Kafka broker and a collector in this JVM; with --url it drives a",
        "collector that is already running (for example 'trackpipe collect' in another process)."},
    footer = {"", "Examples:", "  trackpipe bench-collector", "  trackpipe bench-collector --connections 64 --duration 60",
        "  trackpipe bench-collector --url http://127.0.0.1:8080 --write-key …"})
public final class CollectorBenchCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--connections", defaultValue = "32", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--batch", defaultValue = "100", description = "Events per request (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--duration", defaultValue = "30", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--warmup", defaultValue = "10", description = "Unmeasured seconds first (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(names = "--load", defaultValue = "java",
      description = "Load generator: java (HttpClient threads in this JVM) or wrk (Debian's wrk, a separate process,"
          + " much lighter on the CPU it shares with the collector) (default: ${DEFAULT-VALUE}).")
  String load;

  @Option(names = "--url", description = "A running collector to drive instead of starting one.")
  URI url;

  @Option(names = "--write-key", description = "Write key of the collector given with --url.")
  String writeKey;

  @Option(names = "--data-dir", description = "Keep the embedded broker's data here instead of a temporary folder.")
  Path dataDir;

  /** Distinct request bodies cycled through; enough that no cache or branch predictor sees one body only. */
  private static final int BODIES = 200;

  @Override
  public Integer call() throws Exception {
    Configuration settings = config.load();
    settings.throwIfInvalid();
    if (url != null && writeKey == null) {
      throw new IllegalArgumentException("--url needs --write-key");
    }
    if (!load.equals("java") && !load.equals("wrk")) {
      throw new IllegalArgumentException("--load must be java or wrk, got '" + load + "'");
    }
    PrintStream out = System.out;
    List<byte[]> bodies = bodies(settings.get(GeneratorConfig.SEED));
    long bodyBytes = bodies.stream().mapToLong(b -> b.length).sum() / bodies.size();
    out.printf(Locale.ROOT, "%d request bodies of %d events, %,d bytes each on average%n", bodies.size(), batch, bodyBytes);
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("trackpipe-bench-collector");
    if (url != null) {
      try {
        run(out, url.resolve("/v1/events"), writeKey, bodies, dir);
      } finally {
        if (dataDir == null) Folders.deleteRecursively(dir);
      }
      return ExitCodes.OK;
    }
    MemorySampler memory = MemorySampler.start();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
      settings = config.load(Map.of(KafkaConfig.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers()));
      KafkaConfig topics = KafkaConfig.from(settings);
      settings.throwIfInvalid();
      KafkaTopics.ensureExist(topics);
      String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
      CollectorConfig collectorConfig = new CollectorConfig("127.0.0.1", 0, List.of(key), List.of(),
          CollectorConfig.MAX_BODY_BYTES.defaultValue(), CollectorConfig.MAX_EVENTS_PER_REQUEST.defaultValue(),
          CollectorConfig.KAFKA_TIMEOUT.defaultValue(), CollectorConfig.MAX_IN_FLIGHT_BYTES.defaultValue(),
          CollectorConfig.SHUTDOWN_TIMEOUT.defaultValue(), CollectorConfig.BODY_TIMEOUT.defaultValue(),
          CollectorConfig.MAX_REQUESTS_PER_CLIENT.defaultValue());
      try (Collector collector = Collector.start(collectorConfig, topics, EventLimits.DEFAULT,
          DomainCatalog.from(settings))) {
        run(out, collector.url().resolve("/v1/events"), key, bodies, dir);
        long inKafka = eventsIn(topics);
        out.printf(Locale.ROOT, "Kafka: the events topic holds %,d records; the collector acknowledged %,d (%s)%n", inKafka,
            collector.eventsAccepted(), inKafka == collector.eventsAccepted() ? "equal" : "DIFFERENT");
      }
      out.printf(Locale.ROOT, "Memory: this JVM (collector + load generator) peak heap %,d MiB, peak RSS %,d MiB;"
          + " Kafka broker peak RSS %,d MiB%n", memory.peakHeapMiB(), MemorySampler.peakRssMiB(ProcessHandle.current().pid()),
          MemorySampler.peakRssMiB(kafka.pid()));
    } finally {
      memory.stop();
      if (dataDir == null) Folders.deleteRecursively(dir);
    }
    out.printf(Locale.ROOT, "Machine: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    return ExitCodes.OK;
  }

  private void run(PrintStream out, URI endpoint, String key, List<byte[]> bodies, Path dir) throws Exception {
    if (load.equals("wrk")) {
      runWrk(out, endpoint, key, bodies, dir);
    } else {
      runJava(out, endpoint, key, bodies);
    }
  }

  /** Closed loop in this JVM: each connection a thread that sends its next request when the last one is answered. */
  private void runJava(PrintStream out, URI endpoint, String key, List<byte[]> bodies) throws InterruptedException {
    // A few clients, each with its own selector thread; connections share them.
    List<HttpClient> clients = new ArrayList<>();
    for (int i = 0; i < Math.min(4, connections); i++) {
      clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
    }
    long warmupEnd = System.nanoTime() + Duration.ofSeconds(warmupSeconds).toNanos();
    long measureEnd = warmupEnd + Duration.ofSeconds(durationSeconds).toNanos();
    AtomicLong measuredEvents = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    long[][] latencies = new long[connections][];
    int[] counts = new int[connections];
    List<Thread> threads = new ArrayList<>();
    out.printf(Locale.ROOT, "Driving %s with %d connections: %d s warm-up, then %d s measured …%n", endpoint, connections,
        warmupSeconds, durationSeconds);
    for (int c = 0; c < connections; c++) {
      int client = c;
      Thread thread = new Thread(() -> {
        HttpClient http = clients.get(client % clients.size());
        long[] own = new long[1 << 16];
        int n = 0;
        int next = client;
        while (true) {
          long start = System.nanoTime();
          if (start >= measureEnd) break;
          HttpRequest request = HttpRequest.newBuilder(endpoint).header("X-Trackpipe-Key", key)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(next++ % bodies.size()))).build();
          int accepted;
          try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            accepted = response.statusCode() == 200 ? batch : -1;
          } catch (Exception e) {
            accepted = -1;
          }
          long end = System.nanoTime();
          if (accepted < 0) {
            failures.incrementAndGet();
            continue;
          }
          if (start >= warmupEnd && end <= measureEnd) {
            measuredEvents.addAndGet(accepted);
            if (n == own.length) own = Arrays.copyOf(own, n * 2);
            own[n++] = end - start;
          }
        }
        latencies[client] = own;
        counts[client] = n;
      }, "trackpipe-bench-client-" + c);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) thread.join();
    long total = 0;
    for (int count : counts) total += count;
    long[] all = new long[(int) total];
    int at = 0;
    for (int c = 0; c < connections; c++) {
      System.arraycopy(latencies[c], 0, all, at, counts[c]);
      at += counts[c];
    }
    Arrays.sort(all);
    double seconds = durationSeconds;
    out.printf(Locale.ROOT, "Accepted into Kafka: %,.0f events/s (%,.0f requests/s of %d events), %,d requests failed%n",
        measuredEvents.get() / seconds, all.length / seconds, batch, failures.get());
    out.printf(Locale.ROOT, "Request latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d requests measured)%n",
        percentile(all, 0.50), percentile(all, 0.99), percentile(all, 1.0), all.length);
  }

  /**
   * wrk with a Lua script cycling through the same bodies: a warm-up run, then the measured one. Every 200 answer means
   * all of a request's events were accepted, so events/s is requests/s times the batch, less non-2xx answers.
   */
  private void runWrk(PrintStream out, URI endpoint, String key, List<byte[]> bodies, Path dir) throws Exception {
    Path bodyFile = dir.resolve("bodies.jsonl");
    try (var writer = Files.newOutputStream(bodyFile)) {
      for (byte[] body : bodies) {
        writer.write(body);
        writer.write('\n');
      }
    }
    Path script = dir.resolve("post.lua");
    Files.writeString(script, String.join("\n",
        "-- Written by trackpipe bench-collector: POST the generated bodies in turn.",
        "local requests = {}",
        "local next = 0",
        "-- In init, not at load time: wrk knows the Host header only then.",
        "init = function(args)",
        "  for line in io.lines(\"" + bodyFile.toAbsolutePath() + "\") do",
        "    requests[#requests + 1] = wrk.format(\"POST\", \"" + endpoint.getPath() + "\",",
        "      {[\"X-Trackpipe-Key\"] = \"" + key + "\", [\"Content-Type\"] = \"application/json\"}, line)",
        "  end",
        "end",
        "request = function()",
        "  next = next % #requests + 1",
        "  return requests[next]",
        "end",
        ""));
    out.printf(Locale.ROOT, "Driving %s with wrk, %d connections: %d s warm-up, then %d s measured …%n", endpoint,
        connections, warmupSeconds, durationSeconds);
    if (warmupSeconds > 0) wrk(script, endpoint, warmupSeconds);
    String report = wrk(script, endpoint, durationSeconds);
    out.println(report.strip().indent(2).stripTrailing());
    double requestsPerSecond = Double.parseDouble(field(report, "Requests/sec:"));
    long failed = report.contains("Non-2xx or 3xx responses:") ? Long.parseLong(field(report, "Non-2xx or 3xx responses:")) : 0;
    double okPerSecond = requestsPerSecond - failed / (double) durationSeconds;
    out.printf(Locale.ROOT, "Accepted into Kafka: %,.0f events/s (%,.0f requests/s of %d events), %,d requests failed%n",
        okPerSecond * batch, okPerSecond, batch, failed);
    out.printf(Locale.ROOT, "Request latency: p50 %s, p99 %s (wrk)%n", field(report, "50%"), field(report, "99%"));
  }

  private String wrk(Path script, URI endpoint, int seconds) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "10s", "--latency",
          "-s", script.toString(), endpoint.resolve("/").toString()).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot run wrk (install it: apt-get install wrk), or use --load java", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (process.waitFor() != 0) throw new IllegalStateException("wrk failed: " + output);
    return output;
  }

  /** The first word after {@code label} on its line of wrk's report. */
  private static String field(String report, String label) {
    for (String line : report.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith(label)) return trimmed.substring(label.length()).strip().split("\\s+")[0];
    }
    throw new IllegalStateException("wrk's report has no '" + label + "': " + report);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
    return sorted[index] / 1e6;
  }

  /** Request bodies of generated events (the seed's mix; no malformed, late or duplicate records), as JSON arrays. */
  private List<byte[]> bodies(long seed) {
    GeneratorConfig generatorConfig = GeneratorConfig.builder(SampleDimensions.generate(seed)).seed(seed)
        .eventsPerSecond(0).build();
    EventGenerator generator = new EventGenerator(generatorConfig);
    Clock clock = Clock.systemUTC();
    List<byte[]> bodies = new ArrayList<>();
    for (int b = 0; b < BODIES; b++) {
      ByteArrayOutputStream body = new ByteArrayOutputStream(batch * 800);
      body.write('[');
      for (int e = 0; e < batch; e++) {
        GeneratedRecord record = generator.next(clock.instant());
        if (e > 0) body.write(',');
        body.writeBytes(record.value());
      }
      body.write(']');
      bodies.add(body.toByteArray());
    }
    return bodies;
  }

  private static long eventsIn(KafkaConfig kafka) throws Exception {
    try (Admin admin = Admin.create(Map.<String, Object>copyOf(kafka.clientProperties()))) {
      TopicDescription topic = admin.describeTopics(List.of(kafka.eventsTopic())).allTopicNames().get()
          .get(kafka.eventsTopic());
      Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
      topic.partitions().forEach(p -> request.put(new TopicPartition(kafka.eventsTopic(), p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(request).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }
  }
}
