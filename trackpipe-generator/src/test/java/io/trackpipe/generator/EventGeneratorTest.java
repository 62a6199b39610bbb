package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventGeneratorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The job-ads domain as the pipeline reads it: what the generator writes must fit its definition. */
  private static final EventSchema JOB_ADS = DomainCatalog.load(List.of(), List.of()).jobAds().schema();
  private static final EventDecoder DECODER = new EventDecoder(JOB_ADS, EventLimits.DEFAULT);
  private static final Dimensions DIMENSIONS = SampleDimensions.generate(1);
  private static final Map<Long, Job> JOBS_BY_ID =
      DIMENSIONS.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
  private static final Instant START = Instant.parse("2024-05-01T10:15:30.123456789Z");
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final List<String> FIELD_NAMES = JOB_ADS.fieldNames();
  private static final long UUID_EPOCH_TO_UNIX_100NS = 0x01B21DD213814000L;

  @Test
  void sameSeedConfigAndClockGiveIdenticalBytes() {
    GeneratorConfig config = everyKindOfRecord().seed(123).build();

    List<GeneratedRecord> first = generate(config, 20_000);
    List<GeneratedRecord> second = generate(config, 20_000);
    List<GeneratedRecord> otherSeed = generate(config.toBuilder().seed(124).build(), 20_000);

    assertThat(first).isEqualTo(second);
    assertThat(first.get(0)).isNotEqualTo(otherSeed.get(0));
  }

  @Test
  void customTrackFollowsTheDefaultMix() {
    Map<String, Long> tracks = countCustomTracks(generate(GeneratorConfig.defaults(DIMENSIONS), 100_000));

    assertThat(share(tracks, "null")).as("impressions: page views without custom_track").isCloseTo(0.863, within(0.01));
    assertThat(share(tracks, TrackMix.CLICK)).isCloseTo(0.70 / 7.3, within(0.005));
    assertThat(share(tracks, TrackMix.CONVERSION)).isCloseTo(0.10 / 7.3, within(0.003));
    assertThat(share(tracks, TrackMix.QUALIFIED)).isCloseTo(0.10 / 7.3, within(0.003));
    assertThat(share(tracks, TrackMix.UNQUALIFIED)).isCloseTo(0.10 / 7.3, within(0.003));
    assertThat(tracks.keySet()).containsExactlyInAnyOrder("null", "click", "conversion", "qualified", "unqualified");
  }

  @Test
  void otherWeightGivesUncountedCustomTracks() {
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).trackMix(new TrackMix(4, 1, 1, 1, 3)).build();

    Map<String, Long> tracks = countCustomTracks(generate(config, 100_000));
    long other = tracks.entrySet().stream().filter(e -> !TrackMix.countedValues().contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();

    assertThat(share(tracks, TrackMix.CLICK)).isCloseTo(0.40, within(0.01));
    assertThat(share(tracks, TrackMix.CONVERSION)).isCloseTo(0.10, within(0.01));
    assertThat(other / 100_000.0).isCloseTo(0.30, within(0.01));
    assertThat(tracks).containsKeys("apply_start", "save_job").doesNotContainKey("null");
  }

  @Test
  void kindsFollowTheirRatios() {
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS)
        .duplicateRatio(0.05).lateRatio(0.10).malformedRatio(0.02).build();

    Map<GeneratedRecord.Kind, Long> kinds = generate(config, 100_000).stream()
        .collect(Collectors.groupingBy(GeneratedRecord::kind, () -> new EnumMap<>(GeneratedRecord.Kind.class),
            Collectors.counting()));

    assertThat(kinds.get(GeneratedRecord.Kind.DUPLICATE) / 100_000.0).isCloseTo(0.05, within(0.005));
    assertThat(kinds.get(GeneratedRecord.Kind.LATE) / 100_000.0).isCloseTo(0.10, within(0.005));
    assertThat(kinds.get(GeneratedRecord.Kind.MALFORMED) / 100_000.0).isCloseTo(0.02, within(0.005));
    assertThat(kinds.get(GeneratedRecord.Kind.VALID) / 100_000.0).isCloseTo(0.83, within(0.005));
  }

  @Test
  void duplicatesAreByteIdenticalCopiesOfEarlierEvents() {
    List<GeneratedRecord> records = generate(everyKindOfRecord().duplicateRatio(0.2).build(), 50_000);

    Map<String, String> keysOfEarlierEvents = new HashMap<>();
    int duplicates = 0;
    for (GeneratedRecord record : records) {
      switch (record.kind()) {
        case VALID, LATE -> keysOfEarlierEvents.put(record.valueText(), record.key());
        case DUPLICATE -> {
          duplicates++;
          assertThat(keysOfEarlierEvents).containsEntry(record.valueText(), record.key());
        }
        case MALFORMED -> { }
      }
    }
    assertThat(duplicates).isGreaterThan(9_000);
  }

  @Test
  void lateEventsLieInThePastWithinMaxLateness() {
    Duration maxLateness = Duration.ofMinutes(10);
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).lateRatio(1).maxLateness(maxLateness).build();
    EventGenerator generator = new EventGenerator(config);

    List<Duration> lateness = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      Instant now = START.plusMillis(i);
      GeneratedRecord record = generator.next(now);
      JsonNode event = parse(record);
      Instant ts = parseTs(event);
      Instant idTime = timeOf(UUID.fromString(event.get("create_time").asText()));

      assertThat(record.kind()).isEqualTo(GeneratedRecord.Kind.LATE);
      assertThat(ts).isBefore(now.truncatedTo(ChronoUnit.SECONDS))
          .isAfterOrEqualTo(now.minus(maxLateness).truncatedTo(ChronoUnit.SECONDS));
      assertThat(idTime.truncatedTo(ChronoUnit.SECONDS)).isEqualTo(ts);
      assertThat(DECODER.decode(record.value(), now.toEpochMilli())).isInstanceOf(DecodeResult.Accepted.class);
      lateness.add(Duration.between(idTime, now));
    }
    // Spread over the whole range, not clustered.
    assertThat(lateness.stream().min(Duration::compareTo).orElseThrow()).isLessThan(Duration.ofMinutes(1));
    assertThat(lateness.stream().max(Duration::compareTo).orElseThrow()).isGreaterThan(Duration.ofMinutes(9));
  }

  @Test
  void malformedRecordsCycleThroughEveryMalformationAndAreRejectedByTheDecoder() {
    Malformation[] malformations = Malformation.values();
    EventGenerator generator = new EventGenerator(GeneratorConfig.builder(DIMENSIONS).malformedRatio(1).build());

    for (int i = 0; i < 3 * malformations.length; i++) {
      GeneratedRecord record = generator.next(START);
      Malformation malformation = malformations[i % malformations.length];
      String text = record.valueText();

      assertThat(record.kind()).isEqualTo(GeneratedRecord.Kind.MALFORMED);
      assertThat(record.key()).as("key of %s", malformation).matches("[0-9]+");
      assertThat(text).doesNotContain("\n");
      assertThat(DECODER.decode(record.value(), START.toEpochMilli()))
          .as("decoding %s: %s", malformation, text)
          .isInstanceOf(DecodeResult.Rejected.class);
      switch (malformation) {
        case TRUNCATED_JSON -> {
          assertThat(text).startsWith("{\"create_time\":\"");
          assertThatThrownBy(() -> JSON.readTree(text)).isInstanceOf(JsonProcessingException.class);
        }
        case NOT_AN_OBJECT -> assertThat(parse(record).isObject()).as(text).isFalse();
        case JOB_ID_NOT_A_NUMBER -> assertThat(parse(record).get("job_id").asText()).isEqualTo("abc");
        case BID_NOT_A_NUMBER -> assertThat(parse(record).get("bid").asText()).isEqualTo("cheap");
        case MISSING_TS -> assertThat(fieldNames(parse(record))).doesNotContain("ts").hasSize(FIELD_NAMES.size() - 1);
        case MISSING_CREATE_TIME ->
            assertThat(fieldNames(parse(record))).doesNotContain("create_time").hasSize(FIELD_NAMES.size() - 1);
        case UNKNOWN_FIELD -> assertThat(fieldNames(parse(record))).containsAll(FIELD_NAMES).contains("jobId")
            .hasSize(FIELD_NAMES.size() + 1);
        case ABSURD_BID -> assertThat(parse(record).get("bid").asDouble()).isEqualTo(1e12);
        case NEGATIVE_BID -> assertThat(parse(record).get("bid").asDouble()).isNegative();
        case TS_IN_1970 -> assertThat(parse(record).get("ts").asText()).startsWith("1970-");
        case TS_FAR_IN_FUTURE -> assertThat(parse(record).get("ts").asText()).startsWith("2099-");
        case SQL_IN_JOB_ID -> assertThat(parse(record).get("job_id").asText()).contains("DROP TABLE");
      }
    }
  }

  @Test
  void notAnObjectTakesSeveralShapes() {
    EventGenerator generator = new EventGenerator(GeneratorConfig.builder(DIMENSIONS).malformedRatio(1).build());
    Set<String> shapes = new HashSet<>();
    for (int i = 0; i < 4 * Malformation.values().length; i++) {
      GeneratedRecord record = generator.next(START);
      if (i % Malformation.values().length == Malformation.NOT_AN_OBJECT.ordinal()) {
        shapes.add(parse(record).getNodeType().name());
      }
    }
    assertThat(shapes).containsExactlyInAnyOrder("ARRAY", "STRING", "NUMBER", "NULL");
  }

  @Test
  void validEventsHaveExactlyTheTrackingFieldsAndConsistentValues() {
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).nullFieldRatio(0.05).build();
    EventGenerator generator = new EventGenerator(config);

    for (int i = 0; i < 10_000; i++) {
      Instant now = START.plusMillis(i * 7L);
      GeneratedRecord record = generator.next(now);
      JsonNode event = parse(record);

      assertThat(record.kind()).isEqualTo(GeneratedRecord.Kind.VALID);
      assertThat(fieldNames(event)).containsExactlyElementsOf(FIELD_NAMES);
      assertThat(DECODER.decode(record.value(), now.toEpochMilli()))
          .as(record.valueText()).isInstanceOf(DecodeResult.Accepted.class);
      assertThat(event.get("ts").asText()).isEqualTo(TS.format(LocalDateTime.ofInstant(now, ZoneOffset.UTC)));
      JsonNode jobId = event.get("job_id");
      if (jobId.isNull()) {
        assertThat(record.key()).isEqualTo(event.get("create_time").asText());
      } else {
        assertThat(record.key()).isEqualTo(jobId.asText());
        Job job = JOBS_BY_ID.get(jobId.asLong());
        assertThat(job).isNotNull();
        assertThat(event.get("dt").asText()).isEqualTo(job.title());
        assertNullOr(event.get("campaign_id"), job.campaignId());
        assertNullOr(event.get("group_id"), job.groupId());
      }
      JsonNode bid = event.get("bid");
      if (!bid.isNull()) {
        assertThat(bid.decimalValue().scale()).isLessThanOrEqualTo(2);
        assertThat(bid.asDouble()).isBetween(0.10, 3.00);
      }
      JsonNode publisherId = event.get("publisher_id");
      if (!publisherId.isNull()) {
        assertThat(publisherId.asLong()).isBetween(1L, (long) DIMENSIONS.publishers().size());
      }
    }
  }

  @Test
  void idsAndBidAreNullOccasionallyByDefault() {
    List<String> fields = List.of("job_id", "publisher_id", "campaign_id", "group_id", "bid");
    Map<String, Long> nulls = new HashMap<>();
    for (GeneratedRecord record : generate(GeneratorConfig.defaults(DIMENSIONS), 100_000)) {
      JsonNode event = parse(record);
      fields.stream().filter(field -> event.get(field).isNull()).forEach(field -> nulls.merge(field, 1L, Long::sum));
    }

    for (String field : fields) {
      assertThat(nulls.getOrDefault(field, 0L) / 100_000.0).as(field)
          .isCloseTo(GeneratorConfig.DEFAULT_NULL_FIELD_RATIO, within(0.003));
    }
  }

  @Test
  void createTimeIsAUniqueVersionOneUuidCarryingTheEventTime() {
    EventGenerator generator = new EventGenerator(GeneratorConfig.defaults(DIMENSIONS));
    Instant expectedTime = Instant.ofEpochSecond(START.getEpochSecond(), START.getNano() / 100 * 100);
    Set<UUID> ids = new HashSet<>();
    List<String> problems = new ArrayList<>();

    // One clock reading for all: uniqueness must not depend on the clock moving.
    for (int i = 0; i < 200_000; i++) {
      UUID id = createTimeOf(generator.next(START));
      if (!ids.add(id)) problems.add("repeated " + id);
      if (id.version() != 1 || id.variant() != 2) problems.add("not an RFC 4122 version 1 UUID: " + id);
      if (!timeOf(id).equals(expectedTime)) problems.add(id + " carries " + timeOf(id));
    }
    UUID otherSeed = createTimeOf(new EventGenerator(GeneratorConfig.builder(DIMENSIONS).seed(43).build()).next(START));

    assertThat(problems).isEmpty();
    assertThat(ids).hasSize(200_000).doesNotContain(otherSeed);
  }

  @Test
  void jsonEscapesTitlesWithQuotesAndWritesUtf8() {
    Dimensions oneJob = new Dimensions(List.of(new io.trackpipe.dimension.Company(1, "Café \"Zur Post\"")),
        List.of(new Job(1, 1, 1, 1, "Barista \"Café\" \\ Nachtschicht\t\u2028", "Hospitality")),
        DIMENSIONS.publishers());
    GeneratedRecord record = new EventGenerator(GeneratorConfig.defaults(oneJob)).next(START);

    assertThat(parse(record).get("dt").asText()).isEqualTo("Barista \"Café\" \\ Nachtschicht\t\u2028");
  }

  private static GeneratorConfig.Builder everyKindOfRecord() {
    return GeneratorConfig.builder(DIMENSIONS).duplicateRatio(0.05).lateRatio(0.1).malformedRatio(0.05)
        .nullFieldRatio(0.02).trackMix(new TrackMix(6, 1, 1, 1, 1));
  }

  /** One record per millisecond from {@link #START}. */
  static List<GeneratedRecord> generate(GeneratorConfig config, int count) {
    EventGenerator generator = new EventGenerator(config);
    List<GeneratedRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      records.add(generator.next(START.plusMillis(i)));
    }
    return records;
  }

  private static Map<String, Long> countCustomTracks(List<GeneratedRecord> records) {
    return records.stream().collect(Collectors.groupingBy(r -> {
      JsonNode track = parse(r).get("custom_track");
      return track.isNull() ? "null" : track.asText();
    }, Collectors.counting()));
  }

  private static double share(Map<String, Long> counts, String value) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    return counts.getOrDefault(value, 0L) / (double) total;
  }

  private static void assertNullOr(JsonNode node, long expected) {
    if (!node.isNull()) {
      assertThat(node.asLong()).isEqualTo(expected);
    }
  }

  static JsonNode parse(GeneratedRecord record) {
    try {
      return JSON.readTree(record.value());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + record.valueText(), e);
    }
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  /** Cheaper than parsing: create_time is the first field. */
  private static UUID createTimeOf(GeneratedRecord record) {
    String prefix = "{\"create_time\":\"";
    String text = record.valueText();
    assertThat(text).startsWith(prefix);
    return UUID.fromString(text.substring(prefix.length(), prefix.length() + 36));
  }

  private static Instant parseTs(JsonNode event) {
    return LocalDateTime.parse(event.get("ts").asText(), TS).toInstant(ZoneOffset.UTC);
  }

  private static Instant timeOf(UUID id) {
    long unix100ns = id.timestamp() - UUID_EPOCH_TO_UNIX_100NS;
    return Instant.ofEpochSecond(Math.floorDiv(unix100ns, 10_000_000L), Math.floorMod(unix100ns, 10_000_000L) * 100);
  }
}
