package io.trackpipe.serve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackpipe.domain.DashboardDefinition;
import io.trackpipe.domain.DashboardDefinition.DashboardDimension;
import io.trackpipe.domain.DashboardDefinition.Measure;
import io.trackpipe.domain.Domain;
import io.trackpipe.serve.ServeConfig;
import io.trackpipe.serve.query.FactFilter;
import io.trackpipe.serve.query.FactQueries;
import io.trackpipe.serve.query.RollupTableQueries;
import io.trackpipe.serve.query.Rows;
import io.trackpipe.serve.query.Totals;
import io.trackpipe.warehouse.status.PipelineStatus;
import io.trackpipe.warehouse.status.PipelineStatusTable;
import java.io.IOException;
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
 * The read-only query API under {@value #PREFIX}: the dashboards' numbers as JSON. {@code /domains} lists each domain's
 * dashboard (measures, dimensions, tiles, charts, filters); {@code /domains/{domain}/kpis} and the routes beside it
 * answer a domain's questions, generated from its dashboard definition; the same routes without
 * {@code /domains/{domain}} answer for the first (built-in) domain. Every route is a GET; parameters
 * are checked by {@link QueryParameters} (400 with a message naming the parameter); the routes and their parameters
 * are described by {@code openapi.json} (served at {@code /api/v1/openapi.json}).
 */
public final class ApiRoutes {
  public static final String PREFIX = "/api/v1";
  /** The routes every installation has, besides each domain's (see {@link #routes}). */
  private static final List<String> COMMON_ROUTES = List.of("/api/v1/pipeline", "/api/v1/meta", "/api/v1/rollups",
      "/api/v1/rollups/{table}", "/api/v1/rollups/{table}/range", "/api/v1/openapi.json", "/api/v1/domains");
  /** The most columns a range is grouped by. */
  static final int MAX_RANGE_KEYS = 4;
  static final int MAX_TOP = 100;
  static final int MAX_FACT_ROWS = 10_000;
  static final int MAX_CHOICES = 1000;

  private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NO_PARAMETERS = List.of();

  /** Each domain with a dashboard, by name, in catalogue order; the first answers the routes without a domain. */
  private final Map<String, FactQueries> domains;
  private final FactQueries queries;
  private final RollupTableQueries rollupTables;
  private final PipelineStatusTable pipeline;
  private final ServeConfig config;
  private final Clock clock;
  private final byte[] openApi;

  /** @param domains the queries of each domain with a dashboard, the built-in domain first */
  public ApiRoutes(List<FactQueries> domains, RollupTableQueries rollupTables, PipelineStatusTable pipeline,
      ServeConfig config, Clock clock) {
    if (domains.isEmpty()) throw new IllegalArgumentException("no domain with a dashboard");
    this.domains = new java.util.LinkedHashMap<>();
    domains.forEach(q -> this.domains.put(q.domain().name(), q));
    this.queries = domains.get(0);
    this.rollupTables = rollupTables;
    this.pipeline = pipeline;
    this.config = config;
    this.clock = clock;
    this.openApi = OpenApiDocument.generate(domains.stream().map(FactQueries::domain).toList());
  }

  /**
   * Every route, as written in the OpenAPI document: the common ones, the default domain's fact routes, and each
   * domain's under {@code /api/v1/domains/{name}}.
   */
  public static List<String> routes(List<String> domainNames) {
    List<String> routes = new ArrayList<>(COMMON_ROUTES);
    OpenApiDocument.FACT_ROUTES.forEach(r -> routes.add(PREFIX + r));
    for (String name : domainNames) {
      routes.add(PREFIX + "/domains/" + name);
      OpenApiDocument.FACT_ROUTES.forEach(r -> routes.add(PREFIX + "/domains/" + name + r));
    }
    return routes;
  }

  /** The OpenAPI document of {@code domains}' dashboards, as served at {@code /api/v1/openapi.json}. */
  public static byte[] openApi(io.trackpipe.domain.DomainCatalog domains) {
    return OpenApiDocument.generate(domains.domains().stream().filter(d -> d.dashboard() != null).toList());
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
      if (route.equals("/domains")) {
        query.with(NO_PARAMETERS);
        return domainList();
      }
      if (route.startsWith("/domains/")) {
        String rest = route.substring(9);
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        FactQueries domain = domains.get(name);
        if (domain == null) {
          return error(404, "unknown_domain", "no domain '" + QueryParameters.shown(name) + "' with a dashboard (domains: "
              + String.join(", ", domains.keySet()) + "; " + PREFIX + "/domains describes them)", null);
        }
        if (slash < 0) {
          query.with(NO_PARAMETERS);
          return Answer.json(200, describe(domain.domain()));
        }
        Answer answer = facts(domain, rest.substring(slash), query);
        if (answer != null) return answer;
        return error(404, "not_found", "no such route: " + QueryParameters.shown(path) + " (see " + PREFIX
            + "/openapi.json)", null);
      }
      Answer fact = facts(queries, route, query);
      if (fact != null) return fact;
      if (route.equals("/pipeline")) {
        query.with(NO_PARAMETERS);
        return pipeline();
      }
      if (route.equals("/meta")) {
        query.with(NO_PARAMETERS);
        return meta();
      }
      if (route.equals("/rollups")) {
        query.with(NO_PARAMETERS);
        return rollupTables();
      }
      if (route.startsWith("/rollups/") && route.endsWith("/range")) {
        return rollupRange(route.substring(9, route.length() - 6), query.with(List.of("from", "to", "by", "limit")));
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
      if (isMissingTable(e)) {
        // serve shows every loaded domain; one the stream has never run has no tables yet.
        return error(404, "no_tables_yet", "the tables behind " + QueryParameters.shown(route) + " do not exist yet: the"
            + " stream creates a domain's tables when it first streams the domain (stream.domains, or trackpipe stream"
            + " --domain); the numbers appear once it does", null);
      }
      // The cause names the warehouse's address, database and account: for the log, not for any client.
      log.warn("Query of {} failed: {}", path, e.toString());
      return error(503, "warehouse_unavailable", "the warehouse could not answer; try again later (the server's log"
          + " says why)", null);
    }
  }

  /** MariaDB's and MySQL's "table doesn't exist" (error 1146, SQL state 42S02). */
  private static boolean isMissingTable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && (sql.getErrorCode() == 1146 || "42S02".equals(sql.getSQLState()))) return true;
    }
    return false;
  }

  /** A domain's fact questions; null when {@code route} is none of them. */
  private Answer facts(FactQueries q, String route, Parameters query) throws SQLException {
    DashboardDefinition dashboard = q.domain().dashboard();
    List<String> filters = QueryParameters.filters(dashboard);
    if (route.equals("/kpis")) return kpis(q, query.with(filters));
    if (route.equals("/facts")) return series(q, query.with(plus(filters, "bucket", "group_by", "limit")));
    if (route.startsWith("/top/")) {
      return top(q, dimension(dashboard, route.substring(5)), query.with(plus(filters, "sort", "order", "limit")));
    }
    if (route.equals("/heatmap")) return heatmap(q, query.with(filters));
    if (route.startsWith("/dimensions/")) {
      return choices(q, dimension(dashboard, route.substring(12)), query.with(List.of("limit")));
    }
    return null;
  }

  private Answer domainList() {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("domains");
    domains.values().forEach(q -> list.add(describe(q.domain())));
    return Answer.json(200, body);
  }

  /** A domain's dashboard, as the page draws it: measures with label and format, dimensions, tiles, charts, filters. */
  static ObjectNode describe(Domain domain) {
    DashboardDefinition d = domain.dashboard();
    ObjectNode node = JSON.createObjectNode();
    node.put("name", domain.name());
    node.put("title", domain.title());
    node.put("subtitle", d.title());
    node.put("description", domain.description());
    // The stream's name for this domain: its row in /pipeline is the one whose job this is.
    node.put("stream", domain.sink());
    ArrayNode measures = node.putArray("measures");
    for (Measure m : d.measures()) {
      ObjectNode measure = measures.addObject();
      measure.put("name", m.name());
      measure.put("label", m.label());
      measure.put("format", m.format().yamlName());
      measure.put("ratio", m.ratio());
      // A distinct count (unique users): exact for the range and filters asked, never a sum of rows.
      measure.put("distinct", m.isDistinct());
    }
    ArrayNode dimensions = node.putArray("dimensions");
    for (DashboardDimension dim : d.dimensions()) {
      ObjectNode dimension = dimensions.addObject();
      dimension.put("name", dim.name());
      dimension.put("label", dim.label());
      // id: integer ids (filters take a list); text: one value of at most max_length; enum: a list of its values.
      dimension.put("type", dim.isEnum() ? "enum" : dim.kind().yamlName());
      if (dim.kind() == DashboardDefinition.Kind.TEXT) dimension.put("max_length", dim.maxLength());
      if (dim.isEnum()) dim.values().forEach(dimension.putArray("values")::add);
      dimension.put("named", dim.names() != null);
    }
    d.tiles().forEach(node.putArray("tiles")::add);
    d.timeChart().forEach(node.putArray("time_chart")::add);
    if (d.heatmap() == null) node.putNull("heatmap");
    else node.putObject("heatmap").put("measure", d.heatmap().measure());
    ObjectNode top = node.putObject("top");
    d.top().forEach(top.putArray("dimensions")::add);
    d.topMeasures().forEach(top.putArray("measures")::add);
    d.filters().forEach(node.putArray("filters")::add);
    node.put("path", PREFIX + "/domains/" + domain.name());
    return node;
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
    FactFilter range = p.filter(today(), config.maxRangeDays(), queries.domain().dashboard());
    int limit = p.integer("limit", 1000, 1, MAX_FACT_ROWS);
    List<Map<String, Object>> rows = rollupTables.rows(table, range.from(), range.to(), limit);
    ObjectNode body = JSON.createObjectNode();
    body.put("table", table.name());
    if (table.time() != null) {
      body.put("from", range.from().toString());
      body.put("to", range.to().toString());
    }
    body.put("truncated", rows.size() > limit);
    putRows(body.putArray("rows"), rows.subList(0, Math.min(limit, rows.size())));
    return Answer.json(200, body);
  }

  /**
   * A rollup table over a date range, regrouped by {@code by}: sums summed, ratios of the sums, distinct counts
   * recounted over the range from their side tables (exact, whatever the range).
   */
  private Answer rollupRange(String name, QueryParameters p) throws SQLException {
    RollupTableQueries.Table table = rollupTables.table(name).orElseThrow(() -> new BadRequest("table", "no rollup table or view '"
        + QueryParameters.shown(name) + "'; " + PREFIX + "/rollups lists them"));
    if (!rollupTables.rangeable(table)) {
      throw new BadRequest("table", "'" + table.name() + "' has no day or hour column to take a range of (a view holds"
          + " all-time totals already); " + PREFIX + "/rollups lists the tables with date_range");
    }
    FactFilter range = p.filter(today(), config.maxRangeDays(), queries.domain().dashboard());
    List<String> by = p.columns("by", MAX_RANGE_KEYS, rollupTables.rangeKeys(table));
    int limit = p.integer("limit", 1000, 1, MAX_FACT_ROWS);
    List<Map<String, Object>> rows = rollupTables.range(table, range.from(), range.to(), by, limit);
    ObjectNode body = JSON.createObjectNode();
    body.put("table", table.name());
    body.put("from", range.from().toString());
    body.put("to", range.to().toString());
    by.forEach(body.putArray("by")::add);
    body.put("truncated", rows.size() > limit);
    putRows(body.putArray("rows"), rows.subList(0, Math.min(limit, rows.size())));
    return Answer.json(200, body);
  }

  private static void putRows(ArrayNode out, List<Map<String, Object>> rows) {
    for (Map<String, Object> row : rows) {
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
  }

  private Answer kpis(FactQueries queries, QueryParameters p) throws SQLException {
    FactFilter filter = p.filter(today(), config.maxRangeDays(), queries.domain().dashboard());
    ObjectNode body = header(filter);
    body.set("totals", totals(queries.totals(filter)));
    return Answer.json(200, body);
  }

  private Answer series(FactQueries queries, QueryParameters p) throws SQLException {
    DashboardDefinition dashboard = queries.domain().dashboard();
    FactFilter filter = p.filter(today(), config.maxRangeDays(), dashboard);
    boolean hourly = p.choice("bucket", true, Map.of("hour", true, "day", false));
    List<DashboardDimension> groupBy = p.dimensions("group_by", 3, dashboard);
    int limit = p.integer("limit", 2000, 1, MAX_FACT_ROWS);
    List<Rows.SeriesPoint> points = queries.series(filter, hourly, groupBy, limit);
    ObjectNode body = header(filter);
    body.put("bucket", hourly ? "hour" : "day");
    ArrayNode groups = body.putArray("group_by");
    groupBy.forEach(d -> groups.add(d.name()));
    body.put("truncated", points.size() > limit);
    ArrayNode rows = body.putArray("rows");
    for (Rows.SeriesPoint point : points.subList(0, Math.min(limit, points.size()))) {
      ObjectNode row = rows.addObject();
      row.put("date", point.date().toString());
      if (point.hour() != null) row.put("hour", point.hour());
      for (DashboardDimension d : groupBy) putValue(row, d.name(), point.keys().get(d.name()));
      row.setAll(totals(point.totals()));
    }
    return Answer.json(200, body);
  }

  private Answer top(FactQueries queries, DashboardDimension dimension, QueryParameters p) throws SQLException {
    DashboardDefinition dashboard = queries.domain().dashboard();
    FactFilter filter = p.filter(today(), config.maxRangeDays(), dashboard);
    // The default order: the top tables' first measure, else the first measure.
    String first = dashboard.topMeasures().isEmpty() ? dashboard.measures().get(0).name() : dashboard.topMeasures().get(0);
    Measure sort = p.measure("sort", dashboard.measure(first).orElseThrow(), dashboard);
    boolean descending = p.choice("order", true, Map.of("desc", true, "asc", false));
    int limit = p.integer("limit", 10, 1, MAX_TOP);
    ObjectNode body = header(filter);
    body.put("dimension", dimension.name());
    body.put("sort", sort.name());
    body.put("order", descending ? "desc" : "asc");
    ArrayNode rows = body.putArray("rows");
    for (Rows.TopEntry e : queries.top(filter, dimension, sort, descending, limit)) {
      ObjectNode row = rows.addObject();
      putValue(row, "id", e.id());
      row.put("name", e.name());
      row.setAll(totals(e.totals()));
    }
    return Answer.json(200, body);
  }

  private Answer heatmap(FactQueries queries, QueryParameters p) throws SQLException {
    FactFilter filter = p.filter(today(), config.maxRangeDays(), queries.domain().dashboard());
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

  private Answer choices(FactQueries queries, DashboardDimension dimension, QueryParameters p) throws SQLException {
    int limit = p.integer("limit", 200, 1, MAX_CHOICES);
    ObjectNode body = JSON.createObjectNode();
    body.put("dimension", dimension.name());
    ArrayNode rows = body.putArray("rows");
    for (Rows.Choice c : queries.choices(dimension, limit)) {
      ObjectNode row = rows.addObject();
      putValue(row, "id", c.id());
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
    filter.values().forEach((name, values) -> {
      ArrayNode array = filters.putArray(name);
      values.forEach(v -> {
        if (v instanceof Long id) array.add(id);
        else array.add((String) v);
      });
    });
    return body;
  }

  /** A dimension's value: a number for an id, a string for a text. */
  private static void putValue(ObjectNode node, String name, Object value) {
    if (value instanceof Long id) node.put(name, id);
    else node.put(name, (String) value);
  }

  /** Every measure by name; a ratio with a zero denominator is null. */
  static ObjectNode totals(Totals t) {
    ObjectNode node = JSON.createObjectNode();
    t.values().forEach((name, value) -> {
      if (value == null) node.putNull(name);
      else if (value instanceof Long l) node.put(name, l);
      else node.put(name, (java.math.BigDecimal) value);
    });
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

  private static DashboardDimension dimension(DashboardDefinition dashboard, String name) {
    return dashboard.dimension(name).orElseThrow(() -> new BadRequest("dimension", "dimension must be one of "
        + String.join(", ", dashboard.dimensions().stream().map(DashboardDimension::name).toList()) + ", got '"
        + QueryParameters.shown(name) + "'"));
  }

  private static List<String> plus(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  /** The request's query parameters, checked against a route's list once the route is known. */
  private record Parameters(org.eclipse.jetty.util.Fields fields) {
    QueryParameters with(List<String> allowed) {
      return QueryParameters.of(fields, allowed);
    }
  }
}
