package io.trackpipe.serve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackpipe.domain.DashboardDefinition;
import io.trackpipe.domain.DashboardDefinition.DashboardDimension;
import io.trackpipe.domain.DashboardDefinition.Format;
import io.trackpipe.domain.DashboardDefinition.Kind;
import io.trackpipe.domain.DashboardDefinition.Measure;
import io.trackpipe.domain.Domain;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The API's OpenAPI document, generated from the domains: the template {@code openapi.json} describes every route and
 * the parameters all domains share; each domain's fact routes get its dimension filters, its dimension and measure
 * names as enums and its own {@code Totals} schema (its measures), under {@code /api/v1/domains/{name}/…}, and the
 * first domain's also under the routes without a domain.
 */
final class OpenApiDocument {
  /** The template's routes that answer a domain's questions: {@code /api/v1} + this is the default domain's route. */
  static final List<String> FACT_ROUTES = List.of("/kpis", "/facts", "/top/{dimension}", "/heatmap",
      "/dimensions/{dimension}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOTALS = "#/components/schemas/Totals";

  private OpenApiDocument() {}

  /** @param domains the domains with a dashboard, the default first */
  static byte[] generate(List<Domain> domains) {
    ObjectNode doc = template();
    ObjectNode paths = (ObjectNode) doc.path("paths");
    ObjectNode schemas = (ObjectNode) doc.path("components").path("schemas");
    ObjectNode generic = JSON.createObjectNode();
    for (String route : FACT_ROUTES) generic.set(route, paths.remove(ApiRoutes.PREFIX + route));
    JsonNode domainTemplate = paths.remove(ApiRoutes.PREFIX + "/domains/{domain}");
    schemas.remove("Totals");
    for (int i = 0; i < domains.size(); i++) {
      Domain domain = domains.get(i);
      String schema = "Totals_" + domain.name().replaceAll("[^A-Za-z0-9._-]", "_");
      schemas.set(schema, totalsSchema(domain.dashboard()));
      String base = ApiRoutes.PREFIX + "/domains/" + domain.name();
      ObjectNode describe = domainTemplate.deepCopy();
      ((ObjectNode) describe.path("get")).put("summary", "The dashboard of " + domain.name() + " (" + domain.title() + ")");
      paths.set(base, describe);
      for (String route : FACT_ROUTES) {
        JsonNode operation = forDomain(generic.path(route), domain.dashboard(), schema);
        paths.set(base + route, operation);
        if (i == 0) paths.set(ApiRoutes.PREFIX + route, operation.deepCopy());
      }
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The template's fact route for one domain: its filters, enums and Totals schema. */
  private static JsonNode forDomain(JsonNode route, DashboardDefinition dashboard, String schema) {
    String text = route.toString().replace("\"" + TOTALS + "\"", "\"#/components/schemas/" + schema + "\"");
    ObjectNode operation;
    try {
      operation = (ObjectNode) JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ArrayNode parameters = (ArrayNode) operation.path("get").path("parameters");
    List<JsonNode> kept = new ArrayList<>();
    parameters.forEach(kept::add);
    parameters.removeAll();
    boolean filtered = kept.stream().anyMatch(p -> p.path("name").asText().equals("to"));
    for (JsonNode p : kept) {
      ObjectNode parameter = (ObjectNode) p;
      String name = parameter.path("name").asText();
      if (name.equals("dimension")) enumOf((ObjectNode) parameter.path("schema"), dimensionNames(dashboard));
      if (name.equals("sort")) {
        ObjectNode s = (ObjectNode) parameter.path("schema");
        enumOf(s, dashboard.measures().stream().map(Measure::name).toList());
        s.put("default", dashboard.topMeasures().isEmpty() ? dashboard.measures().get(0).name() : dashboard.topMeasures().get(0));
      }
      if (name.equals("group_by")) {
        parameter.put("description", "Dimensions to group by, comma-separated (at most 3): "
            + String.join(", ", dimensionNames(dashboard)) + ".");
      }
      parameters.add(parameter);
      if (name.equals("to") && filtered) {
        for (DashboardDimension d : dashboard.dimensions()) parameters.add(filter(d));
      }
    }
    return operation;
  }

  /** A dimension's filter: a list of ids, one text of at most its length, or a list of an enum's values. */
  private static ObjectNode filter(DashboardDimension d) {
    ObjectNode p = JSON.createObjectNode();
    p.put("name", d.name());
    p.put("in", "query");
    p.put("required", false);
    ObjectNode schema = p.putObject("schema");
    if (d.isEnum()) {
      p.put("description", d.label() + ": the values to keep, comma-separated.");
      p.put("style", "form");
      p.put("explode", false);
      schema.put("type", "array");
      schema.put("uniqueItems", true);
      enumOf(schema.putObject("items").put("type", "string"), d.values());
    } else if (d.kind() == Kind.TEXT) {
      p.put("description", d.label() + ": one value, matched exactly (stored values are cut to " + d.maxLength()
          + " characters).");
      schema.put("type", "string");
      schema.put("maxLength", d.maxLength());
      schema.put("pattern", "^[^\\u0000-\\u001F\\u007F]*$");
    } else {
      p.put("description", d.label() + " ids, comma-separated (at most " + QueryParameters.MAX_IDS_PER_FILTER + ").");
      schema.put("type", "string");
      schema.put("pattern", "^\\d{1,18}(,\\d{1,18}){0," + (QueryParameters.MAX_IDS_PER_FILTER - 1) + "}$");
    }
    return p;
  }

  /** Each measure: an integer count, a number, or a ratio (null when its denominator is 0). */
  private static ObjectNode totalsSchema(DashboardDefinition dashboard) {
    ObjectNode schema = JSON.createObjectNode();
    schema.put("type", "object");
    schema.put("description", "The dashboard's measures: sums, distinct counts (exact over the whole range and filters,"
        + " counted from the values seen, never added up), and ratios of sums (null when the denominator is 0), rounded"
        + " to 6 decimals.");
    ObjectNode properties = schema.putObject("properties");
    for (Measure m : dashboard.measures()) {
      ObjectNode property = properties.putObject(m.name());
      property.put("description", m.label() + " (" + m.format().yamlName() + (m.isDistinct() ? ", distinct" : "") + ")");
      if (m.ratio()) property.putArray("type").add("number").add("null");
      else property.put("type", m.format() == Format.COUNT ? "integer" : "number");
    }
    return schema;
  }

  private static List<String> dimensionNames(DashboardDefinition dashboard) {
    return dashboard.dimensions().stream().map(DashboardDimension::name).toList();
  }

  private static void enumOf(ObjectNode schema, List<String> values) {
    ArrayNode e = schema.putArray("enum");
    values.forEach(e::add);
  }

  private static ObjectNode template() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream("openapi.json")) {
      if (in == null) throw new IllegalStateException("missing resource openapi.json next to " + OpenApiDocument.class);
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
