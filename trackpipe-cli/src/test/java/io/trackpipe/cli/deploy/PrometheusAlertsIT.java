package io.trackpipe.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.cli.Trackpipe;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.spark.it.StreamJobProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Prometheus, for real, with trackpipe's alert rules as shipped: it scrapes {@code trackpipe stream},
 * {@code trackpipe batch --every} and {@code trackpipe collect}, each a JVM of its own configured as in production
 * (a config file plus a {@code TRACKPIPE_*} secret), against embedded Kafka, MariaDB and Cassandra; trackpipe's series
 * show in its HTTP API, and once the stream is stopped the stream-down alert fires.
 */
class PrometheusAlertsIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String WRITE_KEY = "prometheus-it-write-key-0123456789";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void scrapesEveryJobAndFiresTheStreamDownAlertOnceTheStreamStops() throws Exception {
    EmbeddedStack stack = EmbeddedStack.shared();
    EmbeddedCassandra cassandra = EmbeddedCassandra.shared();
    String name = "prom_" + UUID.randomUUID().toString().substring(0, 8);
    stack.mariaDb().createDatabase(name);
    int streamPort = freePort();
    int batchPort = freePort();
    int collectorPort = freePort();
    int prometheusPort = freePort();
    Path config = work.resolve("trackpipe.yaml");
    Files.writeString(config, String.join("\n",
        "kafka:",
        "  bootstrap-servers: " + stack.kafka().bootstrapServers(),
        "  topic:",
        "    events: " + name + "-events",
        "    dead-letter: " + name + "-dead-letter",
        "warehouse:",
        "  jdbc-url: " + stack.mariaDb().jdbcUrl(name),
        "  user: " + stack.mariaDb().user(),
        "rawstore:",
        "  enabled: true",
        "  contact-points: " + cassandra.contactPoint(),
        "  keyspace: " + name,
        "  buckets-per-hour: 2",
        "stream:",
        "  checkpoint-dir: " + work.resolve("checkpoint"),
        "  spark-master: local[1]",
        "  metrics-port: " + streamPort,
        "batch:",
        "  metrics-port: " + batchPort,
        "collector:",
        "  http:",
        "    port: " + collectorPort,
        "  write-keys: " + WRITE_KEY,
        ""));

    List<Process> started = new ArrayList<>();
    try {
      Process stream = start(started, config, "stream", "-Xmx1g", "stream");
      Process collector = start(started, config, "collector", "-Xmx256m", "collect");
      awaitHttp(URI.create("http://127.0.0.1:" + collectorPort + "/metrics"), stream, collector);
      awaitHttp(URI.create("http://127.0.0.1:" + streamPort + "/metrics"), stream, collector);

      Path prometheusConfig = work.resolve("prometheus.yml");
      Files.writeString(prometheusConfig, String.join("\n",
          "global:",
          "  scrape_interval: 1s",
          "  evaluation_interval: 1s",
          "rule_files:",
          "  - " + ROOT.resolve("deploy/prometheus/trackpipe-alerts.yml"),
          "scrape_configs:",
          "  - job_name: trackpipe-stream",
          "    static_configs: [{targets: ['127.0.0.1:" + streamPort + "']}]",
          "  - job_name: trackpipe-batch",
          "    static_configs: [{targets: ['127.0.0.1:" + batchPort + "']}]",
          "  - job_name: trackpipe-collector",
          "    static_configs: [{targets: ['127.0.0.1:" + collectorPort + "']}]",
          ""));
      Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + prometheusConfig,
          "--web.listen-address=127.0.0.1:" + prometheusPort, "--storage.tsdb.path=" + work.resolve("tsdb"))
          .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
      started.add(prometheus);
      URI api = URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/");
      awaitHttp(api.resolve("status/buildinfo"), prometheus);

      // Events through the collector, as a tracker sends them, counted by the stream.
      String events = "[{\"job_id\":1,\"publisher_id\":1,\"custom_track\":\"click\",\"bid\":0.5},"
          + "{\"job_id\":2,\"publisher_id\":1,\"custom_track\":\"conversion\",\"bid\":0.25},{\"job_id\":\"not a number\"}]";
      HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collectorPort + "/v1/events"))
          .header("X-Trackpipe-Key", WRITE_KEY).POST(HttpRequest.BodyPublishers.ofString(events)).build();
      HttpResponse<String> sent = HTTP.send(post, HttpResponse.BodyHandlers.ofString());
      long topicDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (sent.statusCode() == 503 && System.nanoTime() < topicDeadline) { // until the stream has created the topics
        Thread.sleep(1000);
        sent = HTTP.send(post, HttpResponse.BodyHandlers.ofString());
      }
      // 400: one event of the three is rejected (kept as a dead letter); the other two are in Kafka.
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(400);
      assertThat(sent.body()).contains("\"accepted\":2");
      JsonNode counted = awaitQuery(api, "sum(trackpipe_stream_events_counted_total)", result -> !result.isEmpty()
          && Double.parseDouble(result.get(0).path("value").get(1).asText()) >= 2);
      assertThat(counted).isNotEmpty();

      // Started once the stream has prepared the raw store's tables, which the batch reads.
      Process batch = start(started, config, "batch", "-Xmx768m", "batch", "--every", "5s");
      awaitHttp(URI.create("http://127.0.0.1:" + batchPort + "/metrics"), batch);
      JsonNode up = awaitQuery(api, "up", result -> result.size() == 3 && allValues(result, "1"));
      assertThat(up).hasSize(3);
      awaitQuery(api, "sum(trackpipe_collector_events_accepted_total)", result -> !result.isEmpty()
          && Double.parseDouble(result.get(0).path("value").get(1).asText()) == 2);
      awaitQuery(api, "sum(trackpipe_batch_cycles_total)", result -> !result.isEmpty()
          && Double.parseDouble(result.get(0).path("value").get(1).asText()) >= 1);
      Set<String> names = new HashSet<>();
      get(api.resolve("label/__name__/values")).path("data").forEach(n -> names.add(n.asText()));
      assertThat(names).contains("trackpipe_stream_kafka_lag_records", "trackpipe_stream_freshness_seconds_bucket",
          "trackpipe_stream_dead_letters_total", "trackpipe_collector_events_rejected_total", "trackpipe_collector_kafka_up",
          "trackpipe_batch_cycles_total", "trackpipe_batch_watermark_seconds");

      List<String> rules = new ArrayList<>();
      get(api.resolve("rules")).path("data").path("groups")
          .forEach(g -> g.path("rules").forEach(r -> rules.add(r.path("name").asText() + "=" + r.path("health").asText())));
      assertThat(rules).hasSizeGreaterThanOrEqualTo(10).allSatisfy(rule -> assertThat(rule).endsWith("=ok"))
          .contains("TrackpipeStreamDown=ok");
      assertThat(alertState(api, "TrackpipeStreamDown")).as("before the stop").isEqualTo("inactive");

      stream.destroy(); // SIGTERM: a clean stop, as a deploy or an orchestrator does it
      assertThat(stream.waitFor(60, TimeUnit.SECONDS)).as("the stream stops").isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      String state = alertState(api, "TrackpipeStreamDown");
      while (!"firing".equals(state) && System.nanoTime() < deadline) {
        Thread.sleep(1000);
        state = alertState(api, "TrackpipeStreamDown");
      }
      assertThat(state).as("TrackpipeStreamDown after the stream stopped").isEqualTo("firing");
      assertThat(alertState(api, "TrackpipeCollectorDown")).isEqualTo("inactive");
    } finally {
      for (Process p : started) p.destroy();
      for (Process p : started) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
      }
    }
  }

  /** {@code trackpipe <args>} in a JVM of its own, configured as in production: a file and a secret in the environment. */
  private Process start(List<Process> started, Path config, String logName, String maxHeap, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(StreamJobProcess.sparkJvmFlags());
    command.addAll(List.of(maxHeap, "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp-" + logName)),
        "-cp", System.getProperty("java.class.path"), Trackpipe.class.getName()));
    command.addAll(List.of(args));
    command.addAll(List.of("--config", config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(work.resolve(logName + ".log").toFile());
    builder.environment().keySet().removeIf(n -> n.startsWith("TRACKPIPE_"));
    builder.environment().put("TRACKPIPE_WAREHOUSE_PASSWORD", EmbeddedStack.shared().mariaDb().password());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    started.add(process);
    return process;
  }

  /** Waits until {@code url} answers 200; fails early, with its log, if one of {@code processes} has died. */
  private void awaitHttp(URI url, Process... processes) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        assertThat(p.isAlive()).as("a process died before " + url + " answered; logs in " + work + ":\n" + logs()).isTrue();
      }
      try {
        if (HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new AssertionError(url + " did not answer within 120 s; logs:\n" + logs());
  }

  private String logs() throws IOException {
    StringBuilder all = new StringBuilder();
    try (var files = Files.list(work)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        List<String> lines = Files.readAllLines(log);
        all.append("== ").append(log.getFileName()).append('\n')
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()))).append('\n');
      }
    }
    return all.toString();
  }

  private JsonNode awaitQuery(URI api, String query, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    JsonNode result = query(api, query);
    while (!done.test(result) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      result = query(api, query);
    }
    assertThat(done.test(result)).as(query + " gave " + result + "; logs:\n" + logs()).isTrue();
    return result;
  }

  private static JsonNode query(URI api, String query) throws Exception {
    JsonNode answer = get(api.resolve("query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
    assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("success");
    return answer.path("data").path("result");
  }

  /** The alert's state: inactive (not in /api/v1/alerts), pending or firing. */
  private static String alertState(URI api, String alert) throws Exception {
    for (JsonNode a : get(api.resolve("alerts")).path("data").path("alerts")) {
      if (alert.equals(a.path("labels").path("alertname").asText())) return a.path("state").asText();
    }
    return "inactive";
  }

  private static boolean allValues(JsonNode result, String value) {
    for (JsonNode sample : result) {
      if (!value.equals(sample.path("value").get(1).asText())) return false;
    }
    return true;
  }

  private static JsonNode get(URI url) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
