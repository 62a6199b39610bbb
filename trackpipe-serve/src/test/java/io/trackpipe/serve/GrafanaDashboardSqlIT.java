package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.calendar.HourCalendar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every SQL query of the provisioned Grafana dashboards (deploy/grafana/dashboards) runs against the migrated schema,
 * with Grafana's macros expanded the way Grafana's MySQL data source expands them, and its time buckets are the true
 * UTC instants of the facts' local hours.
 */
class GrafanaDashboardSqlIT {
  private static final Path DASHBOARDS = Path.of("..", "deploy", "grafana", "dashboards");
  private static final Pattern TIME_FILTER = Pattern.compile("\\$__timeFilter\\(([^)]+)\\)");
  private static final Pattern TIME_GROUP_ALIAS = Pattern.compile("\\$__timeGroupAlias\\(([^,]+),\\s*'(\\d+)h'\\)");
  private static Warehouse warehouse;
  /** Grafana's account: SELECT only, as deploy/grafana provisions it and docs/dashboard.md grants it. */
  private static Warehouse grafanaReader;

  @BeforeAll
  static void facts() throws Exception {
    warehouse = TestWarehouse.createDatabase("grafana");
    TestWarehouse.insertKnownFacts(warehouse);
    // The facts' zone is UTC+7: local 2026-03-04 09:00 starts at 02:00 UTC.
    try (Connection c = warehouse.connect()) {
      new HourCalendar(warehouse, ZoneId.of("Asia/Ho_Chi_Minh")).fill(c, LocalDate.parse("2026-02-01"),
          LocalDate.parse("2026-03-06"));
    }
    grafanaReader = new Warehouse(TestWarehouse.readOnlyAccount(warehouse));
  }

  @Test
  void everyQueryOfEveryDashboardRuns() throws Exception {
    Map<String, String> queries = sqlQueries();
    assertThat(queries).hasSizeGreaterThanOrEqualTo(12);
    for (String variables : List.of("-1", "1000", "1000,2000")) {
      for (var query : queries.entrySet()) {
        String sql = expand(query.getValue(), "2026-02-01T00:00:00Z", "2026-03-05T00:00:00Z", variables, variables);
        try (Connection c = grafanaReader.connect(); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery(sql)) {
          assertThat(rs.getMetaData().getColumnCount()).as(query.getKey()).isPositive();
        } catch (java.sql.SQLException e) {
          throw new AssertionError(query.getKey() + " fails with " + e.getMessage() + "\n" + sql, e);
        }
      }
    }
  }

  @Test
  void hourlyBucketsAreUtcInstantsAndStatsMatchTheApi() throws Exception {
    Map<String, String> queries = sqlQueries();
    String perHour = expand(queries.get("trackpipe-campaigns: Per hour"), "2026-03-03T00:00:00Z", "2026-03-05T00:00:00Z", "-1", "-1");
    List<String> buckets = new ArrayList<>();
    try (Connection c = warehouse.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(perHour)) {
      while (rs.next()) buckets.add(Instant.ofEpochSecond(rs.getLong("time")) + " " + rs.getLong("clicks"));
    }
    // Local hours 14:00 on 3 Mar, 09:00 and 10:00 on 4 Mar, in UTC+7.
    assertThat(buckets).containsExactly("2026-03-03T07:00:00Z 25", "2026-03-04T02:00:00Z 40", "2026-03-04T03:00:00Z 10");

    String clicks = expand(queries.get("trackpipe-campaigns: Clicks"), "2026-02-01T00:00:00Z", "2026-03-05T00:00:00Z", "1000", "-1");
    try (Connection c = warehouse.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(clicks)) {
      rs.next();
      assertThat(rs.getLong("value")).isEqualTo(75);
    }
  }

  @Test
  void thePipelineDashboardUsesTheStreamJobsMetricNames() throws Exception {
    JsonNode health = new ObjectMapper().readTree(DASHBOARDS.resolve("trackpipe-pipeline.json").toFile());
    List<String> exprs = new ArrayList<>();
    health.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    assertThat(String.join("\n", exprs)).contains("trackpipe_stream_input_rows_per_second",
        "trackpipe_stream_kafka_partition_lag_records", "trackpipe_stream_freshness_seconds_bucket",
        "trackpipe_stream_batch_duration_seconds_bucket", "trackpipe_stream_dead_letters_total",
        "trackpipe_stream_last_committed_batch_id", "jvm_memory_used_bytes");
  }

  /** rawSql of every panel target and every query variable, by "dashboard: panel title". */
  private static Map<String, String> sqlQueries() throws Exception {
    Map<String, String> queries = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    try (var files = Files.list(DASHBOARDS)) {
      for (Path file : files.sorted().toList()) {
        JsonNode dashboard = json.readTree(file.toFile());
        String name = file.getFileName().toString().replace(".json", "");
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(target -> {
          if (target.has("rawSql")) queries.put(name + ": " + panel.path("title").asText(), target.path("rawSql").asText());
        }));
        dashboard.path("templating").path("list").forEach(variable -> {
          if (variable.path("datasource").path("type").asText().equals("mysql")) {
            queries.put(name + ": $" + variable.path("name").asText(), variable.path("query").asText());
          }
        });
      }
    }
    return queries;
  }

  /** Grafana's MySQL macros (with the data source's session zone at UTC) and the template variables' values. */
  /**
   * @param campaign the value of $campaign (-1 = All)
   * @param others the value of $publisher and $company
   */
  private static String expand(String sql, String from, String to, String campaign, String others) {
    long fromEpoch = Instant.parse(from).getEpochSecond();
    long toEpoch = Instant.parse(to).getEpochSecond();
    Matcher filter = TIME_FILTER.matcher(sql);
    sql = filter.replaceAll(m -> Matcher.quoteReplacement(m.group(1) + " BETWEEN FROM_UNIXTIME(" + fromEpoch
        + ") AND FROM_UNIXTIME(" + toEpoch + ")"));
    Matcher group = TIME_GROUP_ALIAS.matcher(sql);
    sql = group.replaceAll(m -> {
      long seconds = Long.parseLong(m.group(2)) * 3600;
      return Matcher.quoteReplacement("UNIX_TIMESTAMP(" + m.group(1) + ") DIV " + seconds + " * " + seconds
          + " AS \"time\"");
    });
    assertThat(sql).doesNotContain("$__");
    return sql.replace("$campaign", campaign).replace("$publisher", others).replace("$company", others);
  }
}
