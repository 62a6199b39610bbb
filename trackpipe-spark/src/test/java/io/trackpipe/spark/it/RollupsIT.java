package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import io.trackpipe.dimension.Company;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.dimension.Publisher;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.RollupConfig;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.spark.stream.TrackingStreamJob;
import io.trackpipe.warehouse.summary.DashboardTables;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import io.trackpipe.spark.stream.StreamQueries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The declared rollups on the real pipeline: the job-ads KPI tables against hand-computed numbers, a rollup added by
 * configuration, and definitions the job refuses at start-up.
 */
class RollupsIT {
  /** How a problem of the job-ads domain's definitions starts: its file and name. */
  private static final String JOB_ADS = "domains/job-ads.yaml (domain 'job-ads'), ";

  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final LocalDateTime DAY_1 = LocalDateTime.of(2024, 5, 1, 10, 0);
  private static final LocalDateTime DAY_2 = LocalDateTime.of(2024, 5, 2, 15, 0);

  @TempDir Path work;
  private int nextId;

  private static final Dimensions DIMENSIONS = new Dimensions(
      List.of(new Company(10, "Tech Co"), new Company(20, "Shop Co")),
      List.of(new Job(1, 10, 4, 3, "Java developer", "Tech"), new Job(2, 20, 4, 5, "Cashier", "Retail"),
          new Job(3, 10, 4, 3, "Go developer", "Tech")),
      List.of(new Publisher(7, "Board")));

  @Test
  void computesEveryKpiAsARatioOfSumsAndKeepsItConsistentAcrossBatches() throws Exception {
    StreamFixture f = StreamFixture.create("kpi", work);
    f.loadDimensions(DIMENSIONS);
    TrackingStreamJob job = f.job(f.streamConfig());
    StreamQueries query = job.start(StreamFixture.spark());
    try {
      // Campaign 3, day 1: 1 impression, 1 click of 0.50. Campaign 5 (job 2), day 1: a conversion only.
      List<StreamFixture.Send> first = new ArrayList<>();
      first.add(event(1, 3, DAY_1.plusMinutes(1), null, null));
      first.add(event(1, 3, DAY_1.plusMinutes(2), "click", "0.50"));
      first.add(event(2, 5, DAY_1.plusMinutes(3), "conversion", null));
      // Campaign 3, day 2, first half: 49 impressions and a click of 1.50.
      for (int i = 0; i < 49; i++) first.add(event(1, 3, DAY_2.plusMinutes(i % 50), i % 2 == 0 ? null : "impression", null));
      first.add(event(1, 3, DAY_2.plusMinutes(5), "click", "1.50"));
      f.produce(first);
      query.processAllAvailable();
      // Second half, so that the stored ratios are recomputed by the upsert: 50 more impressions, a conversion,
      // one qualified and two unqualified applications, and an uncounted apply_start.
      List<StreamFixture.Send> second = new ArrayList<>();
      for (int i = 0; i < 50; i++) second.add(event(1, 3, DAY_2.plusMinutes(i), null, null));
      second.add(event(1, 3, DAY_2.plusMinutes(20), "conversion", null));
      second.add(event(1, 3, DAY_2.plusMinutes(21), "qualified", null));
      second.add(event(1, 3, DAY_2.plusMinutes(22), "unqualified", null));
      second.add(event(1, 3, DAY_2.plusMinutes(23), "unqualified", null));
      second.add(event(1, 3, DAY_2.plusMinutes(24), "apply_start", null));
      f.produce(second);
      query.processAllAvailable();
    } finally {
      query.stop();
    }

    List<Map<String, Object>> campaigns = f.rows("campaign_daily", "campaign_id, dates");
    assertThat(campaigns).hasSize(3);
    Map<String, Object> day1 = find(campaigns, r -> num(r, "campaign_id").intValue() == 3 && r.get("dates").toString().equals("2024-05-01"));
    assertKpis(day1, 1, 1, 0, 0, 0, "0.50", "1", "0.5", null, "0", null);
    Map<String, Object> day2 = find(campaigns, r -> num(r, "campaign_id").intValue() == 3 && r.get("dates").toString().equals("2024-05-02"));
    assertKpis(day2, 99, 1, 1, 1, 2, "1.50", "0.010101", "1.5", "1.5", "1", "0.333333");
    Map<String, Object> onlyConversion = find(campaigns, r -> num(r, "campaign_id").intValue() == 5);
    assertKpis(onlyConversion, 0, 0, 1, 0, 0, "0", null, null, "0", null, null);

    // The trap of one seed system: the average of the two days' CTRs is (1 + 1/99) / 2 = 50.5 %; the CTR is 2 / 100.
    Map<String, Object> total = find(f.rows("campaign_totals", "campaign_id"), r -> num(r, "campaign_id").intValue() == 3);
    assertThat(num(total, "impressions")).isEqualByComparingTo("100");
    assertThat(num(total, "clicks")).isEqualByComparingTo("2");
    assertThat(num(total, "ctr")).as("ratio of sums, not average of ratios").isEqualByComparingTo("0.02");
    assertThat(num(total, "cpc")).isEqualByComparingTo("1.0");
    assertThat(num(total, "cpa")).isEqualByComparingTo("2.0");

    assertThat(f.rows("industry_daily", "industry, dates")).extracting(r -> r.get("industry") + "|" + r.get("dates") + "|" + r.get("clicks"))
        .containsExactly("Retail|2024-05-01|0", "Tech|2024-05-01|1", "Tech|2024-05-02|1");
    assertThat(f.rows("company_totals", "company_id")).extracting(r -> num(r, "company_id").intValue() + "|" + num(r, "conversions").intValue())
        .containsExactly("10|1", "20|1");
    assertThat(f.rows("publisher_totals", "publisher_id")).singleElement()
        .satisfies(r -> assertThat(num(r, "impressions")).isEqualByComparingTo("100"));
    // 2024-05-02 is a Thursday (ISO day 4), 2024-05-01 a Wednesday (3).
    assertThat(f.rows("traffic_by_day_of_week", "day_of_week")).extracting(r -> num(r, "day_of_week").intValue() + "|"
        + num(r, "impressions").intValue() + "|" + num(r, "clicks").intValue() + "|" + num(r, "applies").intValue())
        .containsExactly("3|1|1|1", "4|99|1|1");
    assertThat(f.rows("traffic_by_hour_of_day", "hours")).extracting(r -> num(r, "hours").intValue())
        .containsExactly(10, 15);
    assertThat(f.rows("events", "job_id, dates, hours")).extracting(r -> num(r, "impressions").intValue())
        .as("impressions in the hourly facts too").containsExactly(1, 99, 0);

    // The dashboard's coarser tables, written in the same transactions, hold exactly what events sums to.
    Domain jobAds = DomainCatalog.load(List.of(), List.of()).domains().get(0);
    RollupDefinition finest = jobAds.rollups().rollup(jobAds.dashboard().tables().get(0)).orElseThrow();
    for (String table : jobAds.dashboard().tables().subList(1, jobAds.dashboard().tables().size())) {
      RollupDefinition coarse = jobAds.rollups().rollup(table).orElseThrow();
      String columns = String.join(", ", DashboardTables.columns(finest, coarse));
      List<String> expected = f.query(DashboardTables.sumsOfFinest(finest, coarse) + " ORDER BY " + columns);
      assertThat(expected).as(table).isNotEmpty();
      assertThat(f.query("SELECT " + columns + " FROM " + table + " ORDER BY " + columns)).as(table)
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aRollupAddedInConfigurationBecomesATableWithTheRightNumbers() throws Exception {
    Path definitions = work.resolve("my-rollups.yaml");
    Files.writeString(definitions, """
        rollups:
          - name: clicks_by_industry_hour
            filter: event_kind = 'click'
            lookups: [job]
            dimensions:
              - {name: industry, default: "'none'"}
              - {name: hour, time: hour}
            metrics:
              - {name: clicks, kind: count}
              - {name: spend, kind: sum, of: bid}
              - {name: avg_bid, kind: average, sum: spend, count: clicks}
              - {name: first_click, kind: min, of: event_time}
              - {name: top_bid, kind: max, of: bid}
              - {name: jobs, kind: distinct, of: job_id}
        """);
    StreamFixture f = StreamFixture.create("custom", work);
    f.loadDimensions(DIMENSIONS);
    TrackingStreamJob job = f.job(f.streamConfig(new RollupConfig(List.of(definitions))));
    StreamQueries query = job.start(StreamFixture.spark());
    try {
      f.produce(List.of(event(1, 3, DAY_1.plusMinutes(7), "click", "0.25"), event(1, 3, DAY_1.plusMinutes(9), "click", "1.00"),
          event(2, 5, DAY_1.plusMinutes(8), "click", "2.00"), event(99, 5, DAY_1.plusMinutes(8), "click", "4.00"),
          event(1, 3, DAY_1.plusMinutes(10), "conversion", "9.00")));
      query.processAllAvailable();
      // Job 1 again (no new distinct job), and job 3, also in Tech.
      f.produce(List.of(event(1, 3, DAY_1.plusMinutes(3), "click", "0.50"), event(3, 3, DAY_1.plusMinutes(4), "click", "0.75")));
      query.processAllAvailable();
    } finally {
      query.stop();
    }

    assertThat(f.rows("clicks_by_industry_hour", "industry")).extracting(r -> r.get("industry") + "|" + r.get("hour") + "|"
        + r.get("clicks") + "|" + ((BigDecimal) r.get("spend")).stripTrailingZeros().toPlainString() + "|"
        + num(r, "avg_bid").stripTrailingZeros().toPlainString() + "|" + r.get("first_click") + "|"
        + num(r, "top_bid").stripTrailingZeros().toPlainString() + "|" + r.get("jobs"))
        .containsExactlyInAnyOrder(
            "Retail|2024-05-01 10:00:00.0|1|2|2|2024-05-01 10:08:00.0|2|1",
            "Tech|2024-05-01 10:00:00.0|4|2.5|0.625|2024-05-01 10:03:00.0|1|2",
            "none|2024-05-01 10:00:00.0|1|4|4|2024-05-01 10:08:00.0|4|1");
    assertThat(f.rows("clicks_by_industry_hour__jobs", "industry, distinct_value")).extracting(r -> r.get("industry") + "|" + r.get("distinct_value"))
        .as("the side table of the values seen").containsExactlyInAnyOrder("Retail|2", "Tech|1", "Tech|3", "none|99");
    assertThat(f.rows("campaign_daily", "campaign_id")).as("the built-in rollups still run").hasSize(2);
  }

  @Test
  void refusesDefinitionsWhoseExpressionsDoNotResolve() throws Exception {
    Path definitions = work.resolve("broken.yaml");
    Files.writeString(definitions, """
        rollups:
          - name: broken
            filter: job_id + 1
            dimensions: [{name: dates, time: day}, colour]
            metrics:
              - {name: n, kind: count-if, where: "no_such_column = 1"}
              - {name: s, kind: sum, of: custom_track}
              - {name: i, kind: count-if, where: "industry = 'Tech'"}
        """);
    StreamFixture f = StreamFixture.create("broken", work);
    TrackingStreamJob job = f.job(f.streamConfig(new RollupConfig(List.of(definitions))));

    assertThatThrownBy(() -> job.start(StreamFixture.spark()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).satisfiesExactlyInAnyOrder(
            p -> assertThat(p).startsWith(JOB_ADS + "rollup 'broken', filter: 'job_id + 1' is bigint, not a boolean condition"),
            p -> assertThat(p).startsWith(JOB_ADS + "rollup 'broken', dimension 'colour': 'colour' does not resolve:")
                .contains("source columns: event_id, event_time, received_at, create_time, ts, job_id"),
            p -> assertThat(p).startsWith(JOB_ADS + "rollup 'broken', metric 'n', where: 'no_such_column = 1' does not resolve:"),
            p -> assertThat(p).isEqualTo(JOB_ADS + "rollup 'broken', metric 's': sums 'custom_track', which is string, not a number"),
            p -> assertThat(p).as("a lookup's column without naming the lookup")
                .startsWith(JOB_ADS + "rollup 'broken', metric 'i', where: 'industry = 'Tech'' does not resolve:")));
    assertThatThrownBy(() -> f.rows("broken", "dates")).as("nothing created").hasMessageContaining("doesn't exist");
  }

  @Test
  void reservedWordsAreColumnNamesAndALongTextKeyIsCutInsteadOfFailingEveryCommit() throws Exception {
    Path definitions = work.resolve("reserved.yaml");
    Files.writeString(definitions, """
        rollups:
          - name: by_order
            dimensions:
              - {name: order, column: "coalesce(campaign_id, 0)"}
              - {name: key, column: "concat(custom_track, repeat('x', 300))"}
              - {name: dates, time: day}
            metrics:
              - {name: select, kind: count}
              - {name: from, kind: sum, of: bid}
              - {name: where, kind: ratio, numerator: from, denominator: select}
              - {name: group, kind: distinct, of: job_id}
            views:
              - {name: by_order_totals, keep: [order]}
        """);
    StreamFixture f = StreamFixture.create("reserved", work);
    f.loadDimensions(DIMENSIONS);
    TrackingStreamJob job = f.job(f.streamConfig(new RollupConfig(List.of(definitions))));
    StreamQueries query = job.start(StreamFixture.spark());
    try {
      // A recent hour: the broker deletes records whose timestamps are older than its retention.
      LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.HOURS).minusHours(1);
      f.produce(List.of(event(1, 3, hour.plusMinutes(7), "click", "0.25"), event(2, 3, hour.plusMinutes(9), "click", "1.75")));
      query.processAllAvailable();
      f.produce(List.of(event(1, 3, hour.plusMinutes(3), "click", "1.00")));
      query.processAllAvailable();
      assertThat(query.exception().isEmpty()).as("every commit went through").isTrue();
    } finally {
      query.stop();
    }

    String key = "click" + "x".repeat(186);
    assertThat(f.query("SELECT `order`, `key`, `select`, `from`, `where`, `group` FROM by_order"))
        .as("the key cut to 191 characters").containsExactly("3|" + key + "|3|3|1|2");
    assertThat(f.query("SELECT collation_name FROM information_schema.columns WHERE table_schema = DATABASE()"
        + " AND table_name = 'by_order' AND column_name = 'key'"))
        .as("a text key compares byte for byte: 'VN' and 'vn' are two rows").containsExactly("utf8mb4_bin");
    assertThat(f.query("SELECT `order`, `select`, `from`, `where` FROM by_order_totals")).containsExactly("3|3|3|1");
  }

  @Test
  void refusesSideEffectingFunctionsNonDeterministicExpressionsAndKeysTooLongAtStartUp() throws Exception {
    Path definitions = work.resolve("unsafe.yaml");
    Files.writeString(definitions, """
        rollups:
          - name: sneaky
            filter: "reflect('java.lang.String', 'valueOf', 1) IS NOT NULL"
            dimensions:
              - {name: dates, time: day}
              - {name: k, column: "upper(java_method('java.lang.String', 'valueOf', job_id))"}
            metrics:
              - {name: n, kind: count-if, where: "rand() < 0.5"}
          - name: wide
            dimensions:
              - {name: dates, time: day}
              - custom_track
              - {name: a, column: custom_track}
              - {name: b, column: custom_track}
              - {name: c, column: custom_track}
              - {name: d, column: custom_track}
            metrics:
              - {name: n, kind: count}
        """);
    StreamFixture f = StreamFixture.create("unsafe", work);
    TrackingStreamJob job = f.job(f.streamConfig(new RollupConfig(List.of(definitions))));

    assertThatThrownBy(() -> job.start(StreamFixture.spark()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).satisfiesExactlyInAnyOrder(
            p -> assertThat(p).startsWith(JOB_ADS + "rollup 'sneaky', filter: 'reflect('java.lang.String', 'valueOf', 1) IS NOT NULL'"
                + " calls [reflect], which rollup expressions may not use"),
            p -> assertThat(p).startsWith(JOB_ADS + "rollup 'sneaky', dimension 'k': 'upper(java_method(").contains("calls [java_method]"),
            p -> assertThat(p).startsWith(JOB_ADS + "rollup 'sneaky', metric 'n', where: 'rand() < 0.5' is not deterministic"),
            p -> assertThat(p).startsWith(JOB_ADS + "rollup 'wide': its key (dimensions [dates, custom_track, a, b, c, d]) takes 3823 bytes")));
    assertThatThrownBy(() -> f.rows("sneaky", "dates")).as("nothing created").hasMessageContaining("doesn't exist");
  }

  private static Map<String, Object> find(List<Map<String, Object>> rows, Predicate<Map<String, Object>> which) {
    return rows.stream().filter(which).findFirst().orElseThrow(() -> new AssertionError("no such row in " + rows));
  }

  private static BigDecimal num(Map<String, Object> row, String column) {
    Object value = row.get(column);
    return value == null ? null : new BigDecimal(value.toString());
  }

  private static void assertKpis(Map<String, Object> row, long impressions, long clicks, long conversions, long qualified,
      long unqualified, String spend, String ctr, String cpc, String cpa, String conversionRate, String qualifiedRate) {
    assertThat(num(row, "impressions")).as("impressions").isEqualByComparingTo(String.valueOf(impressions));
    assertThat(num(row, "clicks")).as("clicks").isEqualByComparingTo(String.valueOf(clicks));
    assertThat(num(row, "conversions")).as("conversions").isEqualByComparingTo(String.valueOf(conversions));
    assertThat(num(row, "qualified")).as("qualified").isEqualByComparingTo(String.valueOf(qualified));
    assertThat(num(row, "unqualified")).as("unqualified").isEqualByComparingTo(String.valueOf(unqualified));
    assertThat(num(row, "spend")).as("spend").isEqualByComparingTo(spend);
    assertRatio(row, "ctr", ctr);
    assertRatio(row, "cpc", cpc);
    assertRatio(row, "cpa", cpa);
    assertRatio(row, "conversion_rate", conversionRate);
    assertRatio(row, "qualified_rate", qualifiedRate);
  }

  private static void assertRatio(Map<String, Object> row, String column, String expected) {
    if (expected == null) {
      assertThat(row.get(column)).as(column + ": zero denominator").isNull();
    } else {
      assertThat(num(row, column)).as(column).isEqualByComparingTo(expected);
    }
  }

  /** An event on {@code job} at {@code time}, arriving a minute later; a null track is a page view. */
  private StreamFixture.Send event(long job, long campaign, LocalDateTime time, String track, String bid) {
    String id = "rollup-" + nextId++;
    String json = "{\"create_time\":\"" + id + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":" + job
        + ",\"publisher_id\":7,\"campaign_id\":" + campaign + ",\"group_id\":4"
        + (bid == null ? "" : ",\"bid\":" + bid) + (track == null ? "" : ",\"custom_track\":\"" + track + "\"") + "}";
    return new StreamFixture.Send(String.valueOf(job), json.getBytes(StandardCharsets.UTF_8),
        time.plusMinutes(1).toInstant(ZoneOffset.UTC).toEpochMilli());
  }
}
