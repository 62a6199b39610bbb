package io.trackpipe.collector;

import static io.trackpipe.collector.CollectorClient.json;
import static io.trackpipe.collector.CollectorClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.event.EventLimits;
import io.trackpipe.kafka.KafkaConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that misbehave on purpose, against a real collector and the real embedded Kafka: uploads that trickle, too
 * many requests from one address, query strings that are not URL encoding, and what {@code /health} tells strangers.
 * Every connection is to 127.0.0.1 and bounded in number and time.
 */
class HostileClientIT {
  private static final String KEY = CollectorIT.WRITE_KEY;
  private static final int MAX_BODY = 64 * 1024;
  /** Small, so that a few uploads charged at their maximum size up front would exhaust it. */
  private static final long IN_FLIGHT_BUDGET = 1024 * 1024;
  private static final Duration BODY_TIMEOUT = Duration.ofSeconds(5);

  private final List<TricklingUpload> uploads = new ArrayList<>();
  private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
  private Collector collector;

  @AfterEach
  void stop() {
    trickle.shutdownNow();
    uploads.forEach(TricklingUpload::close);
    if (collector != null) collector.close();
  }

  private CollectorClient start(int maxRequestsPerClient) throws Exception {
    KafkaConfig kafka = TestTopics.create(EmbeddedStack.shared().kafka().bootstrapServers());
    collector = Collector.start(new CollectorConfig("127.0.0.1", 0, List.of(KEY), List.of(), MAX_BODY, 100,
        Duration.ofSeconds(5), IN_FLIGHT_BUDGET, Duration.ofSeconds(2), BODY_TIMEOUT, maxRequestsPerClient), kafka,
        EventLimits.DEFAULT, TestDomains.JOB_ADS);
    return new CollectorClient(collector.url(), KEY);
  }

  @Test
  void uploadsThatTrickleDoNotStarveNormalPostsAndAreAnswered408AtTheBodyDeadline() throws Exception {
    CollectorClient client = start(1000);
    int trickling = 130; // as many as in the report of the defect, where 20 of 20 normal POSTs were answered 503
    for (int i = 0; i < trickling; i++) uploads.add(TricklingUpload.open(collector.port(), trickle));
    await().atMost(Duration.ofSeconds(10)).until(() -> uploads.stream().allMatch(u -> u.chunksSent() >= 2));
    long openedAt = System.nanoTime();

    int ok = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<byte[]> response = client.post(CollectorIT.event("slow-" + i, 1, ""));
      if (response.statusCode() == 200) ok++;
    }

    assertThat(ok).as("normal POSTs answered 200 while %d uploads trickle", trickling).isEqualTo(20);
    assertThat(System.nanoTime() - openedAt).as("the POSTs ran while the uploads were open")
        .isLessThan(BODY_TIMEOUT.toNanos());
    for (TricklingUpload upload : uploads) {
      assertThat(upload.statusLine(BODY_TIMEOUT.plusSeconds(10))).isEqualTo("HTTP/1.1 408 Request Timeout");
    }
    long elapsedMillis = (System.nanoTime() - openedAt) / 1_000_000;
    assertThat(elapsedMillis).as("answered at the deadline, not at the idle time-out").isLessThan(
        BODY_TIMEOUT.toMillis() + 8_000);
    await().atMost(Duration.ofSeconds(5)).until(() -> text(client.get("/metrics").body())
        .contains("trackpipe_collector_in_flight_bytes 0.0"));
  }

  @Test
  void aClientAddressOverItsLimitOfRequestsInFlightIsAnswered429() throws Exception {
    CollectorClient client = start(5);
    for (int i = 0; i < 5; i++) uploads.add(TricklingUpload.open(collector.port(), trickle));
    await().atMost(Duration.ofSeconds(10)).until(() -> uploads.stream().allMatch(u -> u.chunksSent() >= 2));

    HttpResponse<byte[]> post = client.post(CollectorIT.event("limit-1", 1, ""));
    HttpResponse<byte[]> pixel = client.get("/v1/pixel.gif?key=" + KEY + "&job_id=1");

    assertThat(post.statusCode()).isEqualTo(429);
    assertThat(json(post).get("error").asText()).isEqualTo("too_many_requests");
    assertThat(json(post).get("message").asText()).contains("collector.http.max-requests-per-client");
    assertThat(post.headers().firstValue("Retry-After")).contains("1");
    assertThat(pixel.statusCode()).isEqualTo(429);
    assertThat(pixel.headers().firstValue("X-Trackpipe-Error")).contains("too_many_requests");
    assertThat(client.get("/health").statusCode()).as("health checks are not ingest requests").isEqualTo(200);

    uploads.forEach(TricklingUpload::close);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(client.post(CollectorIT.event("limit-2", 1, "")).statusCode()).isEqualTo(200));
  }

  @Test
  void aQueryStringThatIsNotUrlEncodingIs400WithAClearMessage() throws Exception {
    CollectorClient client = start(64);
    String event = CollectorIT.event("q-1", 1, "");

    RawAnswer brokenPixel = RawAnswer.of(collector.port(), "GET /v1/pixel.gif?%zz&key=" + KEY + "&job_id=1", null);
    RawAnswer brokenValue = RawAnswer.of(collector.port(), "GET /v1/pixel.gif?key=" + KEY + "&job_id=%zz", null);
    RawAnswer brokenEvents = RawAnswer.of(collector.port(), "POST /v1/events?key=%zz", event);

    for (RawAnswer pixel : List.of(brokenPixel, brokenValue)) {
      assertThat(pixel.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
      assertThat(pixel.head()).contains("Content-Type: image/gif").contains("X-Trackpipe-Error: malformed_query");
    }
    assertThat(brokenEvents.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(brokenEvents.body()).contains("\"error\":\"malformed_query\"").contains("query string");
    assertThat(text(client.get("/metrics").body())).doesNotContain("status=\"500\"");
  }

  /**
   * One request on a raw socket, its write key only in the query: HTTP clients refuse to send a query that is not URL
   * encoding.
   */
  private record RawAnswer(String statusLine, String head, String body) {
    static RawAnswer of(int port, String requestLine, String body) throws IOException {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: "
            + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(content);
        out.flush();
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        int headEnd = answer.indexOf("\r\n\r\n");
        String head = answer.substring(0, headEnd);
        return new RawAnswer(head.substring(0, head.indexOf("\r\n")), head, answer.substring(headEnd + 4));
      }
    }
  }

  @Test
  void healthDoesNotTellStrangersWhereKafkaIs() throws Exception {
    int closedPort;
    try (ServerSocket free = new ServerSocket(0)) {
      closedPort = free.getLocalPort();
    }
    KafkaConfig nowhere = KafkaConfig.plaintext("127.0.0.1:" + closedPort, "hostile-events", "hostile-dead", 1, (short) 1);
    collector = Collector.start(new CollectorConfig("127.0.0.1", 0, List.of(KEY), List.of(), MAX_BODY, 100,
        Duration.ofSeconds(1), IN_FLIGHT_BUDGET, Duration.ofSeconds(1), BODY_TIMEOUT, 64), nowhere, EventLimits.DEFAULT,
        TestDomains.JOB_ADS);
    CollectorClient client = new CollectorClient(collector.url(), KEY);

    HttpResponse<byte[]> health = client.get("/health");
    HttpResponse<byte[]> live = client.get("/health/live");
    HttpResponse<byte[]> post = client.post(CollectorIT.event("h-1", 1, ""));

    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(json(health).get("kafka").asText()).isNotBlank();
    assertThat(post.statusCode()).isEqualTo(503);
    for (HttpResponse<byte[]> response : List.of(health, live, post)) {
      assertThat(text(response.body())).doesNotContain("127.0.0.1").doesNotContain(Integer.toString(closedPort));
    }
  }

  /**
   * A chunked POST that sends a few bytes every 500 ms and never finishes: a raw socket, because HTTP clients send
   * bodies in one go.
   */
  private static final class TricklingUpload {
    private final Socket socket;
    private volatile int chunksSent;

    private TricklingUpload(Socket socket) {
      this.socket = socket;
    }

    static TricklingUpload open(int port, ScheduledExecutorService scheduler) throws IOException {
      Socket socket = new Socket("127.0.0.1", port);
      TricklingUpload upload = new TricklingUpload(socket);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + CollectorClient.KEY_HEADER + ": " + KEY
          + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      scheduler.scheduleWithFixedDelay(upload::sendAFewBytes, 0, 500, TimeUnit.MILLISECONDS);
      return upload;
    }

    int chunksSent() {
      return chunksSent;
    }

    private void sendAFewBytes() {
      if (socket.isClosed()) return;
      try {
        OutputStream out = socket.getOutputStream();
        out.write((chunksSent == 0 ? "1\r\n[\r\n" : "2\r\n  \r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        chunksSent++;
      } catch (IOException e) {
        // The collector closed the connection (after its answer): nothing more to send.
      }
    }

    /** The answer's status line, or null when none came within {@code wait}. */
    String statusLine(Duration wait) throws IOException {
      socket.setSoTimeout((int) wait.toMillis());
      try {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      } catch (SocketTimeoutException e) {
        return null;
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closing a test socket.
      }
    }
  }
}
