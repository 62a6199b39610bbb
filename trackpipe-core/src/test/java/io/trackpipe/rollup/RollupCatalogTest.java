package io.trackpipe.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollupCatalogTest {

  @Test
  void loadsTheBuiltInJobAdsRollups() {
    RollupCatalog catalog = RollupCatalog.load(List.of());

    assertThat(catalog.rollups()).extracting(RollupDefinition::name)
        .containsExactly("events", "campaign_daily", "publisher_daily", "industry_daily", "company_daily", "traffic_hourly",
            "dashboard_hour", "dashboard_hour_publisher", "dashboard_hour_campaign", "dashboard_hour_company",
            "dashboard_day_job", "dashboard_day_publisher_context", "dashboard_day_publisher_job");
    RollupDefinition events = catalog.rollup("events").orElseThrow();
    assertThat(events.granularity()).contains(RollupDefinition.Granularity.HOURLY);
    assertThat(events.dimensions()).extracting(Dimension::name)
        .containsExactly("job_id", "dates", "hours", "publisher_id", "campaign_id", "group_id");
    assertThat(events.metric("bid_set").orElseThrow()).satisfies(m -> {
      assertThat(m.kind()).isEqualTo(Metric.Kind.RATIO);
      assertThat(m.numerator()).isEqualTo("spend_hour");
      assertThat(m.denominator()).isEqualTo("clicks");
    });
    assertThat(events.attributes()).containsExactly("company_id");
    RollupDefinition campaigns = catalog.rollup("campaign_daily").orElseThrow();
    assertThat(campaigns.granularity()).contains(RollupDefinition.Granularity.DAILY);
    assertThat(campaigns.metrics()).extracting(Metric::name).contains("ctr", "cpc", "cpa", "conversion_rate", "qualified_rate");
    assertThat(campaigns.views()).containsExactly(new TotalsView("campaign_totals", List.of("campaign_id")));
    assertThat(catalog.rollup("industry_daily").orElseThrow().metrics()).isEqualTo(campaigns.metrics());
  }

  @Test
  void addsTheRollupsOfConfiguredFiles(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(file, """
        rollups:
          - name: clicks_by_group
            filter: job_id IS NOT NULL
            dimensions: [group_id, {name: dates, time: day}]
            metrics:
              - {name: clicks, kind: count-if, where: "event_kind = 'click'"}
              - {name: first_click, kind: min, of: event_time, where: "event_kind = 'click'"}
        """);

    RollupCatalog catalog = RollupCatalog.load(List.of(file));

    assertThat(catalog.rollups()).hasSize(RollupCatalog.load(List.of()).rollups().size() + 1);
    RollupDefinition mine = catalog.rollup("clicks_by_group").orElseThrow();
    assertThat(mine.table()).as("the table is named after the rollup by default").isEqualTo("clicks_by_group");
    assertThat(mine.dimensions().get(0)).isEqualTo(Dimension.column("group_id"));
  }

  @Test
  void reportsEveryProblemWithItsRollupAndPart() {
    String yaml = """
        rollups:
          - name: broken
            table: Bad-Name
            dimensions: [{name: dates, time: week}]
            metrics:
              - {name: a, kind: avg, of: bid}
              - {name: b, kind: count-if}
              - {name: c, kind: sum}
              - {name: d, kind: ratio, numerator: a, denominator: nothing}
              - {name: e, kind: count, where: "true", colour: red}
            views: [{name: v, keep: [campaign_id]}]
          - name: no_time
            dimensions: [job_id]
            metrics: [{name: n, kind: count}]
          - name: no_key
            metrics: [{name: n, kind: count}]
        """;

    assertThatThrownBy(() -> RollupCatalog.parse("test.yaml", yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            "test.yaml, rollup 'broken', table: 'Bad-Name' is not a plain lower-case SQL name (letters, digits, _; at most 64)",
            "test.yaml, rollup 'broken', dimension 'dates': unknown time 'week' (expected one of hour, day, hour-of-day, day-of-week)",
            "test.yaml, rollup 'broken', metric 'a': unknown kind 'avg' (expected one of count, count-if, sum, min, max, average, distinct, ratio)",
            "test.yaml, rollup 'broken', metric 'b': count-if needs a 'where' condition",
            "test.yaml, rollup 'broken', metric 'c': sum needs 'of': the source column or expression it reads",
            "test.yaml, rollup 'broken', metric 'd': 'a' is not a metric declared before it in this rollup",
            "test.yaml, rollup 'broken', metric 'd': 'nothing' is not a metric declared before it in this rollup",
            "test.yaml, rollup 'broken', metric 'e': unknown key 'colour' (expected [count, denominator, kind, name, numerator, of, sum, where])",
            "test.yaml, rollup 'broken', view 'v': keeps 'campaign_id', which is not a dimension of this rollup",
            "test.yaml, rollup 'broken': no dimensions (the table's key); declare at least one",
            "test.yaml, rollup 'no_time': no time dimension with time: day or time: hour. Every rollup is bucketed in time so that a"
                + " time range can be recomputed from the raw store; for all-time totals declare a view over a daily rollup",
            "test.yaml, rollup 'no_key': no dimensions (the table's key); declare at least one"));
  }

  @Test
  void refusesARatioOfARatioAndDuplicateNames() {
    String yaml = """
        rollups:
          - name: x
            dimensions: [{name: dates, time: day}]
            metrics:
              - {name: clicks, kind: count}
              - {name: clicks, kind: count}
              - {name: q, kind: ratio, numerator: clicks, denominator: clicks}
              - {name: qq, kind: ratio, numerator: q, denominator: clicks}
          - name: r
            dimensions: [{name: dates, time: day}]
            metrics: [{name: n, kind: count}]
          - name: r
            table: r
            dimensions: [{name: dates, time: day}]
            metrics: [{name: n, kind: count}]
        """;

    assertThatThrownBy(() -> RollupCatalog.parse("t.yaml", yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            "t.yaml, rollup 'x': column 'clicks' is declared twice or is reserved",
            "t.yaml, rollup 'x', metric 'qq': 'q' is a ratio metric; a ratio divides count or sum metrics",
            "rollup 'r' is declared twice",
            "rollup 'r': table 'r' is the target of another rollup"));
  }

  @Test
  void namesAMissingFile() {
    assertThatThrownBy(() -> RollupCatalog.load(List.of(Path.of("no-such-rollups.yaml"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no-such-rollups.yaml: no such file (rollup.definitions)");
  }
}
