package io.trackpipe.collector;

import static io.trackpipe.collector.CollectorClient.json;
import static io.trackpipe.collector.CollectorClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.event.EventLimits;
import io.trackpipe.kafka.DeadLetterHeaders;
import io.trackpipe.kafka.KafkaConfig;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real collector in front of the real embedded Kafka; every test has its own topics and collector. */
class CollectorIT {
  static final String WRITE_KEY = "it-write-key-0123456789";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private KafkaConfig kafka;
  private Collector collector;
  private CollectorClient client;

  @BeforeEach
  void startCollector() throws Exception {
    kafka = TestTopics.create(EmbeddedStack.shared().kafka().bootstrapServers());
    collector = Collector.start(config(List.of("https://jobs.example.com")), kafka, EventLimits.DEFAULT,
        TestDomains.JOB_ADS);
    client = new CollectorClient(collector.url(), WRITE_KEY);
  }

  @AfterEach
  void stopCollector() {
    if (collector != null) collector.close();
  }

  static CollectorConfig config(List<String> corsOrigins) {
    return new CollectorConfig("127.0.0.1", 0, List.of("another-key-abcdefghij", WRITE_KEY), corsOrigins, 64 * 1024, 100,
        Duration.ofSeconds(5), 16L * 1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(10), 64);
  }

  @Test
  void acceptedEventsAreOnTheEventsTopicAsSentKeyedByJobAndStampedWithTheReceiveTime() throws Exception {
    String withJob = event("a-1", 1532, ",\"bid\":0.850,\"dt\":\"Data \\u00e9ngineer\"");
    String withVisitor = "{\"create_time\":\"a-2\",\"ts\":\"" + now() + "\",\"uid\":\"1-visitor\"}";
    long before = System.currentTimeMillis();

    HttpResponse<byte[]> response = client.post("[" + withJob + ",\n " + withVisitor + "]");

    long after = System.currentTimeMillis();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("accepted").asInt()).isEqualTo(2);
    assertThat(json(response).get("rejected")).isEmpty();
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
    List<ConsumerRecord<byte[], byte[]>> records = TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(), 2);
    Map<String, ConsumerRecord<byte[], byte[]>> byKey = records.stream().collect(Collectors.toMap(r -> text(r.key()), r -> r));
    assertThat(byKey).containsOnlyKeys("1532", "1-visitor");
    assertThat(text(byKey.get("1532").value())).isEqualTo(withJob);
    assertThat(text(byKey.get("1-visitor").value())).isEqualTo(withVisitor);
    assertThat(records).allSatisfy(r -> assertThat(r.timestamp()).isBetween(before, after));
    assertThat(TestTopics.readAll(kafka.bootstrapServers(), kafka.deadLetterTopic(), 0)).isEmpty();
  }

  @Test
  void eventsWithoutIdOrTimeGetATimeBasedIdAndTheReceiveTime() throws Exception {
    HttpResponse<byte[]> response = client.post("{\"job_id\":7,\"custom_track\":\"click\",\"bid\":0.5}\n"
        + "{\"create_time\":\"b-2\",\"ts\":null,\"job_id\":7}\n");

    assertThat(response.statusCode()).isEqualTo(200);
    List<ConsumerRecord<byte[], byte[]>> records = TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(), 2);
    assertThat(records).hasSize(2);
    JsonNode first = MAPPER.readTree(records.get(0).value());
    JsonNode second = MAPPER.readTree(records.get(1).value());
    assertThat(UUID.fromString(first.get("create_time").asText()).version()).isEqualTo(1);
    assertThat(first.get("ts").asLong()).isEqualTo(records.get(0).timestamp());
    assertThat(first.get("custom_track").asText()).isEqualTo("click");
    assertThat(first.get("bid").decimalValue()).isEqualByComparingTo("0.5");
    assertThat(second.get("create_time").asText()).isEqualTo("b-2");
    assertThat(second.get("ts").asLong()).isEqualTo(records.get(1).timestamp());
  }

  @Test
  void eachRejectedEventIsAnsweredWithItsIndexAndReasonAndKeptAsADeadLetterAsSent() {
    List<String> lines = List.of(
        event("c-0", 1, ""),
        "{\"create_time\":\"c-1\",\"ts\":\"" + now() + "\",\"clicks\":1}",
        "{\"create_time\":\"c-2\",\"ts\":\"" + now() + "\",\"job_id\":\"abc\"}",
        "{\"create_time\":\"c-3\",\"ts\":",
        "[1,2]",
        "{\"create_time\":\"c-5\",\"ts\":\"2100-01-01T00:00:00Z\"}",
        "{\"create_time\":\"c-6\",\"ts\":\"" + now() + "\",\"bid\":-1}",
        "{\"create_time\":\"c-7\",\"ts\":\"" + now() + "\",\"dl\":\"" + "x".repeat(9000) + "\"}",
        "{\"create_time\":\"c-8\",\"ts\":\"" + now() + "\",\"job_id\":1,\"job_id\":2}",
        event("c-9", 2, ""));

    HttpResponse<byte[]> response = client.post(String.join("\n", lines));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode answer = json(response);
    assertThat(answer.get("accepted").asInt()).isEqualTo(2);
    Map<Integer, String> reasons = new HashMap<>();
    answer.get("rejected").forEach(r -> reasons.put(r.get("index").asInt(), r.get("reason").asText()));
    assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of(1, "unknown_field", 2, "wrong_type", 3, "malformed_json",
        4, "not_an_object", 5, "event_time_in_future", 6, "invalid_value", 7, "invalid_value", 8, "duplicate_field"));
    assertThat(answer.get("rejected").get(1).get("message").asText())
        .isEqualTo("field 'job_id' must be an integer, got string \"abc\"");

    List<ConsumerRecord<byte[], byte[]>> deadLetters =
        TestTopics.readAll(kafka.bootstrapServers(), kafka.deadLetterTopic(), 8);
    assertThat(deadLetters).hasSize(8);
    String requestId = answer.get("request_id").asText();
    for (ConsumerRecord<byte[], byte[]> deadLetter : deadLetters) {
      String source = header(deadLetter, DeadLetterHeaders.SOURCE);
      assertThat(source).startsWith("http:/v1/events/" + requestId + "#");
      int index = Integer.parseInt(source.substring(source.indexOf('#') + 1));
      assertThat(text(deadLetter.value())).isEqualTo(lines.get(index));
      assertThat(deadLetter.key()).isNull();
      assertThat(header(deadLetter, DeadLetterHeaders.REASON)).isEqualTo(reasons.get(index));
      assertThat(header(deadLetter, DeadLetterHeaders.ERROR)).isNotBlank();
      assertThat(Long.parseLong(header(deadLetter, DeadLetterHeaders.RECEIVED_AT))).isEqualTo(deadLetter.timestamp());
    }
    assertThat(TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(), 2))
        .extracting(r -> text(r.value())).containsExactlyInAnyOrder(lines.get(0), lines.get(9));
  }

  @Test
  void bodiesRefusedAsAWholeGetTheirStatusAndAreKeptWholeAsOneDeadLetter() {
    String brokenArray = "[" + event("d-1", 1, "") + ", {\"create_time\": ]";
    String tooMany = "[" + String.join(",", java.util.Collections.nCopies(101, event("d-2", 1, ""))) + "]";

    HttpResponse<byte[]> broken = client.post(brokenArray);
    HttpResponse<byte[]> empty = client.post("  \n");
    HttpResponse<byte[]> many = client.post(tooMany);

    assertThat(broken.statusCode()).isEqualTo(400);
    assertThat(json(broken).get("error").asText()).isEqualTo("malformed_json");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(json(empty).get("error").asText()).isEqualTo("empty");
    assertThat(many.statusCode()).isEqualTo(413);
    assertThat(json(many).get("message").asText()).isEqualTo("request holds 101 events, more than the limit of 100 per request");
    Map<String, ConsumerRecord<byte[], byte[]>> bySource = TestTopics.readAll(kafka.bootstrapServers(),
        kafka.deadLetterTopic(), 3).stream().collect(Collectors.toMap(r -> header(r, DeadLetterHeaders.SOURCE), r -> r));
    assertThat(bySource).hasSize(3);
    assertThat(deadLetterOf(bySource, broken)).satisfies(r -> {
      assertThat(text(r.value())).isEqualTo(brokenArray);
      assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("malformed_json");
    });
    assertThat(text(deadLetterOf(bySource, empty).value())).isEqualTo("  \n");
    assertThat(deadLetterOf(bySource, many)).satisfies(r -> {
      assertThat(text(r.value())).isEqualTo(tooMany);
      assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("too_large");
    });
    assertThat(TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(), 0)).isEmpty();
  }

  @Test
  void anOversizedBodyIs413WhetherDeclaredOrStreamedAndItsFirstBytesAreKept() {
    byte[] huge = ("[" + String.join(",", java.util.Collections.nCopies(2000, event("e-1", 1, ""))) + "]")
        .getBytes(StandardCharsets.UTF_8);

    HttpResponse<byte[]> declared = client.post(huge);
    HttpResponse<byte[]> streamed = client.send(client.request("/v1/events").header(CollectorClient.KEY_HEADER, WRITE_KEY)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge))));

    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(json(declared).get("message").asText()).startsWith("request body of " + huge.length + " bytes exceeds");
    assertThat(streamed.statusCode()).isEqualTo(413);
    assertThat(json(streamed).get("message").asText()).startsWith("request body of more than 65536 bytes exceeds");
    List<ConsumerRecord<byte[], byte[]>> deadLetters = TestTopics.readAll(kafka.bootstrapServers(), kafka.deadLetterTopic(), 2);
    assertThat(deadLetters).hasSize(2).allSatisfy(r -> {
      assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("too_large");
      assertThat(r.value().length).isBetween(1, 1024);
      assertThat(huge).startsWith(r.value());
    });
  }

  @Test
  void aMissingOrWrongWriteKeyIs401AndTouchesNoTopic() {
    String body = "[" + event("f-1", 1, "") + "]";

    HttpResponse<byte[]> missing = client.send(client.request("/v1/events").POST(HttpRequest.BodyPublishers.ofString(body)));
    HttpResponse<byte[]> wrong = client.send(client.request("/v1/events").header(CollectorClient.KEY_HEADER, "not-the-key-12345")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    HttpResponse<byte[]> pixel = client.get("/v1/pixel.gif?key=wrong-key-0123456789&job_id=1");

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(json(missing).get("error").asText()).isEqualTo("missing_write_key");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(json(wrong).get("error").asText()).isEqualTo("invalid_write_key");
    assertThat(pixel.statusCode()).isEqualTo(401);
    assertThat(pixel.headers().firstValue("X-Trackpipe-Error")).contains("invalid_write_key");
    assertThat(TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(), 0)).isEmpty();
    assertThat(TestTopics.readAll(kafka.bootstrapServers(), kafka.deadLetterTopic(), 0)).isEmpty();
  }

  @Test
  void aWriteKeyInTheQueryIsAsGoodAsTheHeader() {
    HttpResponse<byte[]> response = client.send(client.request("/v1/events?key=" + WRITE_KEY)
        .POST(HttpRequest.BodyPublishers.ofString(event("g-1", 1, ""))));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void thePixelRecordsOneEventAndAnswersAnUncachableGif() throws Exception {
    HttpResponse<byte[]> response = client.get("/v1/pixel.gif?key=" + WRITE_KEY
        + "&job_id=1532&publisher_id=7&custom_track=click&bid=0.85&dl=https%3A%2F%2Fjobs.example.com%2Fj%2F1532%3Fa%3Db");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("image/gif");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(response.body()).hasSize(43).startsWith("GIF89a".getBytes(StandardCharsets.US_ASCII));
    List<ConsumerRecord<byte[], byte[]>> records = TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(), 1);
    assertThat(records).hasSize(1);
    assertThat(text(records.get(0).key())).isEqualTo("1532");
    JsonNode event = MAPPER.readTree(records.get(0).value());
    assertThat(event.get("job_id").isIntegralNumber()).isTrue();
    assertThat(event.get("bid").decimalValue()).isEqualByComparingTo("0.85");
    assertThat(event.get("dl").asText()).isEqualTo("https://jobs.example.com/j/1532?a=b");
    assertThat(event.get("ts").asLong()).isEqualTo(records.get(0).timestamp());
    assertThat(event.has("key")).isFalse();
  }

  @Test
  void aBadPixelStillAnswersTheGifWithTheReasonInAHeaderAndIsKept() throws Exception {
    HttpResponse<byte[]> response = client.get("/v1/pixel.gif?key=" + WRITE_KEY + "&job_id=abc&cb=123");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).contains("image/gif");
    assertThat(response.headers().firstValue("X-Trackpipe-Error")).hasValueSatisfying(
        reason -> assertThat(reason).isIn("wrong_type", "unknown_field"));
    List<ConsumerRecord<byte[], byte[]>> deadLetters = TestTopics.readAll(kafka.bootstrapServers(), kafka.deadLetterTopic(), 1);
    assertThat(deadLetters).hasSize(1);
    assertThat(MAPPER.readTree(deadLetters.get(0).value()).get("job_id").asText()).isEqualTo("abc");
    assertThat(header(deadLetters.get(0), DeadLetterHeaders.SOURCE))
        .isEqualTo("http:/v1/pixel.gif/" + response.headers().firstValue("X-Request-Id").orElseThrow() + "#0");
  }

  @Test
  void healthSaysKafkaIsReachableAndMetricsCountWhatWasStored() {
    client.post("[" + event("h-1", 1, "") + "," + event("h-2", 1, "") + ",{\"job_id\":\"x\"}]");

    HttpResponse<byte[]> health = client.get("/health");
    HttpResponse<byte[]> live = client.get("/health/live");
    HttpResponse<byte[]> metrics = client.get("/metrics");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(json(health).get("status").asText()).isEqualTo("up");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(text(metrics.body()))
        .contains("trackpipe_collector_events_accepted_total{domain=\"job-ads\"} 2.0")
        .contains("trackpipe_collector_events_rejected_total{domain=\"job-ads\",reason=\"wrong_type\"} 1.0")
        .contains("trackpipe_collector_events_rejected_total{domain=\"job-ads\",reason=\"malformed_json\"} 0.0")
        .contains("trackpipe_collector_requests_total{route=\"events\",status=\"400\"} 1.0")
        .contains("trackpipe_collector_request_duration_seconds_bucket{route=\"events\",le=\"+Inf\"} 1")
        .contains("trackpipe_collector_kafka_up 1.0");
  }

  @Test
  void unknownRoutesAre404AndWrongMethods405() {
    HttpResponse<byte[]> unknown = client.get("/v2/nothing");
    HttpResponse<byte[]> wrongMethod = client.get("/v1/events");

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("error").asText()).isEqualTo("not_found");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
  }

  @Test
  void browserTrackersFromAnAllowedOriginPassThePreflightOthersDoNot() {
    HttpResponse<byte[]> allowed = preflight("https://jobs.example.com");
    HttpResponse<byte[]> other = preflight("https://evil.example.org");
    HttpResponse<byte[]> post = client.send(client.request("/v1/events").header("Origin", "https://jobs.example.com")
        .header(CollectorClient.KEY_HEADER, WRITE_KEY).POST(HttpRequest.BodyPublishers.ofString(event("i-1", 1, ""))));

    assertThat(allowed.statusCode()).isBetween(200, 204);
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("https://jobs.example.com");
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers")).hasValueSatisfying(
        h -> assertThat(h.toLowerCase()).contains("x-trackpipe-key"));
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).contains("https://jobs.example.com");
  }

  @Test
  void manyClientsAtOnceLoseNothingDuplicateNothingAndKeepEachJobsOrder() throws Exception {
    int clients = 16;
    int requestsPerClient = 25;
    int eventsPerRequest = 100;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<Integer>> results = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int clientNo = c;
      results.add(pool.submit(() -> {
        CollectorClient own = new CollectorClient(collector.url(), WRITE_KEY);
        int accepted = 0;
        for (int r = 0; r < requestsPerClient; r++) {
          StringBuilder body = new StringBuilder("[");
          for (int e = 0; e < eventsPerRequest; e++) {
            int seq = r * eventsPerRequest + e;
            if (e > 0) body.append(',');
            body.append(event("m-" + clientNo + "-" + seq, seq % 7, ",\"uid\":\"" + clientNo + "\""));
          }
          HttpResponse<byte[]> response = own.post(body.append(']').toString());
          assertThat(response.statusCode()).isEqualTo(200);
          accepted += json(response).get("accepted").asInt();
        }
        return accepted;
      }));
    }
    int accepted = 0;
    for (Future<Integer> result : results) accepted += result.get();
    pool.shutdown();

    int expected = clients * requestsPerClient * eventsPerRequest;
    assertThat(accepted).isEqualTo(expected);
    List<ConsumerRecord<byte[], byte[]>> records = TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(), expected);
    assertThat(records).hasSize(expected);
    List<String> ids = new ArrayList<>();
    Map<String, Integer> lastSeqByClientAndJob = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      String id = MAPPER.readTree(record.value()).get("create_time").asText();
      ids.add(id);
      String[] parts = id.split("-");
      String stream = parts[1] + "/" + text(record.key());
      int seq = Integer.parseInt(parts[2]);
      Integer previous = lastSeqByClientAndJob.put(stream, seq);
      assertThat(previous == null || previous < seq).as("order of client %s job %s", parts[1], text(record.key())).isTrue();
    }
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(collector.eventsAccepted()).isEqualTo(expected);
  }

  @Test
  void closingWaitsForARequestStillBeingSentAndStoresItsEventsBeforeStopping() throws Exception {
    byte[] body = ("[" + event("j-1", 1, "") + "," + event("j-2", 1, "") + "]").getBytes(StandardCharsets.UTF_8);
    int half = body.length / 2;
    ExecutorService threads = Executors.newSingleThreadExecutor();
    // A client that sends half its body, then pauses: a raw socket, because HTTP clients send bodies in one go.
    try (Socket socket = new Socket("127.0.0.1", collector.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + CollectorClient.KEY_HEADER + ": " + WRITE_KEY
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, half);
      out.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> text(client.get("/metrics").body())
          .contains("trackpipe_collector_in_flight_bytes " + body.length + ".0"));

      Future<?> closing = threads.submit(collector::close);
      Thread.sleep(300);
      assertThat(closing).as("close waits for the request in flight").isNotDone();
      out.write(body, half, body.length - half);
      out.flush();

      String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      assertThat(statusLine).isEqualTo("HTTP/1.1 200 OK");
      closing.get(10, TimeUnit.SECONDS);
    } finally {
      threads.shutdown();
    }
    assertThat(TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(), 2)).hasSize(2);
    assertThatThrownBy(() -> client.get("/health")).as("a stopped collector takes no connections")
        .isInstanceOf(UncheckedIOException.class);
  }

  private HttpResponse<byte[]> preflight(String origin) {
    return client.send(client.request("/v1/events").header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,x-trackpipe-key")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
  }

  private static ConsumerRecord<byte[], byte[]> deadLetterOf(Map<String, ConsumerRecord<byte[], byte[]>> bySource,
      HttpResponse<byte[]> response) {
    return bySource.get("http:/v1/events/" + json(response).get("request_id").asText());
  }

  static String event(String id, long jobId, String moreFields) {
    return "{\"create_time\":\"" + id + "\",\"ts\":\"" + now() + "\",\"job_id\":" + jobId + moreFields + "}";
  }

  static String now() {
    return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
