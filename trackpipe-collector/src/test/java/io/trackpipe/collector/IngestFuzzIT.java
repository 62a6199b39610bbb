package io.trackpipe.collector;

import static io.trackpipe.collector.CollectorClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.collector.ingest.TextEvent;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;
import io.trackpipe.kafka.KafkaConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes both ingest routes of a real collector (real embedded Kafka) and the streaming job's decoder with the same
 * generated and mutated input ({@link FuzzInputs}, seed {@code -Dtrackpipe.fuzz.seed}). For every input: no 5xx; the
 * collector's verdict is the decoder's (the collector may only fill a missing {@code create_time}/{@code ts}); every
 * message in an answer, and every reason the decoder gives, is bounded and free of control characters; and every
 * record the collector stored is one the decoder accepts.
 */
class IngestFuzzIT {
  private static final long SEED = Long.getLong("trackpipe.fuzz.seed", 20261204L);
  private static final int EVENT_INPUTS = 8_000;
  private static final int PIXEL_INPUTS = 2_000;
  private static final int BODY_INPUTS = 600;
  private static final int EVENTS_PER_REQUEST = 25;
  /** Longest message allowed in an answer: enough to say what and where, too short to echo a payload back. */
  private static final int MAX_MESSAGE_CHARS = 300;
  private static final String KEY = CollectorIT.WRITE_KEY;

  private static final EventSchema JOB_ADS = TestDomains.JOB_ADS.jobAds().schema();
  private static final TextEvent PIXEL = TextEvent.of(JOB_ADS);

  private final EventDecoder decoder = new EventDecoder(JOB_ADS, EventLimits.DEFAULT);
  private final List<String> problems = new ArrayList<>();
  private final Map<String, Integer> statuses = new TreeMap<>();
  private KafkaConfig kafka;
  private Collector collector;
  private CollectorClient client;
  private long acceptedByCollector;

  @BeforeEach
  void start() throws Exception {
    kafka = TestTopics.create(EmbeddedStack.shared().kafka().bootstrapServers());
    // A long Kafka time-out: on a busy machine a slow acknowledgement is a 503 that says nothing about the input.
    collector = Collector.start(new CollectorConfig("127.0.0.1", 0, List.of(KEY), List.of(), 512 * 1024, 1000,
        Duration.ofSeconds(60), 64L * 1024 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(30), 64), kafka,
        EventLimits.DEFAULT, TestDomains.JOB_ADS);
    client = new CollectorClient(collector.url(), KEY);
  }

  @AfterEach
  void stop() {
    if (collector != null) collector.close();
  }

  @Test
  void postedEventsGetTheDecodersVerdictNever5xxAndOnlyDecodableRecordsAreStored() {
    FuzzInputs inputs = new FuzzInputs(SEED);
    List<byte[]> batch = new ArrayList<>();
    int batchBytes = 0;
    for (int i = 0; i < EVENT_INPUTS; i++) {
      byte[] event = inputs.event();
      if (!batch.isEmpty() && (batch.size() == EVENTS_PER_REQUEST || batchBytes + event.length > 256 * 1024)) {
        postAndCompare(batch);
        batch.clear();
        batchBytes = 0;
      }
      batch.add(event);
      batchBytes += event.length;
    }
    postAndCompare(batch);

    assertThat(problems).as("problems (seed %d)", SEED).isEmpty();
    assertThat(statuses.keySet()).allMatch(status -> status.compareTo("500") < 0);
    assertStoredRecordsDecode();
    System.out.printf(Locale.ROOT, "ingest fuzz, POST /v1/events: %d inputs, statuses %s, %d accepted (seed %d)%n",
        EVENT_INPUTS, statuses, acceptedByCollector, SEED);
  }

  @Test
  void pixelsGetTheDecodersVerdictAndBrokenQueriesA400NeverA5xx() throws Exception {
    FuzzInputs inputs = new FuzzInputs(SEED + 1);
    for (int i = 0; i < PIXEL_INPUTS; i++) {
      List<Map.Entry<String, String>> parameters = inputs.pixelParameters();
      StringBuilder query = new StringBuilder("key=").append(KEY);
      for (Map.Entry<String, String> p : parameters) {
        query.append('&').append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
      }
      String broken = inputs.brokenEscape();
      if (broken != null) query.insert(inputs.nextInt(query.length() + 1), broken);
      long receivedAt = System.currentTimeMillis();
      RawAnswer answer = RawAnswer.get(collector.port(), "/v1/pixel.gif?" + query);
      count(answer.status());
      String described = "pixel #" + i + " ?" + shown(query.toString());
      String error = answer.header("X-Trackpipe-Error");
      if (answer.status() >= 500) {
        problem(described, "answered " + answer.status() + " " + error);
        continue;
      }
      if (broken != null) {
        // The damage may happen to form a valid escape ("%" before "41"): Jetty's strict decoder tells.
        boolean urlEncoding = isUrlEncoding(query.toString());
        if (!urlEncoding && (answer.status() != 400 || !"malformed_query".equals(error))) {
          problem(described, "a query that is not URL encoding got " + answer.status() + " " + error);
        }
        if (urlEncoding && answer.status() == 200) acceptedByCollector++;
        continue;
      }
      byte[] event = PIXEL.fromQuery(parameters);
      compare(described, event, decoder.decode(event, receivedAt), answer.status() == 200, error, null);
      if (answer.status() == 200) acceptedByCollector++;
    }

    assertThat(problems).as("problems (seed %d)", SEED + 1).isEmpty();
    assertStoredRecordsDecode();
    System.out.printf(Locale.ROOT, "ingest fuzz, GET /v1/pixel.gif: %d inputs, statuses %s, %d accepted (seed %d)%n",
        PIXEL_INPUTS, statuses, acceptedByCollector, SEED + 1);
  }

  @Test
  void wholeBodiesWithBrokenFramingAreRefusedWithBoundedMessagesNever5xx() {
    FuzzInputs inputs = new FuzzInputs(SEED + 2);
    for (int i = 0; i < BODY_INPUTS; i++) {
      byte[] body = inputs.body();
      boolean chunked = i % 7 == 0;
      HttpResponse<byte[]> response = chunked
          ? client.send(client.request("/v1/events").header(CollectorClient.KEY_HEADER, KEY)
              .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))))
          : client.post(body);
      count(response.statusCode());
      String described = "body #" + i + " (" + body.length + " bytes" + (chunked ? ", chunked" : "") + ")";
      if (response.statusCode() >= 500 || !List.of(200, 400, 413).contains(response.statusCode())) {
        problem(described, "answered " + response.statusCode() + ": " + shown(CollectorClient.text(response.body())));
        continue;
      }
      JsonNode answer = json(response);
      checkMessage(described, answer.path("message").asText(""));
      answer.path("rejected").forEach(r -> checkMessage(described, r.path("message").asText()));
    }
    // Huge bodies, declared and streamed: 413, never a 5xx.
    byte[] huge = "{\"job_id\":1}\n".repeat(60_000).getBytes(StandardCharsets.US_ASCII);
    assertThat(client.post(huge).statusCode()).isEqualTo(413);
    assertThat(client.send(client.request("/v1/events").header(CollectorClient.KEY_HEADER, KEY)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)))).statusCode()).isEqualTo(413);

    assertThat(problems).as("problems (seed %d)", SEED + 2).isEmpty();
    System.out.printf(Locale.ROOT, "ingest fuzz, whole bodies: %d inputs, statuses %s (seed %d)%n", BODY_INPUTS, statuses,
        SEED + 2);
  }

  /** Posts the events as JSON lines behind a valid first event (so the body is never read as an array). */
  private void postAndCompare(List<byte[]> events) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(CollectorIT.event("anchor", 1, "").getBytes(StandardCharsets.UTF_8));
    for (byte[] event : events) {
      body.write('\n');
      body.writeBytes(event);
    }
    long receivedAt = System.currentTimeMillis();
    HttpResponse<byte[]> response = client.post(body.toByteArray());
    count(response.statusCode());
    if (response.statusCode() != 200 && response.statusCode() != 400) {
      problem("a request of " + events.size() + " events", "answered " + response.statusCode() + ": "
          + shown(CollectorClient.text(response.body())));
      return;
    }
    JsonNode answer = json(response);
    Map<Integer, JsonNode> rejected = new TreeMap<>();
    answer.get("rejected").forEach(r -> rejected.put(r.get("index").asInt(), r));
    if (rejected.containsKey(0)) problem("the anchor event", "rejected: " + rejected.get(0));
    acceptedByCollector += answer.get("accepted").asLong();
    for (int i = 0; i < events.size(); i++) {
      byte[] event = events.get(i);
      JsonNode rejection = rejected.get(i + 1);
      String described = "event " + shown(new String(event, StandardCharsets.UTF_8));
      compare(described, event, decoder.decode(event, receivedAt), rejection == null,
          rejection == null ? null : rejection.get("reason").asText(),
          rejection == null ? null : rejection.get("message").asText());
    }
  }

  /**
   * The collector agrees with the decoder: it accepts what the decoder accepts and rejects with the decoder's reason,
   * except that it may complete an event the decoder finds without {@code create_time} or {@code ts}.
   */
  private void compare(String described, byte[] event, DecodeResult expected, boolean accepted, String reason,
      String message) {
    if (expected instanceof DecodeResult.Rejected decoderSays) {
      checkMessage(described + " (decoder)", decoderSays.message());
      if (decoderSays.reason() == RejectReason.MISSING_FIELD) {
        if (!accepted && RejectReason.MISSING_FIELD.code().equals(reason)) {
          problem(described, "the collector did not complete a missing create_time or ts");
        }
      } else if (accepted) {
        problem(described, "accepted by the collector, rejected by the decoder as " + decoderSays.code());
      } else if (!decoderSays.code().equals(reason)) {
        problem(described, "rejected as " + reason + " by the collector, as " + decoderSays.code()
            + " by the decoder");
      }
    } else if (!accepted) {
      problem(described, "rejected by the collector as " + reason + ", accepted by the decoder");
    }
    if (message != null) checkMessage(described, message);
  }

  /** Every record in the events topic is one the streaming job's decoder accepts; none is missing. */
  private void assertStoredRecordsDecode() {
    List<ConsumerRecord<byte[], byte[]>> stored = TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(),
        (int) acceptedByCollector);
    assertThat(stored).hasSize((int) acceptedByCollector);
    assertThat(stored).allSatisfy(record -> assertThat(decoder.decode(record.value(), record.timestamp()))
        .as("stored record %s", shown(new String(record.value(), StandardCharsets.UTF_8)))
        .isInstanceOf(DecodeResult.Accepted.class));
  }

  private void checkMessage(String described, String message) {
    if (message.length() > MAX_MESSAGE_CHARS) {
      problem(described, "message of " + message.length() + " characters: " + shown(message));
    }
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      boolean lone = Character.isHighSurrogate(c) ? i + 1 >= message.length() || !Character.isLowSurrogate(message.charAt(++i))
          : Character.isLowSurrogate(c);
      if (Character.isISOControl(c) || lone) {
        problem(described, String.format("message holds U+%04X: %s", (int) c, shown(message)));
        return;
      }
    }
  }

  private static boolean isUrlEncoding(String query) {
    try {
      UrlEncoded.decodeUtf8To(query, new Fields());
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void count(int status) {
    statuses.merge(Integer.toString(status), 1, Integer::sum);
  }

  private void problem(String input, String what) {
    if (problems.size() < 30) problems.add(input + ": " + what);
  }

  /** Input shown in a failure: cut, control characters visible. */
  private static String shown(String text) {
    String cut = text.length() > 160 ? text.substring(0, 160) + "…(" + text.length() + " chars)" : text;
    StringBuilder out = new StringBuilder();
    cut.codePoints().forEach(c -> {
      if (Character.isISOControl(c) || Character.getType(c) == Character.SURROGATE) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  /** A GET on a raw socket: HTTP clients refuse to send a query that is not URL encoding. */
  private record RawAnswer(int status, String head) {
    static RawAnswer get(int port, String pathAndQuery) throws IOException {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(60_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        int headEnd = answer.indexOf("\r\n\r\n");
        String head = headEnd < 0 ? answer : answer.substring(0, headEnd);
        return new RawAnswer(Integer.parseInt(head.substring(9, 12)), head);
      }
    }

    String header(String name) {
      for (String line : head.split("\r\n")) {
        if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) return line.substring(name.length() + 1).strip();
      }
      return null;
    }
  }
}
