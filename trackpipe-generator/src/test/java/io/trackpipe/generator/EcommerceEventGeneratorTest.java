package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The shop's generator, checked with the pipeline's own decoder built from ecommerce.yaml. */
class EcommerceEventGeneratorTest {
  private static final Domain SHOP = DomainCatalog.load(List.of(), List.of()).domain(DomainCatalog.ECOMMERCE).orElseThrow();
  private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  private static final Instant START = Instant.parse("2026-11-20T09:00:00.125Z");
  private static final GeneratorConfig DEFAULTS = GeneratorConfig.defaults(SampleDimensions.generate(1));
  private static final ObjectMapper JSON = new ObjectMapper();
  private final EventDecoder decoder = new EventDecoder(SHOP.schema(), new EventLimits(ZONE, Duration.ofMinutes(5),
      EventLimits.DEFAULT.maxPayloadBytes(), EventLimits.DEFAULT.maxFieldChars()));

  @Test
  void sessionsOfValidEventsWithRealisticPricesAndAFunnel() throws Exception {
    RecordGenerator generator = RecordGenerator.forDomain(SHOP, DEFAULTS, ZONE);
    assertThat(generator).isInstanceOf(EcommerceEventGenerator.class);
    Map<String, Integer> types = new TreeMap<>();
    Map<Long, BigDecimal> purchasePrices = new HashMap<>();
    Set<String> ids = new HashSet<>();
    Set<String> timeForms = new HashSet<>();
    for (int i = 0; i < 50_000; i++) {
      Instant now = START.plusMillis(i * 7L);
      GeneratedRecord record = generator.next(now);
      assertThat(record.kind()).isEqualTo(GeneratedRecord.Kind.VALID);
      DecodeResult result = decoder.decode(record.value(), now.toEpochMilli());
      assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Accepted.class);
      assertThat(ids.add(((DecodeResult.Accepted) result).event().id())).as("a new event, not a copy: %s", record.valueText())
          .isTrue();
      JsonNode event = JSON.readTree(record.value());
      assertThat(record.key()).isEqualTo(event.get("user_id").asText());
      timeForms.add(event.get("timestamp").isNumber() ? "millis" : event.get("timestamp").asText().contains("T") ? "iso" : "local");
      String type = event.get("type_of_event").asText();
      types.merge(type, 1, Integer::sum);
      BigDecimal price = event.get("price").decimalValue();
      if (type.equals("purchase")) {
        BigDecimal earlier = purchasePrices.putIfAbsent(event.get("product_id").asLong(), price);
        assertThat(earlier == null || earlier.compareTo(price) == 0).as("one price per product").isTrue();
        assertThat(price).isBetween(new BigDecimal("0.99"), new BigDecimal("2500"));
      }
      assertThat(event.get("product_id").asLong()).isBetween(1001L, 1000L + EcommerceEventGenerator.PRODUCTS);
    }
    assertThat(timeForms).containsExactlyInAnyOrder("millis", "iso", "local");
    assertThat(types.get("view")).isGreaterThan(types.get("cart"));
    assertThat(types.get("cart")).isGreaterThan(types.get("purchase"));
    assertThat(types.get("purchase")).isGreaterThan(types.get("return"));
    assertThat(types.get("return")).isPositive();
    assertThat(purchasePrices).hasSizeGreaterThan(150);
    assertThat(purchasePrices.values().stream().distinct().count()).as("prices differ by product").isGreaterThan(100);
  }

  @Test
  void duplicatesLateMalformedAndRuleViolationsComeAtTheirRatiosAndAreJudgedAsIntended() {
    GeneratorConfig config = DEFAULTS.toBuilder().seed(7).duplicateRatio(0.05).lateRatio(0.05).malformedRatio(0.02)
        .ruleViolationRatio(0.04).build();
    EcommerceEventGenerator generator = new EcommerceEventGenerator(SHOP, config, ZONE);
    Map<GeneratedRecord.Kind, Integer> kinds = new TreeMap<>();
    Map<String, Integer> ruleReasons = new TreeMap<>();
    List<byte[]> earlier = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      Instant now = START.plusMillis(i * 11L);
      GeneratedRecord record = generator.next(now);
      kinds.merge(record.kind(), 1, Integer::sum);
      DecodeResult result = decoder.decode(record.value(), now.toEpochMilli());
      switch (record.kind()) {
        case VALID, LATE -> {
          assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Accepted.class);
          earlier.add(record.value());
        }
        case DUPLICATE -> assertThat(earlier).anyMatch(e -> java.util.Arrays.equals(e, record.value()));
        case MALFORMED -> {
          assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Rejected.class);
          String code = ((DecodeResult.Rejected) result).code();
          if (code.startsWith("rule:")) ruleReasons.merge(code, 1, Integer::sum);
        }
      }
    }
    assertThat(kinds.get(GeneratedRecord.Kind.DUPLICATE)).isBetween(800, 1200);
    assertThat(kinds.get(GeneratedRecord.Kind.LATE)).isBetween(800, 1200);
    assertThat(kinds.get(GeneratedRecord.Kind.MALFORMED)).isBetween(1000, 1400); // 2 % malformed + 4 % rule-breaking
    assertThat(ruleReasons).containsOnlyKeys("rule:purchase_price_positive", "rule:return_price_negative",
        "rule:view_price_zero", "rule:cart_price_zero");
    assertThat(ruleReasons.values()).allMatch(n -> n >= 150);
  }

  @Test
  void theSameSeedGivesTheSameRecords() {
    GeneratorConfig config = DEFAULTS.toBuilder().duplicateRatio(0.1).malformedRatio(0.1).ruleViolationRatio(0.1).build();
    EcommerceEventGenerator a = new EcommerceEventGenerator(SHOP, config, ZONE);
    EcommerceEventGenerator b = new EcommerceEventGenerator(SHOP, config, ZONE);
    EcommerceEventGenerator other = new EcommerceEventGenerator(SHOP, config.toBuilder().seed(43).build(), ZONE);
    List<GeneratedRecord> first = new ArrayList<>();
    List<GeneratedRecord> second = new ArrayList<>();
    List<GeneratedRecord> third = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Instant now = START.plusMillis(i);
      first.add(a.next(now));
      second.add(b.next(now));
      third.add(other.next(now));
    }
    assertThat(first).isEqualTo(second).isNotEqualTo(third);
  }
}
