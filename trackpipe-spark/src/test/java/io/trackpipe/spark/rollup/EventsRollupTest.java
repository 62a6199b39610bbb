package io.trackpipe.spark.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.domain.DerivedColumn;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.spark.enrich.DimensionLookups;
import io.trackpipe.spark.ingest.EventColumns;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.warehouse.dimension.LookupTable;
import io.trackpipe.warehouse.fact.FactBatch;
import io.trackpipe.warehouse.dimension.LookupTable.ValueKind;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built-in {@code events} rollup (the spine's hourly facts per job ad) on hand-written events, through the path
 * the stream and the batch job take ({@link Rollups#apply}): the seed systems' rules, the zone's hours, lateness.
 */
class EventsRollupTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static SparkSession spark;
  private static RollupCatalog eventsOnly;
  private static DimensionLookups jobs;
  private static Domain jobAds;
  private int nextId;

  @BeforeAll
  static void startSpark() {
    spark = SparkSessions.local("events-rollup-test");
    jobAds = DomainCatalog.load(List.of(), List.of()).jobAds();
    RollupCatalog builtIn = jobAds.rollups();
    eventsOnly = new RollupCatalog(builtIn.lookups(), List.of(builtIn.rollup("events").orElseThrow()));
    jobs = DimensionLookups.of(List.of(LookupTable.of(builtIn.lookup("job").orElseThrow(),
        List.of(ValueKind.INTEGER, ValueKind.TEXT), Map.of(1L, new Object[] {77L, "Tech"}, 5L, new Object[] {55L, "Retail"}))));
  }

  private Row event(String ts, Long job, Long publisher, Long campaign, Long group, String track, Double bid) {
    Timestamp time = Timestamp.from(Instant.parse(ts));
    BigDecimal money = bid == null ? null : BigDecimal.valueOf(Math.round(bid * 1_000_000), 6);
    String id = "id-" + nextId++;
    return RowFactory.create(id, time, time, id, time, job, publisher, campaign, group, money, track);
  }

  /** The rows the stream would write to {@code events}, by key. */
  private Map<String, Fact> factsByKey(List<Row> events, ZoneId zone) throws Exception {
    return factsByKey(events, zone, jobAds.schema());
  }

  /** @param schema job ads' schema, or one with another derived {@code event_kind} */
  private Map<String, Fact> factsByKey(List<Row> events, ZoneId zone, EventSchema schema) throws Exception {
    Dataset<Row> decoded = spark.createDataFrame(events, EventColumns.eventSchema(schema, false));
    Domain domain = new Domain(jobAds.name(), jobAds.title(), jobAds.description(), jobAds.origin(), jobAds.topics(),
        jobAds.sink(), jobAds.rawTable(), schema, eventsOnly, null);
    FactBatch batch = Rollups.compile(spark, domain, jobs, zone).apply(decoded, "test").get(0);
    assertThat(batch.table().name()).isEqualTo("events");
    Map<String, Fact> byKey = new TreeMap<>();
    for (Object[] values : batch.rows()) {
      Fact f = new Fact(new HashMap<>());
      for (int c = 0; c < values.length; c++) f.values().put(batch.table().columns().get(c).name(), values[c]);
      String key = f.get("job_id") + "|" + f.get("dates") + "|" + f.get("hours") + "|" + f.get("publisher_id") + "|"
          + f.get("campaign_id") + "|" + f.get("group_id");
      assertThat(byKey.put(key, f)).as("one row per key").isNull();
    }
    return byKey;
  }

  /** One row of {@code events}, by column name. */
  private record Fact(Map<String, Object> values) {
    Object get(String column) {
      assertThat(values).containsKey(column);
      return values.get(column);
    }

    long count(String column) {
      return (Long) get(column);
    }

    BigDecimal decimal(String column) {
      return (BigDecimal) get(column);
    }
  }

  @Test
  void countsEachCustomTrackAndAveragesClickBids() throws Exception {
    List<Row> events = List.of(
        event("2024-05-01T10:15:00Z", 1L, 2L, 3L, 4L, "click", 0.5),
        event("2024-05-01T10:20:00Z", 1L, 2L, 3L, 4L, "click", 1.0),
        event("2024-05-01T10:25:00Z", 1L, 2L, 3L, 4L, "conversion", 2.0),
        event("2024-05-01T10:30:00Z", 1L, 2L, 3L, 4L, "qualified", 0.3),
        event("2024-05-01T10:35:00Z", 1L, 2L, 3L, 4L, "unqualified", 0.3),
        event("2024-05-01T10:40:00Z", 1L, 2L, 3L, 4L, null, 0.3),
        event("2024-05-01T10:45:00Z", 1L, 2L, 3L, 4L, "view", 0.3),
        event("2024-05-01T10:59:59Z", 1L, 2L, 3L, 4L, "click", 0.25));

    Map<String, Fact> facts = factsByKey(events, UTC);

    assertThat(facts).containsOnlyKeys("1|2024-05-01|10|2|3|4");
    Fact row = facts.get("1|2024-05-01|10|2|3|4");
    assertThat(row.count("clicks")).as("clicks").isEqualTo(3);
    assertThat(row.count("conversion")).as("conversion").isEqualTo(1);
    assertThat(row.count("qualified_application")).as("qualified_application").isEqualTo(1);
    assertThat(row.count("disqualified_application")).as("disqualified_application").isEqualTo(1);
    assertThat(row.decimal("spend_hour")).as("spend_hour: bids of clicks only").isEqualByComparingTo("1.75");
    assertThat(row.decimal("bid_set")).as("bid_set: average click bid").isEqualByComparingTo("0.583333");
    assertThat(row.get("company_id")).as("company_id from job").isEqualTo(77L);
  }

  @Test
  void appliesTheSeedNullRules() throws Exception {
    List<Row> events = List.of(
        event("2024-05-01T10:15:00Z", null, 2L, 3L, 4L, "click", 1.0),
        event("2024-05-01T10:15:00Z", 1L, null, null, null, "click", null),
        event("2024-05-01T10:16:00Z", 1L, null, null, null, "click", 2.0),
        event("2024-05-01T10:17:00Z", 9L, 2L, 3L, 4L, "conversion", null));

    Map<String, Fact> facts = factsByKey(events, UTC);

    assertThat(facts).as("null job_id is not counted").containsOnlyKeys("1|2024-05-01|10|0|0|0", "9|2024-05-01|10|2|3|4");
    Fact nulls = facts.get("1|2024-05-01|10|0|0|0");
    assertThat(nulls.count("clicks")).isEqualTo(2);
    assertThat(nulls.decimal("spend_hour")).as("null bid counts as 0").isEqualByComparingTo("2");
    assertThat(nulls.decimal("bid_set")).isEqualByComparingTo("1");
    Fact unknownJob = facts.get("9|2024-05-01|10|2|3|4");
    assertThat(unknownJob.get("bid_set")).as("no clicks: no average bid").isNull();
    assertThat(unknownJob.decimal("spend_hour")).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(unknownJob.get("company_id")).as("job not in the dimension: company unknown").isNull();
  }

  @Test
  void bucketsByHourInTheConfiguredZone() throws Exception {
    List<Row> events = List.of(
        event("2024-05-01T23:30:00Z", 1L, 2L, 3L, 4L, "click", 1.0),
        event("2024-05-01T00:00:00Z", 1L, 2L, 3L, 4L, "click", 1.0),
        event("2024-04-30T23:59:59.999Z", 1L, 2L, 3L, 4L, "click", 1.0));

    assertThat(factsByKey(events, UTC)).containsOnlyKeys(
        "1|2024-05-01|23|2|3|4", "1|2024-05-01|0|2|3|4", "1|2024-04-30|23|2|3|4");
    assertThat(factsByKey(events, ZoneId.of("Asia/Ho_Chi_Minh"))).containsOnlyKeys(
        "1|2024-05-02|6|2|3|4", "1|2024-05-01|7|2|3|4", "1|2024-05-01|6|2|3|4");
    assertThat(factsByKey(events, ZoneId.of("Asia/Kolkata"))).as("a half-hour offset moves the hour boundary")
        .containsOnlyKeys("1|2024-05-02|5|2|3|4", "1|2024-05-01|5|2|3|4");
    assertThat(factsByKey(events, ZoneId.of("Asia/Kolkata")).get("1|2024-05-01|5|2|3|4").count("clicks")).isEqualTo(2);
  }

  @Test
  void countsAnEventThatArrivesWithinTheAllowedLatenessAfterItsHour() {
    Duration lateness = Duration.ofHours(2);
    String eventTime = "2024-05-01T10:15:00Z";
    assertThat(inTime(eventTime, "2024-05-01T10:15:01Z", UTC, lateness)).isTrue();
    assertThat(inTime(eventTime, "2024-05-01T12:59:59Z", UTC, lateness)).isTrue();
    assertThat(inTime(eventTime, "2024-05-01T13:00:00Z", UTC, lateness)).as("hour end + lateness, inclusive").isTrue();
    assertThat(inTime(eventTime, "2024-05-01T13:00:01Z", UTC, lateness)).isFalse();
    // 10:15 UTC is 15:45 in Kolkata, whose hour 15:00–16:00 ends at 10:30 UTC.
    assertThat(inTime(eventTime, "2024-05-01T12:30:00Z", ZoneId.of("Asia/Kolkata"), lateness)).isTrue();
    assertThat(inTime(eventTime, "2024-05-01T12:30:01Z", ZoneId.of("Asia/Kolkata"), lateness)).isFalse();
    assertThat(inTime(eventTime, "2024-05-01T11:00:01Z", UTC, Duration.ZERO)).isFalse();
  }

  private boolean inTime(String eventTime, String receivedAt, ZoneId zone, Duration lateness) {
    Timestamp time = Timestamp.from(Instant.parse(eventTime));
    Row row = RowFactory.create("x", time, Timestamp.from(Instant.parse(receivedAt)), "x", time,
        1L, 1L, 1L, 1L, BigDecimal.valueOf(1, 6), "click");
    List<Row> rows = new ArrayList<>(List.of(row));
    return spark.createDataFrame(rows, EventColumns.eventSchema(jobAds.schema(), false))
        .select(Lateness.arrivedInTime(zone, lateness)).first().getBoolean(0);
  }

  @Test
  void producesOneRowPerKeyAcrossHoursJobsAndPublishers() throws Exception {
    List<Row> events = new ArrayList<>();
    long expectedClicks = 0;
    for (int i = 0; i < 200; i++) {
      events.add(event("2024-05-01T1" + (i % 3) + ":0" + (i % 6) + ":00Z", 1L + i % 2 * 4, (long) i % 5, 3L, 4L, "click", 0.01));
      expectedClicks++;
    }
    Map<String, Fact> facts = factsByKey(events, UTC);
    assertThat(facts).hasSize(3 * 2 * 5);
    assertThat(facts.values().stream().mapToLong(r -> r.count("clicks")).sum()).isEqualTo(expectedClicks);
    assertThat(facts.keySet()).allMatch(k -> k.startsWith("1|") || k.startsWith("5|"));
    assertThat(facts.get("5|" + LocalDate.of(2024, 5, 1) + "|11|1|3|4").get("company_id")).isEqualTo(55L);
  }

  @Test
  void countsViewsAsImpressions() throws Exception {
    List<Row> events = List.of(
        event("2024-05-01T10:15:00Z", 1L, 2L, 3L, 4L, null, null),
        event("2024-05-01T10:16:00Z", 1L, 2L, 3L, 4L, "", null),
        event("2024-05-01T10:17:00Z", 1L, 2L, 3L, 4L, "impression", null),
        event("2024-05-01T10:18:00Z", 1L, 2L, 3L, 4L, "apply_start", null),
        event("2024-05-01T10:19:00Z", 1L, 2L, 3L, 4L, "click", 1.0));
    Fact row = factsByKey(events, UTC).get("1|2024-05-01|10|2|3|4");
    assertThat(row.count("impressions")).as("null, empty and 'impression' by default").isEqualTo(3);
    assertThat(row.count("clicks")).isEqualTo(1);

    // A domain of one's own may classify otherwise: here only labelled views are impressions.
    EventSchema s = jobAds.schema();
    EventSchema labelledOnly = new EventSchema(s.fields(), s.id(), s.time(), s.partitionKey(), s.unknownFields(),
        List.of(new DerivedColumn("event_kind", "CASE WHEN custom_track IN ('click', 'conversion', 'qualified',"
            + " 'unqualified') THEN custom_track WHEN custom_track IN ('impression', 'apply_start') THEN 'impression'"
            + " ELSE 'other' END", null)), s.rules());
    Fact strict = factsByKey(events, UTC, labelledOnly).get("1|2024-05-01|10|2|3|4");
    assertThat(strict.count("impressions")).as("only the configured values").isEqualTo(2);
  }
}
