package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The schema-built generator against user domains of test resources, checked with the pipeline's own decoder. */
class SchemaEventGeneratorTest {
  private static final Domain SIGNUPS = domain("signups");
  private static final Domain ORDERS = domain("orders");
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final Instant START = Instant.parse("2026-03-29T00:30:00.250Z"); // Berlin's clocks go forward at 01:00Z
  private static final GeneratorConfig DEFAULTS = GeneratorConfig.defaults(SampleDimensions.generate(1));

  @Test
  void everyValidEventOfTheSignupsDomainIsAcceptedWithinItsDeclaredRanges() {
    EventSchema schema = SIGNUPS.schema();
    EventDecoder decoder = decoder(SIGNUPS, ZoneId.of("UTC"));
    SchemaEventGenerator generator = new SchemaEventGenerator(SIGNUPS, DEFAULTS.toBuilder().nullFieldRatio(0.1).build(),
        ZoneId.of("UTC"));
    Map<Object, Long> accounts = new HashMap<>();
    Set<Object> plans = new HashSet<>();
    Set<String> timeForms = new HashSet<>();
    int proWithAmount = 0;

    for (int i = 0; i < 20_000; i++) {
      Instant now = START.plusMillis(i * 37L);
      GeneratedRecord record = generator.next(now);
      DecodeResult result = decoder.decode(record.value(), now.toEpochMilli());

      assertThat(record.kind()).isEqualTo(GeneratedRecord.Kind.VALID);
      assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Accepted.class);
      DecodedEvent event = ((DecodeResult.Accepted) result).event();
      // Whole seconds in epoch-seconds form, and a few ms earlier where the hashed id would repeat an earlier event's.
      assertThat(event.eventTimeMillis()).isBetween(now.toEpochMilli() - 999 - 64, now.toEpochMilli());
      Object account = event.value(schema.indexOf("account_id"));
      assertThat((Long) account).isPositive();
      assertThat(record.key()).isEqualTo(account.toString());
      accounts.merge(account, 1L, Long::sum);
      plans.add(event.value(schema.indexOf("plan")));
      Object country = event.value(schema.indexOf("country"));
      if (country != null) assertThat((String) country).hasSizeBetween(1, 2);
      Object amount = event.value(schema.indexOf("amount"));
      if (amount != null) assertThat((Long) amount).isBetween(0L, 100_000L); // 0.00 to 1000.00 at scale 2
      if ("pro".equals(event.value(schema.indexOf("plan"))) && amount != null && (Long) amount > 0) proWithAmount++;
      JsonNode at = EventGeneratorTest.parse(record).get("at");
      timeForms.add(at.isTextual() ? "iso-8601" : "epoch-seconds");
    }

    // A few accounts, each with many events: the partition key groups, and every partition gets some.
    assertThat(accounts).hasSizeBetween(2, SchemaEventGenerator.PARTITION_KEY_VALUES);
    assertThat(accounts.values()).allMatch(count -> count > 20);
    assertThat(plans).as("left out now and then: plan is optional").containsExactlyInAnyOrder("free", "pro", null);
    assertThat(timeForms).containsExactlyInAnyOrder("iso-8601", "epoch-seconds");
    assertThat(proWithAmount).isGreaterThan(5_000);
  }

  @Test
  void ordersGetUniqueIdsLocalTimesAndKeepTheirRules() {
    EventSchema schema = ORDERS.schema();
    EventDecoder decoder = decoder(ORDERS, BERLIN);
    SchemaEventGenerator generator = new SchemaEventGenerator(ORDERS, DEFAULTS, BERLIN);
    Set<String> ids = new HashSet<>();
    Set<Object> shops = new HashSet<>();
    int euroZone = 0;
    int bigOrders = 0;

    for (int i = 0; i < 20_000; i++) {
      Instant now = START.plusMillis(i * 400L); // across the change to summer time
      GeneratedRecord record = generator.next(now);
      DecodeResult result = decoder.decode(record.value(), now.toEpochMilli());

      assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Accepted.class);
      DecodedEvent event = ((DecodeResult.Accepted) result).event();
      assertThat(ids.add(event.id())).as("id %s is new", event.id()).isTrue();
      assertThat(Instant.ofEpochMilli(event.eventTimeMillis())).isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      assertThat(record.key()).isEqualTo(event.value(schema.indexOf("shop")));
      shops.add(event.value(schema.indexOf("shop")));
      Object country = event.value(schema.indexOf("country"));
      if ("de".equals(country) || "fr".equals(country)) {
        euroZone++;
        assertThat(event.value(schema.indexOf("currency"))).isEqualTo("EUR");
      }
      Object total = event.value(schema.indexOf("total"));
      if (total != null && (Long) total >= 100_000) bigOrders++;
      Object delivered = event.value(schema.indexOf("delivered"));
      if (delivered != null) assertThat((Long) delivered).isLessThanOrEqualTo(now.toEpochMilli());
    }

    assertThat(shops).hasSizeBetween(2, SchemaEventGenerator.PARTITION_KEY_VALUES);
    // The rules' own literals are among the drawn values, so the rules are exercised, not trivially true.
    assertThat(euroZone).isGreaterThan(100);
    assertThat(bigOrders).isGreaterThan(100);
  }

  @Test
  void malformedRecordsAreRejectedWithTheReasonOfTheirKind() {
    for (Domain domain : List.of(SIGNUPS, ORDERS)) {
      SchemaEventGenerator generator = new SchemaEventGenerator(domain, DEFAULTS.toBuilder().malformedRatio(1).build(), BERLIN);
      EventDecoder decoder = decoder(domain, BERLIN);
      List<SchemaMalformation> kinds = generator.malformations();
      Map<SchemaMalformation, Set<String>> codes = new HashMap<>();

      for (int i = 0; i < 40 * kinds.size(); i++) {
        GeneratedRecord record = generator.next(START);
        SchemaMalformation kind = kinds.get(i % kinds.size());
        DecodeResult result = decoder.decode(record.value(), START.toEpochMilli());

        assertThat(record.kind()).isEqualTo(GeneratedRecord.Kind.MALFORMED);
        assertThat(record.valueText()).doesNotContain("\n");
        assertThat(result).as("%s of %s: %s", kind, domain.name(), record.valueText())
            .isInstanceOfSatisfying(DecodeResult.Rejected.class,
                rejected -> assertThat(rejected.reason()).isEqualTo(kind.expectedReason()));
        codes.computeIfAbsent(kind, k -> new HashSet<>()).add(((DecodeResult.Rejected) result).code());
      }

      if (domain == SIGNUPS) {
        assertThat(kinds).containsExactly(SchemaMalformation.BROKEN_JSON, SchemaMalformation.NOT_AN_OBJECT,
            SchemaMalformation.WRONG_TYPE, SchemaMalformation.OUT_OF_RANGE, SchemaMalformation.MISSING_FIELD,
            SchemaMalformation.RULE_BROKEN);
        assertThat(codes.get(SchemaMalformation.RULE_BROKEN)).containsExactly("rule:pro_pays");
      } else {
        assertThat(kinds).contains(SchemaMalformation.UNKNOWN_FIELD, SchemaMalformation.RULE_BROKEN);
        assertThat(codes.get(SchemaMalformation.RULE_BROKEN)).containsExactlyInAnyOrder("rule:euro_zone", "rule:big_orders_count");
      }
    }
  }

  @Test
  void duplicatesRepeatTheIdOfAnEarlierEvent() {
    SchemaEventGenerator generator = new SchemaEventGenerator(SIGNUPS,
        DEFAULTS.toBuilder().duplicateRatio(0.2).lateRatio(0.1).malformedRatio(0.05).build(), BERLIN);
    EventDecoder decoder = decoder(SIGNUPS, BERLIN);
    Map<String, String> idsOfEarlierEvents = new HashMap<>();
    Set<String> ids = new HashSet<>();
    int duplicates = 0;

    for (int i = 0; i < 20_000; i++) {
      Instant now = START.plusMillis(i);
      GeneratedRecord record = generator.next(now);
      DecodeResult result = decoder.decode(record.value(), now.toEpochMilli());
      switch (record.kind()) {
        case VALID, LATE -> {
          // The id is a hash of account, time and plan: only the generator's duplicates may repeat one.
          String id = accepted(result, record).id();
          assertThat(ids.add(id)).as("id of %s is new", record.valueText()).isTrue();
          idsOfEarlierEvents.put(record.valueText(), id);
        }
        case DUPLICATE -> {
          duplicates++;
          assertThat(idsOfEarlierEvents).containsEntry(record.valueText(), accepted(result, record).id());
        }
        case MALFORMED -> assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
      }
    }
    assertThat(duplicates / 20_000.0).isCloseTo(0.2, within(0.02));
  }

  @Test
  void lateEventsLieInThePastWithinMaxLateness() {
    Duration maxLateness = Duration.ofMinutes(10);
    SchemaEventGenerator generator = new SchemaEventGenerator(ORDERS,
        DEFAULTS.toBuilder().lateRatio(1).maxLateness(maxLateness).build(), BERLIN);
    EventDecoder decoder = decoder(ORDERS, BERLIN);
    List<Duration> lateness = new ArrayList<>();

    for (int i = 0; i < 5_000; i++) {
      Instant now = START.plusMillis(i);
      GeneratedRecord record = generator.next(now);
      DecodedEvent event = accepted(decoder.decode(record.value(), now.toEpochMilli()), record);

      assertThat(record.kind()).isEqualTo(GeneratedRecord.Kind.LATE);
      Instant time = Instant.ofEpochMilli(event.eventTimeMillis());
      assertThat(time).isBefore(now).isAfterOrEqualTo(now.minus(maxLateness).minusSeconds(1));
      lateness.add(Duration.between(time, now));
    }
    assertThat(lateness.stream().min(Duration::compareTo).orElseThrow()).isLessThan(Duration.ofMinutes(1));
    assertThat(lateness.stream().max(Duration::compareTo).orElseThrow()).isGreaterThan(Duration.ofMinutes(9));
  }

  @Test
  void theSameSeedGivesTheSameRecordsAndAnotherSeedOthers() {
    GeneratorConfig config = DEFAULTS.toBuilder().seed(7).duplicateRatio(0.05).lateRatio(0.1).malformedRatio(0.05).build();

    List<GeneratedRecord> first = generate(ORDERS, config, 5_000);
    List<GeneratedRecord> second = generate(ORDERS, config, 5_000);
    List<GeneratedRecord> otherSeed = generate(ORDERS, config.toBuilder().seed(8).build(), 5_000);

    assertThat(first).isEqualTo(second);
    assertThat(first.get(0)).isNotEqualTo(otherSeed.get(0));
  }

  @Test
  void jobAdsKeepTheirOwnGeneratorAndOtherDomainsGetTheSchemaBuiltOne() {
    Domain jobAds = DomainCatalog.load(List.of(), List.of()).jobAds();

    assertThat(RecordGenerator.forDomain(jobAds, DEFAULTS, BERLIN)).isInstanceOf(EventGenerator.class);
    assertThat(RecordGenerator.forDomain(SIGNUPS, DEFAULTS, BERLIN)).isInstanceOf(SchemaEventGenerator.class);
  }

  private static List<GeneratedRecord> generate(Domain domain, GeneratorConfig config, int count) {
    SchemaEventGenerator generator = new SchemaEventGenerator(domain, config, BERLIN);
    List<GeneratedRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) records.add(generator.next(START.plusMillis(i)));
    return records;
  }

  private static DecodedEvent accepted(DecodeResult result, GeneratedRecord record) {
    assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Accepted.class);
    return ((DecodeResult.Accepted) result).event();
  }

  private static EventDecoder decoder(Domain domain, ZoneId zone) {
    EventLimits defaults = EventLimits.DEFAULT;
    return new EventDecoder(domain.schema(), new EventLimits(zone, defaults.maxFutureSkew(), defaults.maxPayloadBytes(),
        defaults.maxFieldChars()));
  }

  /** A domain definition from the test resources, read as the catalogue reads a user's file. */
  static Domain domain(String name) {
    String file = "domains/" + name + ".yaml";
    try (InputStream in = SchemaEventGeneratorTest.class.getClassLoader().getResourceAsStream(file)) {
      return DomainCatalog.parse(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
