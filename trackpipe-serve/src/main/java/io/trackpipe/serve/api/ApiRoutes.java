package io.trackpipe.serve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackpipe.serve.ServeConfig;
import io.trackpipe.serve.query.Dimension;
import io.trackpipe.serve.query.FactFilter;
import io.trackpipe.serve.query.FactQueries;
import io.trackpipe.serve.query.Measure;
import io.trackpipe.serve.query.RollupTableQueries;
import io.trackpipe.serve.query.Rows;
import io.trackpipe.serve.query.Totals;
import io.trackpipe.warehouse.status.PipelineStatus;
import io.trackpipe.warehouse.status.PipelineStatusTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only query API under {@value #PREFIX}: the dashboard's numbers as JSON. Every route is a GET; parameters
 * are checked by {@link QueryParameters} (400 with a message naming the parameter); the routes and their parameters
 * are described by {@code openapi.json} (served at {@code /api/v1/openapi.json}).
 */
public final class ApiRoutes {
  public static final String PREFIX = "/api/v1";
  /** Every route, as written in the OpenAPI document. */
  public static final List<String> ROUTES = List.of("/api/v1/kpis", "/api/v1/facts", "/api/v1/top/{dimension}",
      "/api/v1/heatmap", "/api/v1/pipeline", "/api/v1/dimensions/{dimension}", "/api/v1/meta", "/api/v1/rollups",
      "/api/v1/rollups/{table}", "/api/v1/openapi.json");
  static final int MAX_TOP = 100;
  static final int MAX_FACT_ROWS = 10_000;
  static final int MAX_CHOICES = 1000;

  private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NO_PARAMETERS = List.of();

  private final FactQueries queries;
  private final RollupTableQueries rollupTables;
  private final PipelineStatusTable pipeline;
  private final ServeConfig config;
  private final Clock clock;
  private final byte[] openApi;

  public ApiRoutes(FactQueries queries, RollupTableQueries rollupTables, PipelineStatusTable pipeline, ServeConfig config,
      Clock clock) {
    this.queries = queries;
    this.rollupTables = rollupTables;
    this.pipeline = pipeline;
    this.config = config;
    this.clock = clock;
    this.openApi = resource("openapi.json");
  }

  /** An answer: status, content type and body. */
  public record Answer(int status, String contentType, byte[] body) {
    static Answer json(int status, Object node) {
      try {
        return new Answer(status, "application/json", JSON.writeValueAsBytes(node));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Answers a GET of {@code path} (under {@value #PREFIX}). */
  public Answer handle(String path, Request request) {
    String route = path.substring(PREFIX.length());
    try {
      Parameters query = new Parameters(Request.extractQueryParameters(request));
      if (route.equals("/kpis")) return kpis(query.with(QueryParameters.FILTERS));
      if (route.equals("/facts")) return facts(query.with(plus(QueryParameters.FILTERS, "bucket", "group_by", "limit")));
      if (route.startsWith("/top/")) {
        return top(dimension(route.substring(5)), query.with(plus(QueryParameters.FILTERS, "sort", "order", "limit")));
      }
      if (route.equals("/heatmap")) return heatmap(query.with(QueryParameters.FILTERS));
      if (route.equals("/pipeline")) {
        query.with(NO_PARAMETERS);
        return pipeline();
      }
      if (route.startsWith("/dimensions/")) {
        return choices(dimension(route.substring(12)), query.with(List.of("limit")));
      }
      if (route.equals("/meta")) {
        query.with(NO_PARAMETERS);
        return meta();
      }
      if (route.equals("/rollups")) {
        query.with(NO_PARAMETERS);
        return rollupTables();
      }
      if (route.startsWith("/rollups/")) return rollupRows(route.substring(9), query.with(List.of("from", "to", "limit")));
      if (route.equals("/openapi.json")) return new Answer(200, "application/json", openApi);
      return error(404, "not_found", "no such route: " + QueryParameters.shown(path) + " (see " + PREFIX
          + "/openapi.json)", null);
    } catch (BadRequest e) {
      return error(400, "bad_parameter", e.getMessage(), e.parameter());
    } catch (SQLTimeoutException e) {
      log.warn("Query of {} timed out after {}", path, config.queryTimeout());
      return error(503, "query_timeout", "the warehouse did not answer within " + config.queryTimeout().toSeconds()
          + " s; narrow the range or the filters", null);
    } catch (SQLException e) {
      // The cause names the warehouse's address, database and account: for the log, not for any client.
      log.warn("Query of {} failed: {}", path, e.toString());
      return error(503, "warehouse_unavailable", "the warehouse could not answer; try again later (the server's log"
          + " says why)", null);
    }
  }

  private Answer rollupTables() {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode tables = body.putArray("tables");
    for (RollupTableQueries.Table t : rollupTables.tables()) {
      ObjectNode table = tables.addObject();
      table.put("name", t.name());
      table.put("rollup", t.rollup());
      table.put("description", t.description());
      table.putPOJO("keys", t.keys());
      table.putPOJO("metrics", t.metrics());
      table.put("date_range", t.time() != null);
    }
    return Answer.json(200, body);
  }

  private Answer rollupRows(String name, QueryParameters p) throws SQLException {
    RollupTableQueries.Table table = rollupTables.table(name).orElseThrow(() -> new BadRequest("table", "no rollup table or view '"
        + QueryParameters.shown(name) + "'; " + PREFIX + "/rollups lists them"));
    FactFilter range = p.filter(today(), config.maxRangeDays());
    int limit = p.integer("limit", 1000, 1, MAX_FACT_ROWS);
    List<Map<String, Object>> rows = rollupTables.rows(table, range.from(), range.to(), limit);
    ObjectNode body = JSON.createObjectNode();
    body.put("table", table.name());
    if (table.time() != null) {
      body.put("from", range.from().toString());
      body.put("to", range.to().toString());
    }
    body.put("truncated", rows.size() > limit);
    ArrayNode out = body.putArray("rows");
    for (Map<String, Object> row : rows.subList(0, Math.min(limit, rows.size()))) {
      ObjectNode node = out.addObject();
      row.forEach((column, value) -> {
        if (value == null) node.putNull(column);
        else if (value instanceof java.math.BigDecimal d) node.put(column, d);
        else if (value instanceof Long l) node.put(column, l);
        else if (value instanceof Integer i) node.put(column, i);
        else if (value instanceof Number n) node.put(column, new java.math.BigDecimal(n.toString()));
        else node.put(column, value.toString());
      });
    }
    return Answer.json(200, body);
  }

  private Answer kpis(QueryParameters p) throws SQLException {
    FactFilter filter = p.filter(today(), config.maxRangeDays());
    ObjectNode body = header(filter);
    body.set("totals", totals(queries.totals(filter)));
    return Answer.json(200, body);
  }

  private Answer facts(QueryParameters p) throws SQLException {
    FactFilter filter = p.filter(today(), config.maxRangeDays());
    boolean hourly = p.choice("bucket", true, Map.of("hour", true, "day", false));
    List<Dimension> groupBy = p.dimensions("group_by", 3);
    int limit = p.integer("limit", 2000, 1, MAX_FACT_ROWS);
    List<Rows.SeriesPoint> points = queries.series(filter, hourly, groupBy, limit);
    ObjectNode body = header(filter);
    body.put("bucket", hourly ? "hour" : "day");
    ArrayNode groups = body.putArray("group_by");
    groupBy.forEach(d -> groups.add(d.apiName()));
    body.put("truncated", points.size() > limit);
    ArrayNode rows = body.putArray("rows");
    for (Rows.SeriesPoint point : points.subList(0, Math.min(limit, points.size()))) {
      ObjectNode row = rows.addObject();
      row.put("date", point.date().toString());
      if (point.hour() != null) row.put("hour", point.hour());
      for (Dimension d : groupBy) row.put(d.apiName(), point.keys().get(d));
      row.setAll(totals(point.totals()));
    }
    return Answer.json(200, body);
  }

  private Answer top(Dimension dimension, QueryParameters p) throws SQLException {
    FactFilter filter = p.filter(today(), config.maxRangeDays());
    Measure sort = p.measure("sort", Measure.CLICKS);
    boolean descending = p.choice("order", true, Map.of("desc", true, "asc", false));
    int limit = p.integer("limit", 10, 1, MAX_TOP);
    ObjectNode body = header(filter);
    body.put("dimension", dimension.apiName());
    body.put("sort", sort.apiName());
    body.put("order", descending ? "desc" : "asc");
    ArrayNode rows = body.putArray("rows");
    for (Rows.TopEntry e : queries.top(filter, dimension, sort, descending, limit)) {
      ObjectNode row = rows.addObject();
      row.put("id", e.id());
      row.put("name", e.name());
      row.setAll(totals(e.totals()));
    }
    return Answer.json(200, body);
  }

  private Answer heatmap(QueryParameters p) throws SQLException {
    FactFilter filter = p.filter(today(), config.maxRangeDays());
    ObjectNode body = header(filter);
    ArrayNode cells = body.putArray("cells");
    for (Rows.HeatCell c : queries.heatmap(filter)) {
      ObjectNode cell = cells.addObject();
      cell.put("weekday", c.weekday());
      cell.put("hour", c.hour());
      cell.setAll(totals(c.totals()));
    }
    return Answer.json(200, body);
  }

  private Answer pipeline() throws SQLException {
    List<PipelineStatus> jobs = queries.withConnection(pipeline::readAll);
    ObjectNode body = JSON.createObjectNode();
    body.put("now", clock.instant().toString());
    ArrayNode array = body.putArray("jobs");
    for (PipelineStatus s : jobs) {
      ObjectNode job = array.addObject();
      job.put("job", s.job());
      job.put("started_at", s.startedAt().toString());
      job.put("last_batch_at", s.updatedAt().toString());
      job.put("seconds_since_last_batch", Math.max(0, Duration.between(s.updatedAt(), clock.instant()).toMillis()) / 1000.0);
      job.put("last_batch_id", s.batchId());
      job.put("batches", s.batches());
      job.put("input_per_second", s.inputPerSecond());
      job.put("processed_per_second", s.processedPerSecond());
      if (s.lagRecords() == null) job.putNull("lag_records");
      else job.put("lag_records", s.lagRecords());
      job.put("records_read", s.recordsRead());
      job.put("events_counted", s.eventsCounted());
      job.put("duplicates", s.duplicates());
      job.put("too_late", s.tooLate());
      job.put("dead_letters", s.deadLetters());
      ObjectNode reasons = job.putObject("dead_letters_by_reason");
      s.deadLettersByReason().forEach(reasons::put);
      job.put("rows_upserted", s.rowsUpserted());
      job.put("last_batch_millis", s.lastBatchMillis());
      if (s.freshnessP50Millis() == null) job.putNull("freshness_p50_millis");
      else job.put("freshness_p50_millis", s.freshnessP50Millis());
      if (s.freshnessP99Millis() == null) job.putNull("freshness_p99_millis");
      else job.put("freshness_p99_millis", s.freshnessP99Millis());
    }
    return Answer.json(200, body);
  }

  private Answer choices(Dimension dimension, QueryParameters p) throws SQLException {
    int limit = p.integer("limit", 200, 1, MAX_CHOICES);
    ObjectNode body = JSON.createObjectNode();
    body.put("dimension", dimension.apiName());
    ArrayNode rows = body.putArray("rows");
    for (Rows.Choice c : queries.choices(dimension, limit)) {
      ObjectNode row = rows.addObject();
      row.put("id", c.id());
      row.put("name", c.name());
    }
    return Answer.json(200, body);
  }

  private Answer meta() {
    ObjectNode body = JSON.createObjectNode();
    body.put("time_zone", config.factsZone().getId());
    body.put("today", today().toString());
    body.put("current_hour", ZonedDateTime.now(clock.withZone(config.factsZone())).getHour());
    body.put("currency", config.currency());
    body.put("refresh_seconds", config.refreshInterval().toMillis() / 1000.0);
    body.put("max_range_days", config.maxRangeDays());
    return Answer.json(200, body);
  }

  private ObjectNode header(FactFilter filter) {
    ObjectNode body = JSON.createObjectNode();
    body.put("from", filter.from().toString());
    body.put("to", filter.to().toString());
    body.put("time_zone", config.factsZone().getId());
    ObjectNode filters = body.putObject("filters");
    filterIds(filters, "job", filter.jobs());
    filterIds(filters, "campaign", filter.campaigns());
    filterIds(filters, "publisher", filter.publishers());
    filterIds(filters, "company", filter.companies());
    filterIds(filters, "group", filter.groups());
    return body;
  }

  private static void filterIds(ObjectNode filters, String name, List<Long> ids) {
    if (ids.isEmpty()) return;
    ArrayNode array = filters.putArray(name);
    ids.forEach(array::add);
  }

  /** Sums and KPIs; a KPI with a zero denominator is null. */
  static ObjectNode totals(Totals t) {
    ObjectNode node = JSON.createObjectNode();
    node.put("impressions", t.impressions());
    node.put("clicks", t.clicks());
    node.put("conversions", t.conversions());
    node.put("qualified", t.qualified());
    node.put("unqualified", t.unqualified());
    node.put("spend", t.spend());
    node.put("ctr", t.ctr());
    node.put("cpc", t.cpc());
    node.put("cpa", t.cpa());
    node.put("conversion_rate", t.conversionRate());
    node.put("qualified_ratio", t.qualifiedRatio());
    return node;
  }

  /** An error in the API's format: {@code {"error": code, "message": …}}. */
  public static Answer errorAnswer(int status, String code, String message) {
    return error(status, code, message, null);
  }

  static Answer error(int status, String code, String message, String parameter) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", code);
    body.put("message", message);
    if (parameter != null) body.put("parameter", QueryParameters.shown(parameter));
    return Answer.json(status, body);
  }

  private LocalDate today() {
    return LocalDate.now(clock.withZone(config.factsZone()));
  }

  private static Dimension dimension(String name) {
    Dimension d = Dimension.parse(name);
    if (d == null) {
      throw new BadRequest("dimension", "dimension must be one of job, campaign, publisher, company, group, got '"
          + QueryParameters.shown(name) + "'");
    }
    return d;
  }

  private static List<String> plus(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  private static byte[] resource(String name) {
    try (InputStream in = ApiRoutes.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name + " next to " + ApiRoutes.class);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The request's query parameters, checked against a route's list once the route is known. */
  private record Parameters(org.eclipse.jetty.util.Fields fields) {
    QueryParameters with(List<String> allowed) {
      return QueryParameters.of(fields, allowed);
    }
  }
}
