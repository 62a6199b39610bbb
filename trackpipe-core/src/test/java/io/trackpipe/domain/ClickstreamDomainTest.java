package io.trackpipe.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TotalsView;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The built-in web clickstream domain: its fields, the id hashed from visitor, time and URL, unknown devices kept, and
 * exact unique users in every table and on the dashboard.
 */
class ClickstreamDomainTest {
  private static final long NOW = 1_772_400_000_000L;
  private final Domain clicks = DomainCatalog.load(List.of(), List.of()).domain(DomainCatalog.CLICKSTREAM).orElseThrow();
  private final EventDecoder decoder = new EventDecoder(clicks.schema(), EventLimits.DEFAULT);

  @Test
  void loadsAsTheThirdBuiltInDomainWithItsTopicsAndRawTable() {
    assertThat(DomainCatalog.load(List.of(), List.of()).names()).containsExactly("job-ads", "ecommerce", "clickstream");
    assertThat(clicks.topics()).isEqualTo(new DomainTopics("clickstream-events", "clickstream-events-dead-letter"));
    assertThat(clicks.rawTable()).isEqualTo("clickstream_events");
    assertThat(clicks.schema().fieldNames())
        .containsExactly("user_id", "timestamp", "url", "country", "city", "browser", "os", "device");
  }

  @Test
  void itsVisitsAreSessionsOfThirtyMinutesWithTheirTwoTables() {
    assertThat(clicks.rollups().rollups()).filteredOn(r -> r.computedFrom() == RollupDefinition.Computation.SESSIONS)
        .extracting(RollupDefinition::table).containsExactlyInAnyOrder("page_time_daily", "sessions_daily");
    assertThat(clicks.rollups().rollup("sessions_daily").orElseThrow().dimensions()).extracting(Dimension::name)
        .containsExactly("dates", "country", "device");
  }

  @Test
  void everyTableCountsPageViewsAndExactUniqueUsers() {
    List<RollupDefinition> fromEvents = clicks.rollups().rollups().stream()
        .filter(r -> r.computedFrom() == RollupDefinition.Computation.EVENTS).toList();
    assertThat(fromEvents).extracting(RollupDefinition::table).containsExactly("page_views_hourly",
        "url_hourly", "url_daily", "country_hourly", "country_daily", "city_daily", "technology_daily", "site_hourly");
    for (RollupDefinition r : fromEvents) {
      assertThat(r.metric("page_views")).as(r.table()).hasValueSatisfying(m -> assertThat(m.kind()).isEqualTo(Metric.Kind.COUNT));
      assertThat(r.metric("unique_users")).as(r.table()).hasValueSatisfying(m -> {
        assertThat(m.kind()).isEqualTo(Metric.Kind.DISTINCT);
        assertThat(r.distinctTable(m)).isEqualTo(r.table() + "__unique_users");
      });
    }
    assertThat(clicks.rollups().rollup("url_hourly").orElseThrow().dimensions()).extracting(Dimension::name)
        .containsExactly("dates", "hours", "url");
    assertThat(clicks.rollups().rollup("country_daily").orElseThrow().dimensions()).extracting(Dimension::name)
        .containsExactly("country", "dates");
    assertThat(clicks.rollups().rollups().stream().flatMap(r -> r.views().stream()).map(TotalsView::name))
        .containsExactly("url_totals", "country_totals");
  }

  @Test
  void theDashboardCountsUniqueUsersFromTheSideTables() {
    DashboardDefinition dashboard = clicks.dashboard();
    assertThat(dashboard.tables()).first().isEqualTo("page_views_hourly");
    DashboardDefinition.Measure users = dashboard.measure("users").orElseThrow();
    assertThat(users.isDistinct()).isTrue();
    assertThat(users.ratio()).isFalse();
    assertThat(users.distinct()).isEqualTo("unique_users");
    assertThat(dashboard.tiles()).containsExactly("users", "page_views");
    assertThat(dashboard.dimension("url").orElseThrow().kind()).isEqualTo(DashboardDefinition.Kind.TEXT);
    assertThat(dashboard.dimension("country").orElseThrow().maxLength()).isEqualTo(64);
  }

  @Test
  void aDistinctMeasureMustNameADistinctMetricAndStayOutOfRatios() {
    String yaml = """
        name: visits
        fields:
          - {name: visitor, type: text, required: true}
          - {name: at, type: timestamp, required: true}
        id: {hash-of: [visitor, at]}
        time: {field: at}
        rollups:
          - name: visits_hourly
            dimensions: [{name: dates, time: day}, {name: hours, time: hour-of-day}]
            metrics:
              - {name: visits, kind: count}
              - {name: visitors, kind: distinct, of: visitor}
        dashboard:
          tables: [visits_hourly]
          measures:
            - {name: visits, sum: visits}
            - {name: people, distinct: visits}
            - {name: users, distinct: visitors}
            - {name: per_user, numerator: visits, denominator: users}
            - {name: both, sum: visits, distinct: visitors}
          tiles: [visits]
        """;
    assertThatThrownBy(() -> DomainCatalog.parse("visits.yaml", yaml)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).anyMatch(p -> p.contains("measure 'people': counts 'visits', which is not a distinct"
                + " metric of table 'visits_hourly'"))
            .anyMatch(p -> p.contains("measure 'per_user': 'users' is a distinct count; a ratio divides sums only"))
            .anyMatch(p -> p.contains("measure 'both': declare one of 'sum'")));
  }

  @Test
  void decodesAPageViewAndHashesItsIdFromVisitorTimeAndUrl() {
    DecodedEvent view = accepted(view("c0ffee42", "\"2026-03-01T10:15:30.250Z\"", "https://www.example.com/pricing",
        "\"desktop\""));
    assertThat(view.eventTimeMillis()).isEqualTo(1_772_360_130_250L);
    assertThat(view.id()).hasSize(32);
    // The same view with its time in epoch millis is the same view: a duplicate.
    assertThat(accepted(view("c0ffee42", "1772360130250", "https://www.example.com/pricing", "\"desktop\"")).id())
        .isEqualTo(view.id());
    // Another page, another visitor or another millisecond is another view; the device does not make the id.
    assertThat(accepted(view("c0ffee42", "1772360130250", "https://www.example.com/", "\"desktop\"")).id()).isNotEqualTo(view.id());
    assertThat(accepted(view("c0ffee43", "1772360130250", "https://www.example.com/pricing", "\"desktop\"")).id()).isNotEqualTo(view.id());
    assertThat(accepted(view("c0ffee42", "1772360130251", "https://www.example.com/pricing", "\"desktop\"")).id()).isNotEqualTo(view.id());
    assertThat(accepted(view("c0ffee42", "1772360130250", "https://www.example.com/pricing", "\"mobile\"")).id()).isEqualTo(view.id());
  }

  @Test
  void keepsDeviceValuesItHasNeverSeenAndViewsWithoutWhereAndOnWhat() {
    DecodedEvent tv = accepted(view("v1", "1772360130250", "https://www.example.com/", "\"smart-tv\""));
    assertThat(tv.value(clicks.schema().indexOf("device"))).isEqualTo("smart-tv");
    accepted("{\"user_id\":\"v1\",\"timestamp\":1772360130250,\"url\":\"https://www.example.com/\"}");
  }

  @Test
  void refusesWhatTheSchemaForbids() {
    rejected("{\"timestamp\":1772360130250,\"url\":\"https://www.example.com/\"}", RejectReason.MISSING_FIELD, "'user_id'");
    rejected("{\"user_id\":\"v1\",\"timestamp\":1772360130250}", RejectReason.MISSING_FIELD, "'url'");
    rejected("{\"user_id\":7,\"timestamp\":1772360130250,\"url\":\"https://www.example.com/\"}", RejectReason.WRONG_TYPE, "'user_id'");
    rejected(view("x".repeat(65), "1772360130250", "https://www.example.com/", "\"mobile\""), RejectReason.INVALID_VALUE, "'user_id'");
    rejected(view("v1", "1772360130250", "https://www.example.com/" + "a".repeat(2048), "\"mobile\""), RejectReason.INVALID_VALUE, "'url'");
    rejected("{\"user_id\":\"v1\",\"timestamp\":1772360130250,\"url\":\"/\",\"referrer\":\"x\"}", RejectReason.UNKNOWN_FIELD,
        "unknown field 'referrer'");
  }

  private static String view(String user, String timestamp, String url, String device) {
    return "{\"user_id\":\"" + user + "\",\"timestamp\":" + timestamp + ",\"url\":\"" + url + "\",\"country\":\"Vietnam\","
        + "\"city\":\"Hanoi\",\"browser\":\"Chrome\",\"os\":\"Windows\",\"device\":" + device + "}";
  }

  private DecodedEvent accepted(String json) {
    DecodeResult result = decoder.decode(json, NOW);
    assertThat(result).as(json).isInstanceOf(DecodeResult.Accepted.class);
    return ((DecodeResult.Accepted) result).event();
  }

  private void rejected(String json, RejectReason reason, String message) {
    assertThat(decoder.decode(json, NOW)).isInstanceOfSatisfying(DecodeResult.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(reason);
      assertThat(r.message()).contains(message);
    });
  }
}
