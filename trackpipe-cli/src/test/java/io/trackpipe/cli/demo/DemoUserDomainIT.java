package io.trackpipe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own domain without Java, end to end as a user runs it: {@code trackpipe demo} with the definition file of
 * docs/domains.md next to job ads; events sent through the collector and straight to Kafka (valid, duplicated, late,
 * too late, malformed, breaking the domain's rule); then the rollup tables against values computed by hand, the dead
 * letters' reasons, and the API's answers.
 */
class DemoUserDomainIT {
  private static final Duration START_LIMIT = Duration.ofMinutes(4);
  private static final Pattern COLLECTOR = Pattern.compile("Collector +(http://\\S+?)/? +write key (\\S+)");
  private static final Pattern DASHBOARD = Pattern.compile("Dashboard +(http://\\S+?)/ ");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @AfterEach
  void leaveNothingRunning() {
    DemoProcess.killServersOn(work.resolve("data"));
  }

  @Test
  void aDomainDeclaredInAFileRunsNextToJobAdsFromCollectorToDashboard() throws Exception {
    Path definition = work.resolve("signups.yaml");
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("domains/signups-end-to-end.yaml")) {
      Files.write(definition, in.readAllBytes());
    }
    // Hour H ended within the hour; H - 1 ended less than two hours ago, inside a 3 h lateness however slow the start.
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS);
    Instant earlier = hour.minus(1, ChronoUnit.HOURS);
    Instant tooLate = hour.minus(6, ChronoUnit.HOURS);

    try (DemoProcess demo = DemoProcess.start(work.resolve("data"), work.resolve("demo.log"), "--no-generate",
        "--no-cassandra", "--set", "domain.definitions=" + definition, "--set", "stream.allowed-lateness=3h", "--set", "stream.dedup-horizon=5h")) {
      demo.awaitOutput(DemoProcess.RUNNING, START_LIMIT);
      Matcher collector = find(COLLECTOR, demo);
      String collectorUrl = collector.group(1);
      String writeKey = collector.group(2);
      String api = find(DASHBOARD, demo).group(1) + "/api/v1";
      assertThat(demo.output()).as("the demo names the domains it runs").contains("signups");

      String free = signup(1, hour.plusSeconds(300), "free", "0", "\"DE\"", "true");
      String pro = signup(2, hour.plusSeconds(600), "pro", "12.50", "\"FR\"", "true");
      String ruleBreaker = signup(3, hour.plusSeconds(1200), "pro", "0", "null", "true");
      String wrongType = "{\"account_id\":\"x\",\"at\":\"" + hour.plusSeconds(60) + "\",\"plan\":\"free\",\"confirmed\":true}";
      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                  URI.create(collectorUrl + "/v1/signups/events"))
              .header("X-Trackpipe-Key", writeKey)
              .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", free, pro, pro, ruleBreaker, wrongType)))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as("some events rejected, the others stored: " + answer.body()).isEqualTo(400);
      JsonNode body = JSON.readTree(answer.body());
      assertThat(body.path("accepted").asInt()).as(answer.body()).isEqualTo(3); // the copy is the stream's to drop
      assertThat(body.path("rejected").findValuesAsText("reason")).as(answer.body())
          .containsExactlyInAnyOrder("rule:pro_pays", "wrong_type");

      // Straight to Kafka, as a back end would: epoch seconds, no country, a copy of one sent over HTTP, a late one
      // (an hour that ended an hour ago), one too late for the stream, and a broken record.
      String epochSeconds = "{\"account_id\":4,\"at\":" + hour.plusSeconds(1800).getEpochSecond()
          + ",\"plan\":\"pro\",\"amount\":7.25,\"confirmed\":false}";
      String late = signup(7, earlier.plusSeconds(900), "free", "3", "\"DE\"", "true");
      String tooLateEvent = signup(6, tooLate.plusSeconds(60), "free", "1", "\"DE\"", "true");
      send(demo.bootstrapServers(), "signups-events", List.of(epochSeconds, pro, late, tooLateEvent, "{\"account_id\":5,"));

      try (Connection c = demo.warehouse()) {
        Map<String, String> hourly = awaitRows(c, "SELECT plan, dates, hours, signups, revenue FROM signups_hourly", 3);
        String h = hourOf(hour);
        String e = hourOf(earlier);
        assertThat(hourly).as("signups_hourly: each event once, the copies dropped, the too-late one left to the batch")
            .containsExactlyInAnyOrderEntriesOf(Map.of(
                "free " + h, "1 0.00",
                "pro " + h, "2 19.75",
                "free " + e, "1 3.00"));
        Map<String, String> byCountry = new TreeMap<>();
        try (ResultSet rs = c.createStatement().executeQuery(
            "SELECT country, SUM(signups), SUM(paid_signups) FROM signups_by_country GROUP BY country")) {
          while (rs.next()) byCountry.put(rs.getString(1), rs.getLong(2) + " " + rs.getLong(3));
        }
        assertThat(byCountry).as("signups_by_country, with the derived 'paid' and the default country")
            .isEqualTo(Map.of("DE", "2 1", "FR", "1 1", "??", "1 1"));
        try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM events")) {
          rs.next();
          assertThat(rs.getLong(1)).as("job ads' facts, untouched by the other domain").isZero();
        }
      }

      assertThat(deadLetterReasons(demo.bootstrapServers(), "signups-events-dead-letter", 3))
          .as("every refused record kept with its reason, from the collector and from the stream")
          .containsExactlyInAnyOrder("rule:pro_pays", "wrong_type", "malformed_json");

      JsonNode domains = get(api + "/domains");
      assertThat(domains.toString()).contains("\"signups\"").contains("\"job-ads\"");
      String dates = "from=" + earlier.minus(1, ChronoUnit.DAYS).toString().substring(0, 10)
          + "&to=" + hour.plus(1, ChronoUnit.DAYS).toString().substring(0, 10);
      JsonNode totals = get(api + "/domains/signups/kpis?" + dates).path("totals");
      assertThat(totals.path("signups").asLong()).as("the API's totals of the signups dashboard: " + totals).isEqualTo(4);
      assertThat(totals.path("revenue").decimalValue()).isEqualByComparingTo("22.75");
      assertThat(totals.path("revenue_per_signup").decimalValue()).isEqualByComparingTo("5.6875");
      // plan is an enum field: the dashboard filters by a list of its values and ranks its values.
      JsonNode plan = get(api + "/domains/signups").path("dimensions").get(0);
      assertThat(plan.path("type").asText()).isEqualTo("enum");
      assertThat(plan.path("values").toString()).isEqualTo("[\"free\",\"pro\"]");
      JsonNode proTotals = get(api + "/domains/signups/kpis?" + dates + "&plan=pro").path("totals");
      assertThat(proTotals.path("signups").asLong()).as("pro sign-ups: " + proTotals).isEqualTo(2);
      assertThat(proTotals.path("revenue").decimalValue()).isEqualByComparingTo("19.75");
      JsonNode top = get(api + "/domains/signups/top/plan?" + dates + "&sort=revenue");
      assertThat(top.path("rows").findValuesAsText("id")).as(top.toString()).containsExactly("pro", "free");
      HttpResponse<String> gold = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(api + "/domains/signups/kpis?plan=gold")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(gold.statusCode()).as(gold.body()).isEqualTo(400);
      assertThat(gold.body()).contains("plan must be a comma-separated list of free, pro");

      // The built-in shop runs next to them: its block in the banner, its events through the collector, its tables.
      assertThat(demo.output()).contains("Shop      domain ecommerce").contains("product_count");
      // And the web clickstream, each in a block of the same shape (no generator: --no-generate).
      assertThat(demo.output()).contains("Web       domain clickstream   topic clickstream-events   no generator (--no-generate)")
          .contains("SELECT * FROM url_totals ORDER BY unique_users DESC LIMIT 10").contains("/v1/clickstream/events");
      String purchase = shopEvent(7, "purchase", hour.plusSeconds(420), "19.99");
      HttpResponse<String> shopAnswer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                  URI.create(collectorUrl + "/v1/ecommerce/events"))
              .header("X-Trackpipe-Key", writeKey)
              .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", shopEvent(7, "view", hour.plusSeconds(300), "0"),
                  shopEvent(7, "cart", hour.plusSeconds(360), "0"), purchase, purchase,
                  shopEvent(8, "view", hour.plusSeconds(480), "0"), shopEvent(7, "return", hour.plusSeconds(540), "19.99"))))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(JSON.readTree(shopAnswer.body()).path("rejected").findValuesAsText("reason")).as(shopAnswer.body())
          .containsExactly("rule:return_price_negative");
      String productCount = "SELECT product_id, product_revenue, product_event_count, product_user_impressions, views,"
          + " carts, purchases FROM product_count";
      List<String> products = List.of();
      try (Connection c = demo.warehouse()) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && !products.equals(List.of("1001 19.99 4 2 2 1 1"))) {
          Thread.sleep(500);
          List<String> rows = new java.util.ArrayList<>();
          try (ResultSet rs = c.createStatement().executeQuery(productCount)) {
            while (rs.next()) {
              rows.add(rs.getLong(1) + " " + rs.getBigDecimal(2) + " " + rs.getLong(3) + " " + rs.getLong(4) + " "
                  + rs.getLong(5) + " " + rs.getLong(6) + " " + rs.getLong(7));
            }
          } catch (java.sql.SQLException notYetCreated) {
            // the stream creates the tables when it starts
          }
          products = rows;
        }
      }
      assertThat(products).as("product_count: revenue, events (the copy once), distinct viewers, views, carts, orders")
          .containsExactly("1001 19.99 4 2 2 1 1");
      JsonNode shop = get(api + "/domains/ecommerce/kpis?" + dates).path("totals");
      assertThat(shop.path("revenue").decimalValue()).as(shop.toString()).isEqualByComparingTo("19.99");
      assertThat(shop.path("orders").asLong()).isEqualTo(1);
      assertThat(shop.path("conversion").decimalValue()).isEqualByComparingTo("0.5");
      demo.terminate();
    }
  }

  private static String signup(int account, Instant at, String plan, String amount, String country, String confirmed) {
    return "{\"account_id\":" + account + ",\"at\":\"" + at + "\",\"plan\":\"" + plan + "\",\"amount\":" + amount
        + ",\"country\":" + country + ",\"confirmed\":" + confirmed + "}";
  }

  private static String shopEvent(long user, String type, Instant at, String price) {
    return "{\"user_id\":" + user + ",\"type_of_event\":\"" + type + "\",\"timestamp\":\"" + at + "\",\"product_id\":1001,"
        + "\"price\":" + price + "}";
  }

  private static String hourOf(Instant instant) {
    String text = instant.toString(); // 2026-12-05T10:00:00Z
    return text.substring(0, 10) + " " + Integer.parseInt(text.substring(11, 13));
  }

  private static Matcher find(Pattern pattern, DemoProcess demo) {
    Matcher m = pattern.matcher(demo.output());
    if (!m.find()) fail("no match of " + pattern + " in the demo's output:\n" + demo.output());
    return m;
  }

  private static void send(String bootstrap, String topic, List<String> values) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String value : values) producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
    }
  }

  /** The rows of {@code sql} as "first-column dates hours" → "the rest", once there are {@code expected} and they stay. */
  private static Map<String, String> awaitRows(Connection c, String sql, int expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    Map<String, String> rows = Map.of();
    while (System.nanoTime() < deadline) {
      rows = new HashMap<>();
      try (ResultSet rs = c.createStatement().executeQuery(sql)) {
        while (rs.next()) {
          rows.put(rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3), rs.getLong(4) + " " + rs.getBigDecimal(5));
        }
      } catch (java.sql.SQLException notYetCreated) {
        // the stream creates its tables when it starts
      }
      if (rows.size() >= expected && rows.values().stream().anyMatch(v -> v.startsWith("2 "))) {
        Thread.sleep(3000); // one more trigger: a copy counted twice would show now
        return awaitRows(c, sql);
      }
      Thread.sleep(500);
    }
    return rows;
  }

  private static Map<String, String> awaitRows(Connection c, String sql) throws Exception {
    Map<String, String> rows = new HashMap<>();
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) rows.put(rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3), rs.getLong(4) + " " + rs.getBigDecimal(5));
    }
    return rows;
  }

  private static List<String> deadLetterReasons(String bootstrap, String topic, int expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> reasons = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (reasons.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          Header reason = record.headers().lastHeader("trackpipe.reason");
          reasons.add(reason == null ? "(no reason)" : new String(reason.value(), StandardCharsets.UTF_8));
        }
      }
      // Anything more would be a record dead-lettered twice or one that should have been counted.
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(2))) {
        Header reason = record.headers().lastHeader("trackpipe.reason");
        reasons.add(reason == null ? "(no reason)" : new String(reason.value(), StandardCharsets.UTF_8));
      }
    }
    return reasons;
  }

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url + " → " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
