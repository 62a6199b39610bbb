package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.generator.EcommerceEventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in shop domain streamed by a child JVM that is SIGKILLed twice mid-stream: afterwards every table and view
 * equals a plain-Java recount of the generated events (duplicates, late, too late, malformed and rule-breaking
 * records included), and every bad record is a dead letter with the right reason.
 */
class EcommerceStreamIT {
  private static final long SEED = 20_261_206L;
  private static final int BACKLOG = 16_000;
  private static final int MORE_WHILE_DOWN = 4_000;
  private static final int RESENT = 300;
  private static final Duration ALLOWED_LATENESS = Duration.ofHours(2);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(180);
  /** Small batches, so that a kill is likely to land inside one. */
  private static final Map<String, String> SETTINGS = Map.of("stream.domains", DomainCatalog.ECOMMERCE,
      "stream.max-events-per-batch", "2000");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @TempDir Path work;

  /** What was sent: the events in arrival order (copies included), and where each bad record landed. */
  private static final class Sent {
    final List<StreamFixture.Send> events = new ArrayList<>();
    final Map<String, String> badPositions = new HashMap<>();

    void add(StreamFixture f, String topic, List<StreamFixture.Send> sends, List<Boolean> bad) throws Exception {
      List<RecordMetadata> positions = f.produceAndGetOffsets(topic, sends);
      for (int i = 0; i < sends.size(); i++) {
        if (bad.get(i)) {
          RecordMetadata m = positions.get(i);
          badPositions.put(m.topic() + "/" + m.partition() + "/" + m.offset(), new String(sends.get(i).value(), StandardCharsets.UTF_8));
        } else {
          events.add(sends.get(i));
        }
      }
    }
  }

  @Test
  void everyShopTableEqualsARecountAfterTheStreamIsKilledTwice() throws Exception {
    StreamFixture f = StreamFixture.create("shop", work);
    Domain shop = DomainCatalog.load(List.of(), List.of()).domain(DomainCatalog.ECOMMERCE).orElseThrow();
    String topic = shop.topics().events();
    KafkaTopics.ensureExist(KafkaConfig.plaintext(f.kafka.bootstrapServers(), topic, shop.topics().deadLetters(), 2, (short) 1));
    EcommerceEventGenerator generator = new EcommerceEventGenerator(shop, GeneratorConfig.builder(SampleDimensions.generate(1))
        .seed(SEED).duplicateRatio(0.04).lateRatio(0.05).maxLateness(Duration.ofHours(4)).malformedRatio(0.01)
        .ruleViolationRatio(0.02).build(), ZoneOffset.UTC);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Sent sent = new Sent();
    generate(f, topic, sent, generator, BACKLOG, now.minus(Duration.ofMinutes(50)), 150);

    try (StreamJobProcess run = StreamJobProcess.start(f, work, "run-1.log", SETTINGS)) {
      awaitCommit(f, shop, run, 2, 20);
      run.kill();
    }
    long afterFirstKill = committed(f, shop);
    assertThat(counted(f)).as("the first run counted part of the backlog").isPositive();

    // While the stream is down: more traffic, and copies of backlog events sent again long after the first.
    generate(f, topic, sent, generator, MORE_WHILE_DOWN, now.minus(Duration.ofMinutes(9)), 100);
    Random random = new Random(SEED);
    List<StreamFixture.Send> resent = new ArrayList<>();
    for (int i = 0; i < RESENT; i++) {
      StreamFixture.Send original = sent.events.get(random.nextInt(BACKLOG / 2));
      resent.add(new StreamFixture.Send(original.key(), original.value(), now.minus(Duration.ofMinutes(2)).toEpochMilli()));
    }
    sent.add(f, topic, resent, resent.stream().map(s -> false).toList());
    ShopRecount expected = ShopRecount.of(sent.events, ALLOWED_LATENESS);

    try (StreamJobProcess run = StreamJobProcess.start(f, work, "run-2.log", SETTINGS)) {
      // Polled as fast as the warehouse answers: the kill lands right after a commit, often before Spark's checkpoint.
      awaitCommit(f, shop, run, afterFirstKill + 1, 0);
      run.kill();
    }
    long countedAtSecondKill = counted(f);
    assertThat(countedAtSecondKill).as("the second kill left events uncounted").isLessThan(expected.counted);

    try (StreamJobProcess run = StreamJobProcess.start(f, work, "run-3.log", SETTINGS)) {
      awaitCounted(f, run, expected.counted);
      run.stop();
    }

    assertThat(expected.counted).as("a meaningful test").isGreaterThan(15_000);
    assertThat(expected.tooLate).as("events too late to count").isGreaterThan(50);
    assertThat(expected.copies).as("copies dropped").isGreaterThan(600);
    assertThat(f.query("SELECT product_id, dates, product_revenue, product_event_count, product_user_impressions, views,"
        + " carts, purchases, returns FROM product_daily")).containsExactlyInAnyOrderElementsOf(expected.productDaily());
    assertThat(f.query("SELECT product_id, product_revenue, product_event_count, product_user_impressions, views, carts,"
        + " purchases, returns FROM product_count")).containsExactlyInAnyOrderElementsOf(expected.productCount());
    assertThat(f.query("SELECT type_of_event, dates, event_count, revenue FROM event_count_daily"))
        .containsExactlyInAnyOrderElementsOf(expected.eventCountDaily());
    assertThat(f.query("SELECT type_of_event, event_count, revenue FROM event_count"))
        .containsExactlyInAnyOrderElementsOf(expected.eventCount());
    assertThat(f.query("SELECT dates, cart, purchase, `return`, view, total_revenue FROM daily_events"))
        .containsExactlyInAnyOrderElementsOf(expected.dailyEvents());
    assertThat(f.query("SELECT dates, hours, views, carts, purchases, returns, revenue FROM shop_hourly"))
        .containsExactlyInAnyOrderElementsOf(expected.shopHourly());
    assertThat(f.query("SELECT dates, hours, product_id, views, carts, purchases, returns, revenue FROM shop_hourly_product"))
        .containsExactlyInAnyOrderElementsOf(expected.shopHourlyProduct());
    // Ratios of sums, stored with 6 decimals.
    for (String row : f.query("SELECT product_id, views, carts, purchases, returns, view_to_cart, cart_to_purchase,"
        + " conversion_rate, return_rate FROM product_count")) {
      String[] v = row.split("\\|");
      assertRatio(v[5], v[2], v[1], row);
      assertRatio(v[6], v[3], v[2], row);
      assertRatio(v[7], v[3], v[1], row);
      assertRatio(v[8], v[4], v[3], row);
    }

    Map<String, String> reasons = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : f.deadLettersToEnd(shop.topics().deadLetters())) {
      reasons.put(header(r, "trackpipe.source"), header(r, "trackpipe.reason"));
    }
    assertThat(reasons.keySet()).as("every bad record is a dead letter").containsExactlyInAnyOrderElementsOf(sent.badPositions.keySet());
    Map<String, Integer> ruleReasons = new TreeMap<>();
    sent.badPositions.forEach((position, value) -> {
      String rule = brokenPriceRule(value);
      if (rule != null) {
        assertThat(reasons.get(position)).as(value).isEqualTo("rule:" + rule);
        ruleReasons.merge(rule, 1, Integer::sum);
      } else {
        assertThat(reasons.get(position)).as(value).doesNotStartWith("rule:");
      }
    });
    assertThat(ruleReasons).as("each price rule broken").containsOnlyKeys("purchase_price_positive",
        "return_price_negative", "view_price_zero", "cart_price_zero");
  }

  private static void assertRatio(String stored, String numerator, String denominator, String row) {
    if (new BigDecimal(denominator).signum() == 0) {
      assertThat(stored).as(row).isEqualTo("null");
      return;
    }
    double exact = Double.parseDouble(numerator) / Double.parseDouble(denominator);
    assertThat(Double.parseDouble(stored)).as(row).isCloseTo(exact, org.assertj.core.api.Assertions.within(0.0001));
  }

  /**
   * Which price rule a record breaks, judged here from its JSON (null when it is bad input of another kind): purchase
   * above 0, return below 0, view and cart at 0.
   */
  private static String brokenPriceRule(String value) {
    try {
      JsonNode e = JSON.readTree(value);
      if (e == null || !e.isObject() || e.size() != 5 || !e.path("price").isNumber() || !e.path("user_id").canConvertToLong()
          || !e.path("product_id").canConvertToLong() || e.path("user_id").asLong() < 0 || e.path("product_id").asLong() < 0) {
        return null;
      }
      if (!e.path("timestamp").isIntegralNumber() && !e.path("timestamp").isTextual()) return null;
      if (e.path("timestamp").isTextual() && e.path("timestamp").asText().startsWith("1999")) return null;
      if (e.path("timestamp").isIntegralNumber() && e.path("timestamp").asLong() < 946_684_800_000L) return null;
      if (e.path("price").decimalValue().abs().compareTo(new BigDecimal("1000000")) > 0) return null;
      int sign = e.path("price").decimalValue().signum();
      return switch (e.path("type_of_event").asText()) {
        case "purchase" -> sign > 0 ? null : "purchase_price_positive";
        case "return" -> sign < 0 ? null : "return_price_negative";
        case "view" -> sign == 0 ? null : "view_price_zero";
        case "cart" -> sign == 0 ? null : "cart_price_zero";
        default -> null;
      };
    } catch (Exception notJson) {
      return null;
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static void generate(StreamFixture f, String topic, Sent sent, EcommerceEventGenerator generator, int count,
      Instant from, long millisApart) throws Exception {
    List<StreamFixture.Send> sends = new ArrayList<>(count);
    List<Boolean> bad = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Instant arrival = from.plusMillis(i * millisApart);
      GeneratedRecord r = generator.next(arrival);
      sends.add(new StreamFixture.Send(r.key(), r.value(), arrival.toEpochMilli()));
      bad.add(r.kind() == GeneratedRecord.Kind.MALFORMED);
    }
    sent.add(f, topic, sends, bad);
  }

  private static long committed(StreamFixture f, Domain shop) throws Exception {
    List<String> rows = f.query("SELECT batch_id FROM stream_commit WHERE sink = '" + shop.sink() + "'");
    return rows.isEmpty() ? -1 : Long.parseLong(rows.get(0));
  }

  private static long counted(StreamFixture f) throws Exception {
    List<String> rows = f.query("SELECT COALESCE(SUM(event_count), 0) FROM event_count_daily");
    return Long.parseLong(rows.get(0));
  }

  private static void awaitCommit(StreamFixture f, Domain shop, StreamJobProcess run, long batch, long pollMillis)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (committed(f, shop) < batch) {
      if (!run.isAlive()) fail("the stream died before committing batch " + batch + "\n" + run.logTail());
      if (System.nanoTime() > deadline) fail("no commit of batch " + batch + " within 150 s\n" + run.logTail());
      if (pollMillis > 0) Thread.sleep(pollMillis);
    }
  }

  /** Waits until the tables hold as many events as the recount counts; fails early on more. */
  private static void awaitCounted(StreamFixture f, StreamJobProcess run, long expected) throws Exception {
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    long counted = -1;
    while (System.nanoTime() < deadline) {
      counted = counted(f);
      assertThat(counted).as("events counted while draining").isLessThanOrEqualTo(expected);
      if (counted == expected) return;
      if (!run.isAlive()) fail("the stream died while draining\n" + run.logTail());
      Thread.sleep(500);
    }
    fail("not drained within " + DRAIN_TIMEOUT + ": " + counted + " of " + expected + " events counted\n" + run.logTail());
  }

  /** The shop's tables recounted in plain Java from the valid records in arrival order (UTC buckets). */
  private static final class ShopRecount {
    long counted;
    long tooLate;
    long copies;
    final List<JsonNode> events = new ArrayList<>();
    final List<LocalDateTime> times = new ArrayList<>();

    static ShopRecount of(List<StreamFixture.Send> records, Duration allowedLateness) throws Exception {
      ShopRecount recount = new ShopRecount();
      Set<String> seen = new HashSet<>();
      for (StreamFixture.Send record : records) {
        JsonNode e = JSON.readTree(record.value());
        LocalDateTime time = time(e.get("timestamp"));
        // An event is its five fields (the time as read); copies count once.
        String identity = e.get("user_id").asLong() + "|" + e.get("type_of_event").asText() + "|" + time + "|"
            + e.get("product_id").asLong() + "|" + e.get("price").decimalValue().stripTrailingZeros().toPlainString();
        if (!seen.add(identity)) {
          recount.copies++;
          continue;
        }
        Instant countedUntil = time.truncatedTo(ChronoUnit.HOURS).plusHours(1).toInstant(ZoneOffset.UTC).plus(allowedLateness);
        if (Instant.ofEpochMilli(record.timestampMillis()).isAfter(countedUntil)) {
          recount.tooLate++;
          continue;
        }
        recount.counted++;
        recount.events.add(e);
        recount.times.add(time);
      }
      return recount;
    }

    private static LocalDateTime time(JsonNode timestamp) {
      if (timestamp.isNumber()) return LocalDateTime.ofInstant(Instant.ofEpochMilli(timestamp.asLong()), ZoneOffset.UTC);
      String text = timestamp.asText();
      return text.endsWith("Z") ? LocalDateTime.ofInstant(Instant.parse(text), ZoneOffset.UTC) : LocalDateTime.parse(text, LOCAL);
    }

    /** Per key: events, revenue, distinct viewers, views, carts, purchases, returns. */
    private static final class Sums {
      long events;
      BigDecimal revenue = BigDecimal.ZERO;
      final Set<Long> viewers = new HashSet<>();
      final Map<String, Long> byType = new HashMap<>();

      long type(String type) {
        return byType.getOrDefault(type, 0L);
      }
    }

    private Map<String, Sums> group(Function<Integer, String> key) {
      Map<String, Sums> groups = new TreeMap<>();
      for (int i = 0; i < events.size(); i++) {
        JsonNode e = events.get(i);
        Sums sums = groups.computeIfAbsent(key.apply(i), k -> new Sums());
        sums.events++;
        sums.revenue = sums.revenue.add(e.get("price").decimalValue());
        String type = e.get("type_of_event").asText();
        sums.byType.merge(type, 1L, Long::sum);
        if (type.equals("view")) sums.viewers.add(e.get("user_id").asLong());
      }
      return groups;
    }

    private static String money(BigDecimal amount) {
      return amount.stripTrailingZeros().toPlainString();
    }

    private String product(int i) {
      return events.get(i).get("product_id").asText();
    }

    private String date(int i) {
      return times.get(i).toLocalDate().toString();
    }

    private String funnel(Sums s) {
      return s.type("view") + "|" + s.type("cart") + "|" + s.type("purchase") + "|" + s.type("return");
    }

    List<String> productDaily() {
      return group(i -> product(i) + "|" + date(i)).entrySet().stream().map(g -> g.getKey() + "|" + money(g.getValue().revenue)
          + "|" + g.getValue().events + "|" + g.getValue().viewers.size() + "|" + funnel(g.getValue())).toList();
    }

    List<String> productCount() {
      return group(this::product).entrySet().stream().map(g -> g.getKey() + "|" + money(g.getValue().revenue) + "|"
          + g.getValue().events + "|" + g.getValue().viewers.size() + "|" + funnel(g.getValue())).toList();
    }

    List<String> eventCountDaily() {
      return group(i -> events.get(i).get("type_of_event").asText() + "|" + date(i)).entrySet().stream()
          .map(g -> g.getKey() + "|" + g.getValue().events + "|" + money(g.getValue().revenue)).toList();
    }

    List<String> eventCount() {
      return group(i -> events.get(i).get("type_of_event").asText()).entrySet().stream()
          .map(g -> g.getKey() + "|" + g.getValue().events + "|" + money(g.getValue().revenue)).toList();
    }

    List<String> dailyEvents() {
      return group(this::date).entrySet().stream().map(g -> g.getKey() + "|" + g.getValue().type("cart") + "|"
          + g.getValue().type("purchase") + "|" + g.getValue().type("return") + "|" + g.getValue().type("view") + "|"
          + money(g.getValue().revenue)).toList();
    }

    List<String> shopHourly() {
      return group(i -> date(i) + "|" + times.get(i).getHour()).entrySet().stream()
          .map(g -> g.getKey() + "|" + funnel(g.getValue()) + "|" + money(g.getValue().revenue)).toList();
    }

    List<String> shopHourlyProduct() {
      return group(i -> date(i) + "|" + times.get(i).getHour() + "|" + product(i)).entrySet().stream()
          .map(g -> g.getKey() + "|" + funnel(g.getValue()) + "|" + money(g.getValue().revenue)).toList();
    }
  }
}
