package io.trackpipe.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.RollupDefinition.Computation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionsSectionTest {
  private static final String FIELDS = """
      name: visits
      fields:
        - {name: user_id, type: text, required: true}
        - {name: timestamp, type: timestamp, required: true}
        - {name: url, type: text, required: true}
        - {name: country, type: text}
        - {name: device, type: enum, values: [desktop, mobile, tablet]}
        - {name: screen, type: integer}
        - {name: ua, type: text, raw-only: true}
        - {name: weight, type: decimal}
      id: {hash-of: [user_id, timestamp, url]}
      time: {field: timestamp}
      partition-key: [user_id]
      rollups:
        - name: views_daily
          dimensions: [url, {name: dates, time: day}]
          metrics: [{name: views, kind: count}]
      """;

  private static Domain parse(String sessions) {
    return DomainCatalog.parse("visits.yaml", FIELDS + sessions);
  }

  @Test
  void aSessionsSectionAddsTheTwoTablesAsSessionRollupsWithDefaults() {
    Domain domain = parse("""
        sessions: {user: user_id, page: url, dimensions: [country, device]}
        """);
    SessionDefinition sessions = domain.sessions();
    assertThat(sessions).isEqualTo(new SessionDefinition("user_id", "url", Duration.ofMinutes(30), List.of("country", "device"),
        "page_time_daily", "sessions_daily", "visits__session_views"));
    assertThat(domain.rollups().rollups()).extracting(RollupDefinition::table)
        .containsExactly("views_daily", "page_time_daily", "sessions_daily");
    RollupDefinition pages = domain.rollups().rollup("page_time_daily").orElseThrow();
    assertThat(pages.computedFrom()).isEqualTo(Computation.SESSIONS);
    assertThat(pages.dimensions()).extracting(d -> d.name()).containsExactly("url", "dates");
    assertThat(pages.metrics()).extracting(Metric::name)
        .containsExactly("views", "timed_views", "time_on_page", "entrances", "exits", "avg_time_on_page", "exit_rate");
    RollupDefinition table = domain.rollups().rollup("sessions_daily").orElseThrow();
    assertThat(table.dimensions()).extracting(d -> d.name()).containsExactly("dates", "country", "device");
    assertThat(table.metrics()).extracting(Metric::name).containsExactly("sessions", "pageviews", "bounces", "duration",
        "pages_per_session", "bounce_rate", "avg_session_duration");
    assertThat(domain.rollups().rollup("views_daily").orElseThrow().computedFrom()).isEqualTo(Computation.EVENTS);
    assertThat(domain.withSessionGap(Duration.ofMinutes(5)).sessions().gap()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void theGapAndTableNamesCanBeDeclared() {
    SessionDefinition sessions = parse("""
        sessions: {user: user_id, page: url, gap: 45m, pages-table: pages, sessions-table: visits}
        """).sessions();
    assertThat(sessions.gap()).isEqualTo(Duration.ofMinutes(45));
    assertThat(sessions.pagesTable()).isEqualTo("pages");
    assertThat(sessions.sessionsTable()).isEqualTo("visits");
  }

  @Test
  void everyMistakeOfTheSectionIsReportedAtOnce() {
    assertThatThrownBy(() -> parse("""
        sessions:
          user: visitor
          page: weight
          gap: 30 minutes
          dimensions: [town, ua, country, country]
          pages-table: views_daily
          colour: blue
        """))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            "visits.yaml (domain 'visits'), sessions: unknown key 'colour' (expected one of [dimensions, gap, page, pages-table, sessions-table, user])",
            "visits.yaml (domain 'visits'), sessions, user: 'visitor' is not a field (fields: [user_id, timestamp, url, country, device, screen, ua, weight])",
            "visits.yaml (domain 'visits'), sessions, page: 'weight' is a decimal field; expected a text field",
            "visits.yaml (domain 'visits'), sessions, gap: not a duration (use e.g. 500ms, 10s, 5m, 2h, 1d): '30 minutes'",
            "visits.yaml (domain 'visits'), sessions, dimensions: 'town' is not a field (fields: [user_id, timestamp, url, country, device, screen, ua, weight])",
            "visits.yaml (domain 'visits'), sessions, dimensions: 'ua' is raw-only, so the stream does not carry it; drop raw-only from the field",
            "visits.yaml (domain 'visits'), sessions, dimensions: 'country' is listed twice",
            "visits.yaml (domain 'visits'), sessions: table 'views_daily' is already a rollup table or view of this domain"));
  }

  @Test
  void aGapOfZeroOrMoreThanADayAndTwoTablesOfOneNameAreRefused() {
    assertThatThrownBy(() -> parse("sessions: {user: user_id, page: url, gap: 0s}\n"))
        .hasMessageContaining("sessions, gap: '0s' must be more than 0 and at most 1d");
    assertThatThrownBy(() -> parse("sessions: {user: user_id, page: url, gap: 25h}\n"))
        .hasMessageContaining("sessions, gap: '25h' must be more than 0 and at most 1d");
    assertThatThrownBy(() -> parse("sessions: {user: user_id, page: url, sessions-table: page_time_daily}\n"))
        .hasMessageContaining("sessions: pages-table and sessions-table are both 'page_time_daily'");
    assertThatThrownBy(() -> parse("sessions: {page: url}\n"))
        .hasMessageContaining("sessions: missing 'user' (the field that identifies the visitor)");
  }

  @Test
  void anIntegerUserAndDimensionAreAccepted() {
    assertThat(parse("sessions: {user: screen, page: url, dimensions: [screen]}\n").sessions().dimensions()).containsExactly("screen");
  }
}
