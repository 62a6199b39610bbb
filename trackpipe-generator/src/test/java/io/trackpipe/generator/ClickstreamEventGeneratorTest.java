package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The web clickstream's generator, checked with the pipeline's own decoder built from clickstream.yaml: visits that a
 * 30-minute inactivity rule finds, visitors who come back on other days, a site walked through, and bad records at
 * their ratios.
 */
class ClickstreamEventGeneratorTest {
  private static final Domain CLICKS = DomainCatalog.load(List.of(), List.of()).domain(DomainCatalog.CLICKSTREAM).orElseThrow();
  private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  private static final Instant START = Instant.parse("2026-11-20T09:00:00.125Z");
  private static final GeneratorConfig DEFAULTS = GeneratorConfig.defaults(SampleDimensions.generate(1));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT = ClickstreamEventGenerator.SESSION_TIMEOUT.toMillis();
  private final EventDecoder decoder = new EventDecoder(CLICKS.schema(), new EventLimits(ZONE, Duration.ofMinutes(5),
      EventLimits.DEFAULT.maxPayloadBytes(), EventLimits.DEFAULT.maxFieldChars()));

  /** A view as the pipeline reads it. */
  private record View(long millis, String url) {}

  @Test
  void visitsOfRealisticLengthByVisitorsWhoComeBackOnOtherDays() throws Exception {
    RecordGenerator generator = RecordGenerator.forDomain(CLICKS, DEFAULTS, ZONE);
    assertThat(generator).isInstanceOf(ClickstreamEventGenerator.class);
    Map<String, List<View>> byVisitor = new HashMap<>();
    Set<String> ids = new HashSet<>();
    Set<String> timeForms = new HashSet<>();
    Map<String, Integer> devices = new TreeMap<>();
    Set<String> countries = new HashSet<>();
    // Three days at one view every two seconds: a small site's traffic.
    int views = 3 * 24 * 3600 / 2;
    for (int i = 0; i < views; i++) {
      Instant now = START.plusMillis(i * 2000L);
      GeneratedRecord record = generator.next(now);
      assertThat(record.kind()).isEqualTo(GeneratedRecord.Kind.VALID);
      DecodeResult result = decoder.decode(record.value(), now.toEpochMilli());
      assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Accepted.class);
      var event = ((DecodeResult.Accepted) result).event();
      assertThat(ids.add(event.id())).as("a new view, not a copy: %s", record.valueText()).isTrue();
      assertThat(event.eventTimeMillis()).as("a view is sent when it happens").isBetween(now.toEpochMilli() - 999, now.toEpochMilli());
      JsonNode json = JSON.readTree(record.value());
      assertThat(record.key()).isEqualTo(json.get("user_id").asText());
      timeForms.add(json.get("timestamp").isNumber() ? "millis" : json.get("timestamp").asText().contains("T") ? "iso" : "local");
      assertThat(json.get("url").asText()).startsWith(ClickstreamEventGenerator.SITE + "/");
      devices.merge(json.path("device").asText("(none)"), 1, Integer::sum);
      if (json.has("country")) {
        countries.add(json.get("country").asText());
        if (json.has("city")) assertCityOf(json.get("country").asText(), json.get("city").asText());
      }
      assertTechnologyFits(json);
      byVisitor.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(new View(event.eventTimeMillis(), json.get("url").asText()));
    }
    assertThat(timeForms).containsExactlyInAnyOrder("millis", "iso", "local");
    assertThat(countries).hasSizeGreaterThanOrEqualTo(10);
    assertThat(devices.keySet()).contains("desktop", "mobile", "tablet", "(none)")
        .containsAnyOf("smart-tv", "console", "wearable");
    assertThat(devices.get("mobile")).isGreaterThan(devices.get("tablet"));

    // Visits as a 30-minute inactivity rule finds them.
    List<Long> gapsWithin = new ArrayList<>();
    List<Integer> visitLengths = new ArrayList<>();
    Map<String, Integer> entries = new TreeMap<>();
    Map<String, Integer> funnel = new TreeMap<>();
    int visitorsWithSeveralVisits = 0;
    int visitorsOnSeveralDays = 0;
    for (List<View> seen : byVisitor.values()) {
      seen.sort((a, b) -> Long.compare(a.millis(), b.millis()));
      int visits = 1;
      int length = 1;
      entries.merge(section(seen.get(0).url()), 1, Integer::sum);
      Set<LocalDate> days = new HashSet<>();
      for (int i = 0; i < seen.size(); i++) {
        days.add(Instant.ofEpochMilli(seen.get(i).millis()).atZone(ZONE).toLocalDate());
        String path = seen.get(i).url().substring(ClickstreamEventGenerator.SITE.length());
        if (path.startsWith("/cart") || path.startsWith("/checkout")) funnel.merge(path, 1, Integer::sum);
        if (i == 0) continue;
        long gap = seen.get(i).millis() - seen.get(i - 1).millis();
        // Never near the timeout: within a visit up to 30 min (a second more for whole-second times), else 31 min on.
        assertThat(gap <= TIMEOUT + 1000 || gap >= ClickstreamEventGenerator.SHORTEST_RETURN.toMillis() - 1000)
            .as("gap of %d ms", gap).isTrue();
        if (gap <= TIMEOUT) {
          gapsWithin.add(gap);
          length++;
        } else {
          visitLengths.add(length);
          length = 1;
          visits++;
          entries.merge(section(seen.get(i).url()), 1, Integer::sum);
        }
      }
      visitLengths.add(length);
      if (visits > 1) visitorsWithSeveralVisits++;
      if (days.size() > 1) visitorsOnSeveralDays++;
    }
    gapsWithin.sort(Long::compare);
    long medianGap = gapsWithin.get(gapsWithin.size() / 2);
    assertThat(medianGap).as("median time on a page").isBetween(10_000L, 120_000L);
    assertThat(gapsWithin.get(0)).as("shortest time on a page").isGreaterThanOrEqualTo(1_000L);
    assertThat(gapsWithin.stream().filter(g -> g > Duration.ofMinutes(10).toMillis()).count())
        .as("pauses over 10 minutes within a visit").isLessThan(gapsWithin.size() / 50);
    double viewsPerVisit = visitLengths.stream().mapToInt(Integer::intValue).average().orElseThrow();
    double bounceRate = visitLengths.stream().filter(n -> n == 1).count() / (double) visitLengths.size();
    assertThat(viewsPerVisit).isBetween(2.0, 6.0);
    assertThat(bounceRate).isBetween(0.25, 0.6);
    assertThat(visitorsWithSeveralVisits).as("returning visitors").isGreaterThan(byVisitor.size() / 5);
    assertThat(visitorsOnSeveralDays).as("visitors seen on several days").isGreaterThan(byVisitor.size() / 20);
    assertThat(entries.keySet()).contains("home", "products", "blog", "lp", "category");
    assertThat(entries.get("home")).isGreaterThan(entries.getOrDefault("checkout", 0));
    assertThat(entries).doesNotContainKey("checkout");
    // The funnel narrows: cart → checkout → payment → confirmation.
    assertThat(funnel.get("/cart")).isGreaterThan(funnel.get("/checkout"));
    assertThat(funnel.get("/checkout")).isGreaterThan(funnel.get("/checkout/payment"));
    assertThat(funnel.get("/checkout/payment")).isGreaterThan(funnel.get("/checkout/confirmation"));
    assertThat(funnel.get("/checkout/confirmation")).isPositive();
  }

  @Test
  void duplicatesLateAndMalformedRecordsComeAtTheirRatiosAndAreJudgedAsIntended() {
    GeneratorConfig config = DEFAULTS.toBuilder().seed(7).duplicateRatio(0.05).lateRatio(0.05).malformedRatio(0.02)
        .maxLateness(Duration.ofHours(3)).build();
    ClickstreamEventGenerator generator = new ClickstreamEventGenerator(CLICKS, config, ZONE);
    Map<GeneratedRecord.Kind, Integer> kinds = new TreeMap<>();
    Map<String, Integer> reasons = new TreeMap<>();
    List<byte[]> earlier = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      Instant now = START.plusMillis(i * 150L);
      GeneratedRecord record = generator.next(now);
      kinds.merge(record.kind(), 1, Integer::sum);
      DecodeResult result = decoder.decode(record.value(), now.toEpochMilli());
      switch (record.kind()) {
        case VALID -> {
          assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Accepted.class);
          earlier.add(record.value());
        }
        case LATE -> {
          assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Accepted.class);
          long late = now.toEpochMilli() - ((DecodeResult.Accepted) result).event().eventTimeMillis();
          assertThat(late).isBetween(0L, Duration.ofHours(3).toMillis());
          earlier.add(record.value());
        }
        case DUPLICATE -> assertThat(earlier).anyMatch(e -> Arrays.equals(e, record.value()));
        case MALFORMED -> {
          assertThat(result).as(record.valueText()).isInstanceOf(DecodeResult.Rejected.class);
          reasons.merge(((DecodeResult.Rejected) result).reason().name(), 1, Integer::sum);
        }
      }
    }
    assertThat(kinds.get(GeneratedRecord.Kind.DUPLICATE)).isBetween(800, 1200);
    assertThat(kinds.get(GeneratedRecord.Kind.LATE)).isBetween(800, 1200);
    assertThat(kinds.get(GeneratedRecord.Kind.MALFORMED)).isBetween(300, 500);
    assertThat(reasons).containsKeys("MALFORMED_JSON", "WRONG_TYPE", "MISSING_FIELD", "UNKNOWN_FIELD");
  }

  @Test
  void theSameSeedGivesTheSameRecords() {
    GeneratorConfig config = DEFAULTS.toBuilder().duplicateRatio(0.1).malformedRatio(0.1).lateRatio(0.1).build();
    ClickstreamEventGenerator a = new ClickstreamEventGenerator(CLICKS, config, ZONE);
    ClickstreamEventGenerator b = new ClickstreamEventGenerator(CLICKS, config, ZONE);
    ClickstreamEventGenerator other = new ClickstreamEventGenerator(CLICKS, config.toBuilder().seed(43).build(), ZONE);
    List<GeneratedRecord> first = new ArrayList<>();
    List<GeneratedRecord> second = new ArrayList<>();
    List<GeneratedRecord> third = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      Instant now = START.plusMillis(i * 300L);
      first.add(a.next(now));
      second.add(b.next(now));
      third.add(other.next(now));
    }
    assertThat(first).isEqualTo(second).isNotEqualTo(third);
  }

  @Test
  void aRunWithoutPacingKeepsABoundedNumberOfVisitsOpen() {
    ClickstreamEventGenerator generator = new ClickstreamEventGenerator(CLICKS, DEFAULTS, ZONE);
    Set<String> ids = new HashSet<>();
    // Everything at one instant: every call starts a visit until the open ones reach their bound, then they go on.
    for (int i = 0; i < ClickstreamEventGenerator.OPEN_VISITS + 20_000; i++) {
      GeneratedRecord record = generator.next(START);
      DecodeResult result = decoder.decode(record.value(), START.toEpochMilli());
      assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
      ids.add(((DecodeResult.Accepted) result).event().id());
    }
    assertThat(ids).as("views stay distinct events").hasSizeGreaterThan(ClickstreamEventGenerator.OPEN_VISITS + 19_000);
  }

  private static String section(String url) {
    String path = url.substring(ClickstreamEventGenerator.SITE.length());
    if (path.equals("/")) return "home";
    String first = path.substring(1).split("[/?]")[0];
    return first;
  }

  private static void assertCityOf(String country, String city) {
    assertThat(ClickstreamEventGenerator.COUNTRIES).as("%s in %s", city, country)
        .anyMatch(c -> c.name().equals(country) && c.cities().contains(city));
  }

  /** Safari runs on Apple systems only; Samsung Internet not on Apple systems; Edge not on phones' systems here. */
  private static void assertTechnologyFits(JsonNode json) {
    String os = json.path("os").asText("");
    String browser = json.path("browser").asText("");
    if (browser.equals("Safari")) assertThat(os).isIn("macOS", "iOS", "iPadOS", "watchOS");
    if (browser.equals("Edge")) assertThat(os).isEqualTo("Windows");
    if (os.equals("iOS")) assertThat(json.path("device").asText()).isEqualTo("mobile");
  }
}
