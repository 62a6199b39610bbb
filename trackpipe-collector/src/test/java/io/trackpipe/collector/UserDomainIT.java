package io.trackpipe.collector;

import static io.trackpipe.collector.CollectorClient.json;
import static io.trackpipe.collector.CollectorClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.DomainTopics;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.event.EventLimits;
import io.trackpipe.kafka.DeadLetterHeaders;
import io.trackpipe.kafka.KafkaConfig;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user's own domain (signups, from a definition file as {@code domain.definitions} names it) routed by a real
 * collector next to job ads, in front of the real embedded Kafka: no Java of its own, only the YAML.
 */
class UserDomainIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private KafkaConfig jobAds;
  private DomainTopics signups;
  private Collector collector;
  private CollectorClient client;

  @BeforeEach
  void startCollector() throws Exception {
    String bootstrap = EmbeddedStack.shared().kafka().bootstrapServers();
    jobAds = TestTopics.create(bootstrap);
    KafkaConfig signupsTopics = TestTopics.create(bootstrap);
    signups = new DomainTopics(signupsTopics.eventsTopic(), signupsTopics.deadLetterTopic());
    Path definition = Path.of(UserDomainIT.class.getResource("/domains/signups.yaml").toURI());
    DomainCatalog catalog = DomainCatalog.load(List.of(definition), List.of());
    List<Domain> withOwnTopics = catalog.only(List.of(DomainCatalog.JOB_ADS, "signups")).domains().stream()
        .map(domain -> domain.name().equals("signups") ? domain.withTopics(signups) : domain).toList();
    collector = Collector.start(CollectorIT.config(List.of()), jobAds, EventLimits.DEFAULT, new DomainCatalog(withOwnTopics));
    client = new CollectorClient(collector.url(), CollectorIT.WRITE_KEY);
  }

  @AfterEach
  void stopCollector() {
    if (collector != null) collector.close();
  }

  @Test
  void eventsPostedToTheDomainLandInItsTopicAsSentKeyedByAccount() {
    String first = "{\"account_id\":42,\"at\":\"" + now() + "\",\"plan\":\"pro\",\"amount\":9.90,\"campaign\":\"x\"}";
    String second = "{\"account_id\":43,\"at\":" + now().getEpochSecond() + ",\"plan\":\"free\",\"confirmed\":false}";

    HttpResponse<byte[]> response = post("/v1/signups/events", "[" + first + "," + second + "]");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("accepted").asInt()).isEqualTo(2);
    Map<String, String> byKey = TestTopics.readAll(jobAds.bootstrapServers(), signups.events(), 2).stream()
        .collect(Collectors.toMap(r -> text(r.key()), r -> text(r.value())));
    assertThat(byKey).containsOnlyKeys("42", "43");
    assertThat(byKey.get("42")).isEqualTo(first);
    assertThat(byKey.get("43")).isEqualTo(second);
    assertThat(TestTopics.readAll(jobAds.bootstrapServers(), jobAds.eventsTopic(), 0)).isEmpty();
    assertThat(TestTopics.readAll(jobAds.bootstrapServers(), signups.deadLetters(), 0)).isEmpty();
  }

  @Test
  void aPixelOfTheDomainTypesItsParametersByTheSchemaAndGetsTheReceiveTime() throws Exception {
    HttpResponse<byte[]> response = client.get("/v1/signups/pixel.gif?key=" + CollectorIT.WRITE_KEY
        + "&account_id=44&plan=pro&amount=19.5&confirmed=true&country=CH");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("image/gif");
    List<ConsumerRecord<byte[], byte[]>> records = TestTopics.readAll(jobAds.bootstrapServers(), signups.events(), 1);
    assertThat(records).hasSize(1);
    assertThat(text(records.get(0).key())).isEqualTo("44");
    JsonNode event = MAPPER.readTree(records.get(0).value());
    assertThat(event.get("account_id").isIntegralNumber()).isTrue();
    assertThat(event.get("amount").decimalValue()).isEqualByComparingTo("19.5");
    assertThat(event.get("confirmed").isBoolean()).isTrue();
    assertThat(event.get("country").asText()).isEqualTo("CH");
    // The time field takes ISO-8601 or epoch seconds: the receive time comes in the form that keeps its milliseconds.
    assertThat(Instant.parse(event.get("at").asText())).isEqualTo(Instant.ofEpochMilli(records.get(0).timestamp()));
    assertThat(event.has("key")).isFalse();
  }

  @Test
  void malformedAndRuleBreakingEventsAreAnsweredWithTheirReasonAndKeptInTheDomainsDeadLetters() throws Exception {
    List<String> lines = List.of(
        "{\"account_id\":45,\"at\":\"" + now() + "\",\"plan\":\"pro\",\"amount\":0}",
        "{\"account_id\":\"x\",\"at\":\"" + now() + "\"}",
        "{\"account_id\":46,\"at\":\"" + now() + "\",\"plan\":\"gold\"}",
        "{\"account_id\":47,",
        "{\"at\":\"" + now() + "\",\"plan\":\"free\"}",
        "{\"account_id\":48,\"at\":\"" + now() + "\",\"plan\":\"free\"}");

    HttpResponse<byte[]> response = post("/v1/signups/events", String.join("\n", lines));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode answer = json(response);
    assertThat(answer.get("accepted").asInt()).isEqualTo(1);
    assertThat(answer.get("rejected")).extracting(r -> r.get("index").asInt() + ":" + r.get("reason").asText())
        .containsExactly("0:rule:pro_pays", "1:wrong_type", "2:invalid_value", "3:malformed_json", "4:missing_field");
    assertThat(answer.get("rejected").get(0).get("message").asText()).isEqualTo("a pro signup has an amount");
    List<ConsumerRecord<byte[], byte[]>> deadLetters =
        TestTopics.readAll(jobAds.bootstrapServers(), signups.deadLetters(), 5);
    assertThat(deadLetters).hasSize(5);
    Map<String, ConsumerRecord<byte[], byte[]>> bySource = deadLetters.stream()
        .collect(Collectors.toMap(r -> header(r, DeadLetterHeaders.SOURCE), r -> r));
    String requestId = answer.get("request_id").asText();
    ConsumerRecord<byte[], byte[]> ruleBroken = bySource.get("http:/v1/signups/events/" + requestId + "#0");
    assertThat(text(ruleBroken.value())).isEqualTo(lines.get(0));
    assertThat(header(ruleBroken, DeadLetterHeaders.REASON)).isEqualTo("rule:pro_pays");
    assertThat(text(bySource.get("http:/v1/signups/events/" + requestId + "#3").value())).isEqualTo(lines.get(3));
    assertThat(TestTopics.readAll(jobAds.bootstrapServers(), signups.events(), 1)).singleElement()
        .satisfies(r -> assertThat(text(r.key())).isEqualTo("48"));
    assertThat(TestTopics.readAll(jobAds.bootstrapServers(), jobAds.deadLetterTopic(), 0)).isEmpty();

    HttpResponse<byte[]> pixel = client.get("/v1/signups/pixel.gif?key=" + CollectorIT.WRITE_KEY
        + "&account_id=49&plan=pro&amount=0");
    assertThat(pixel.statusCode()).isEqualTo(400);
    assertThat(pixel.headers().firstValue("Content-Type")).contains("image/gif");
    assertThat(pixel.headers().firstValue("X-Trackpipe-Error")).contains("rule:pro_pays");
    assertThat(text(client.get("/metrics").body()))
        .contains("trackpipe_collector_events_accepted_total{domain=\"signups\"} 1.0")
        .contains("trackpipe_collector_events_rejected_total{domain=\"signups\",reason=\"rule:pro_pays\"} 2.0")
        .contains("trackpipe_collector_events_rejected_total{domain=\"signups\",reason=\"wrong_type\"} 1.0")
        .contains("trackpipe_collector_events_accepted_total{domain=\"job-ads\"} 0.0");
  }

  @Test
  void jobAdsKeepsItsRoutesAndHasTheDomainRoutesToo() {
    String event = "{\"create_time\":\"j-1\",\"ts\":\"" + now() + "\",\"job_id\":1532}";
    String other = "{\"create_time\":\"j-2\",\"ts\":\"" + now() + "\",\"job_id\":1533}";

    assertThat(post("/v1/events", event).statusCode()).isEqualTo(200);
    assertThat(post("/v1/job-ads/events", other).statusCode()).isEqualTo(200);

    assertThat(TestTopics.readAll(jobAds.bootstrapServers(), jobAds.eventsTopic(), 2))
        .extracting(r -> text(r.value())).containsExactlyInAnyOrder(event, other);
    assertThat(TestTopics.readAll(jobAds.bootstrapServers(), signups.events(), 0)).isEmpty();
  }

  @Test
  void anUnknownDomainIs404WithTheDomainsThereAre() {
    HttpResponse<byte[]> events = post("/v1/orders/events", "{\"order_id\":1}");
    HttpResponse<byte[]> pixel = client.get("/v1/orders/pixel.gif?key=" + CollectorIT.WRITE_KEY + "&order_id=1");

    assertThat(events.statusCode()).isEqualTo(404);
    assertThat(json(events).get("error").asText()).isEqualTo("unknown_domain");
    assertThat(json(events).get("message").asText()).contains("'orders'").contains("job-ads").contains("signups");
    assertThat(pixel.statusCode()).isEqualTo(404);
    assertThat(TestTopics.readAll(jobAds.bootstrapServers(), signups.deadLetters(), 0)).isEmpty();
    assertThat(TestTopics.readAll(jobAds.bootstrapServers(), jobAds.deadLetterTopic(), 0)).isEmpty();
  }

  private HttpResponse<byte[]> post(String path, String body) {
    return client.send(client.request(path).header(CollectorClient.KEY_HEADER, CollectorIT.WRITE_KEY)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
