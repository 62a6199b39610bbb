package io.trackpipe.rollup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trackpipe.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rollups the jobs compute and the lookups they read, loaded from YAML files (the built-in
 * {@code rollups/job-ads.yaml}, then the files of {@code rollup.definitions}) and checked for everything that can be
 * checked without Spark: names, kinds, references between metrics, views and lookups. Every problem is reported at
 * once, with its file and rollup. Spark checks the expressions against the source columns at start-up.
 */
public record RollupCatalog(List<Lookup> lookups, List<RollupDefinition> rollups) {
  /** The job-ads domain, whose rollups every installation has. */
  public static final String BUILT_IN = "domains/job-ads.yaml";
  /** Columns every rollup table has for bookkeeping: which path wrote the row, and when (UTC). */
  public static final List<String> BOOKKEEPING_COLUMNS = List.of("sources", "latest_update_time");

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,63}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public RollupCatalog {
    lookups = List.copyOf(lookups);
    rollups = List.copyOf(rollups);
  }

  /** The built-in definitions plus those in {@code files}. */
  public static RollupCatalog load(List<Path> files) {
    Parser parser = new Parser();
    try (InputStream in = RollupCatalog.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
      if (in == null) throw new IllegalStateException("missing resource " + BUILT_IN);
      parser.parseSection(BUILT_IN, YAML.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + BUILT_IN, e);
    }
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        parser.problems.add(file + ": no such file (rollup.definitions)");
        continue;
      }
      try {
        parser.parse(file.toString(), YAML.readTree(file.toFile()));
      } catch (IOException e) {
        parser.problems.add(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    return parser.finish();
  }

  /** Definitions from YAML text alone, without the built-in ones (for tests and tools). */
  public static RollupCatalog parse(String origin, String yaml) {
    Parser parser = new Parser();
    try {
      parser.parse(origin, YAML.readTree(yaml));
    } catch (IOException e) {
      parser.problems.add(origin + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return parser.finish();
  }

  public Optional<Lookup> lookup(String name) {
    return lookups.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  public Optional<RollupDefinition> rollup(String name) {
    return rollups.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /**
   * The {@code lookups}, {@code metric-sets} and {@code rollups} of a domain's definition (other keys are the domain's),
   * plus those of {@code extraFiles}.
   *
   * @param problems where every problem is added, with its file and rollup; the catalog returned then holds what was valid
   */
  public static RollupCatalog ofDomain(String origin, JsonNode domain, List<Path> extraFiles, List<String> problems) {
    Parser parser = new Parser();
    parser.parseSection(origin, domain);
    for (Path file : extraFiles) {
      if (!Files.isRegularFile(file)) {
        parser.problems.add(file + ": no such file (rollup.definitions)");
        continue;
      }
      try {
        parser.parse(file.toString(), YAML.readTree(file.toFile()));
      } catch (IOException e) {
        parser.problems.add(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    RollupCatalog catalog = parser.check();
    problems.addAll(parser.problems);
    return catalog;
  }

  /** Reads the YAML tree by hand, so that each problem names where it is. */
  private static final class Parser {
    final List<String> problems = new ArrayList<>();
    final List<Lookup> lookups = new ArrayList<>();
    final List<RollupDefinition> rollups = new ArrayList<>();
    /** Lists of metrics several rollups share, by name (a file's sets are visible to the files read after it). */
    final Map<String, JsonNode> metricSets = new LinkedHashMap<>();

    void parse(String origin, JsonNode root) {
      if (root == null || root.isMissingNode() || root.isNull()) return;
      if (!root.isObject()) {
        problems.add(origin + ": expected a mapping with 'lookups' and 'rollups'");
        return;
      }
      unknownKeys(origin, root, Set.of("lookups", "metric-sets", "rollups"));
      parseSection(origin, root);
    }

    void parseSection(String origin, JsonNode root) {
      JsonNode sets = root.path("metric-sets");
      if (!sets.isMissingNode() && !sets.isObject()) problems.add(origin + ": 'metric-sets' must map names to lists of metrics");
      sets.fields().forEachRemaining(e -> metricSets.put(e.getKey(), e.getValue()));
      for (JsonNode node : list(origin, root, "lookups")) {
        lookup(origin, node).ifPresent(lookups::add);
      }
      for (JsonNode node : list(origin, root, "rollups")) {
        rollup(origin, node).ifPresent(rollups::add);
      }
    }

    RollupCatalog finish() {
      RollupCatalog catalog = check();
      if (!problems.isEmpty()) throw new ConfigException(problems);
      return catalog;
    }

    /** Cross-checks names and references, adding problems; the catalog of what was read. */
    RollupCatalog check() {
      Set<String> names = new HashSet<>();
      Set<String> tables = new HashSet<>();
      for (Lookup lookup : lookups) {
        if (!names.add("lookup " + lookup.name())) problems.add("lookup '" + lookup.name() + "' is declared twice");
      }
      for (RollupDefinition rollup : rollups) {
        if (!names.add("rollup " + rollup.name())) problems.add("rollup '" + rollup.name() + "' is declared twice");
        if (!tables.add(rollup.table())) problems.add("rollup '" + rollup.name() + "': table '" + rollup.table() + "' is the target of another rollup");
        for (TotalsView view : rollup.views()) {
          if (!tables.add(view.name())) problems.add("rollup '" + rollup.name() + "': view '" + view.name() + "' has the name of another table or view");
        }
        for (String lookup : rollup.lookups()) {
          if (lookups.stream().noneMatch(l -> l.name().equals(lookup))) {
            problems.add("rollup '" + rollup.name() + "': unknown lookup '" + lookup + "' (declared: "
                + lookups.stream().map(Lookup::name).toList() + ")");
          }
        }
      }
      return new RollupCatalog(lookups, rollups);
    }

    Optional<Lookup> lookup(String origin, JsonNode node) {
      String where = origin + ", lookup";
      if (!node.isObject()) {
        problems.add(where + ": expected a mapping");
        return Optional.empty();
      }
      String name = identifier(where, node, "name", true);
      where = origin + ", lookup '" + name + "'";
      unknownKeys(where, node, Set.of("name", "table", "key", "on", "columns"));
      String table = identifier(where, node, "table", true);
      String key = identifier(where, node, "key", true);
      String on = identifier(where, node, "on", true);
      Map<String, String> columns = new LinkedHashMap<>();
      JsonNode cols = node.path("columns");
      if (!cols.isObject() || cols.isEmpty()) {
        problems.add(where + ": 'columns' must map source column names to the table's columns, e.g. {company_id: company_id}");
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = cols.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (checkIdentifier(where + ", column", e.getKey()) && checkIdentifier(where + ", column " + e.getKey(), e.getValue().asText())) {
            columns.put(e.getKey(), e.getValue().asText());
          }
        }
      }
      if (name == null || table == null || key == null || on == null) return Optional.empty();
      return Optional.of(new Lookup(name, table, key, on, columns));
    }

    Optional<RollupDefinition> rollup(String origin, JsonNode node) {
      if (!node.isObject()) {
        problems.add(origin + ", rollup: expected a mapping");
        return Optional.empty();
      }
      int before = problems.size();
      String name = identifier(origin + ", rollup", node, "name", true);
      String where = origin + ", rollup '" + name + "'";
      unknownKeys(where, node, Set.of("name", "description", "table", "filter", "lookups", "dimensions", "attributes", "metrics", "views"));
      String table = node.has("table") ? identifier(where, node, "table", true) : name;
      String description = text(node, "description");
      String filter = text(node, "filter");
      List<String> lookupNames = new ArrayList<>();
      for (JsonNode l : list(where, node, "lookups")) lookupNames.add(l.asText());

      Set<String> columns = new HashSet<>(RollupCatalog.BOOKKEEPING_COLUMNS);
      List<Dimension> dimensions = new ArrayList<>();
      for (JsonNode d : list(where, node, "dimensions")) {
        dimension(where, d).ifPresent(dim -> {
          if (columns.add(dim.name())) dimensions.add(dim);
          else problems.add(where + ": column '" + dim.name() + "' is declared twice or is reserved " + RollupCatalog.BOOKKEEPING_COLUMNS);
        });
      }
      if (dimensions.isEmpty()) problems.add(where + ": no dimensions (the table's key); declare at least one");
      List<String> attributes = new ArrayList<>();
      for (JsonNode a : list(where, node, "attributes")) {
        if (checkIdentifier(where + ", attribute", a.asText())) {
          if (columns.add(a.asText())) attributes.add(a.asText());
          else problems.add(where + ": column '" + a.asText() + "' is declared twice or is reserved");
        }
      }
      List<Metric> metrics = new ArrayList<>();
      JsonNode declared = node.path("metrics");
      if (declared.isTextual()) {
        if (!metricSets.containsKey(declared.asText())) {
          problems.add(where + ": metrics '" + declared.asText() + "' is not one of the metric-sets " + metricSets.keySet());
        }
        declared = metricSets.getOrDefault(declared.asText(), com.fasterxml.jackson.databind.node.MissingNode.getInstance());
      }
      for (JsonNode m : list(where, declared, "metrics")) {
        metric(where, m, metrics).ifPresent(metric -> {
          if (columns.add(metric.name())) metrics.add(metric);
          else problems.add(where + ": column '" + metric.name() + "' is declared twice or is reserved");
        });
      }
      if (metrics.isEmpty()) problems.add(where + ": no metrics; declare at least one");
      List<TotalsView> views = new ArrayList<>();
      for (JsonNode v : list(where, node, "views")) {
        view(where, v, dimensions).ifPresent(views::add);
      }
      RollupDefinition definition = new RollupDefinition(name == null ? "?" : name, description, table == null ? "?" : table,
          filter, lookupNames, dimensions, attributes, metrics, views);
      if (!dimensions.isEmpty() && definition.granularity().isEmpty()) {
        problems.add(where + ": no time dimension with time: day or time: hour. Every rollup is bucketed in time so that a"
            + " time range can be recomputed from the raw store; for all-time totals declare a view over a daily rollup");
      }
      return problems.size() == before ? Optional.of(definition) : Optional.empty();
    }

    Optional<Dimension> dimension(String where, JsonNode node) {
      if (node.isTextual()) {
        return checkIdentifier(where + ", dimension", node.asText()) ? Optional.of(Dimension.column(node.asText())) : Optional.empty();
      }
      if (!node.isObject()) {
        problems.add(where + ": a dimension is a source column name or a mapping with 'name'");
        return Optional.empty();
      }
      String name = identifier(where + ", dimension", node, "name", true);
      String at = where + ", dimension '" + name + "'";
      unknownKeys(at, node, Set.of("name", "column", "time", "default"));
      String time = text(node, "time");
      String column = text(node, "column");
      String defaultValue = node.has("default") ? node.get("default").asText() : null;
      if (name == null) return Optional.empty();
      if (time != null) {
        Optional<TimeGrain> grain = TimeGrain.parse(time);
        if (grain.isEmpty()) {
          problems.add(at + ": unknown time '" + time + "' (expected one of " + TimeGrain.names() + ")");
          return Optional.empty();
        }
        if (column != null || defaultValue != null) {
          problems.add(at + ": a time dimension buckets the event time; it takes no 'column' or 'default'");
          return Optional.empty();
        }
        return Optional.of(Dimension.time(name, grain.get()));
      }
      return Optional.of(new Dimension(name, column == null ? name : column, null, defaultValue));
    }

    Optional<Metric> metric(String where, JsonNode node, List<Metric> earlier) {
      if (!node.isObject()) {
        problems.add(where + ": a metric is a mapping with 'name' and 'kind'");
        return Optional.empty();
      }
      String name = identifier(where + ", metric", node, "name", true);
      String at = where + ", metric '" + name + "'";
      unknownKeys(at, node, Set.of("name", "kind", "of", "where", "numerator", "denominator", "sum", "count"));
      String kindText = text(node, "kind");
      String of = text(node, "of");
      String condition = text(node, "where");
      if (name == null) return Optional.empty();
      if (kindText == null) {
        problems.add(at + ": no 'kind' (one of count, count-if, sum, min, max, average, distinct, ratio)");
        return Optional.empty();
      }
      Metric.Kind kind;
      switch (kindText) {
        case "count" -> kind = Metric.Kind.COUNT;
        case "count-if" -> {
          kind = Metric.Kind.COUNT;
          if (condition == null) problems.add(at + ": count-if needs a 'where' condition");
        }
        case "sum" -> kind = Metric.Kind.SUM;
        case "min" -> kind = Metric.Kind.MIN;
        case "max" -> kind = Metric.Kind.MAX;
        case "distinct" -> kind = Metric.Kind.DISTINCT;
        case "ratio", "average" -> kind = Metric.Kind.RATIO;
        default -> {
          problems.add(at + ": unknown kind '" + kindText + "' (expected one of count, count-if, sum, min, max, average, distinct, ratio)");
          return Optional.empty();
        }
      }
      if (kind == Metric.Kind.COUNT && of != null) {
        problems.add(at + ": " + kindText + " counts events and takes no 'of' (use distinct to count values)");
      }
      if ((kind == Metric.Kind.SUM || kind == Metric.Kind.MIN || kind == Metric.Kind.MAX || kind == Metric.Kind.DISTINCT) && of == null) {
        problems.add(at + ": " + kindText + " needs 'of': the source column or expression it reads");
      }
      if (kind != Metric.Kind.RATIO) {
        return Optional.of(new Metric(name, kind, of, condition, null, null));
      }
      boolean average = kindText.equals("average");
      String numerator = text(node, average ? "sum" : "numerator");
      String denominator = text(node, average ? "count" : "denominator");
      if (of != null || condition != null) {
        problems.add(at + ": " + kindText + " divides two metrics of this rollup; it takes no 'of' or 'where'");
      }
      if (numerator == null || denominator == null) {
        problems.add(at + (average ? ": average needs 'sum' and 'count': names of a sum and a count metric declared before it"
            : ": ratio needs 'numerator' and 'denominator': names of count or sum metrics declared before it"));
        return Optional.empty();
      }
      for (String part : List.of(numerator, denominator)) {
        Optional<Metric> ref = earlier.stream().filter(m -> m.name().equals(part)).findFirst();
        if (ref.isEmpty()) {
          problems.add(at + ": '" + part + "' is not a metric declared before it in this rollup");
        } else if (!ref.get().kind().additive()) {
          problems.add(at + ": '" + part + "' is a " + ref.get().kind().yamlName() + " metric; a ratio divides count or sum metrics");
        }
      }
      return Optional.of(new Metric(name, kind, null, null, numerator, denominator));
    }

    Optional<TotalsView> view(String where, JsonNode node, List<Dimension> dimensions) {
      String name = identifier(where + ", view", node, "name", true);
      String at = where + ", view '" + name + "'";
      unknownKeys(at, node, Set.of("name", "keep"));
      List<String> keep = new ArrayList<>();
      for (JsonNode k : list(at, node, "keep")) {
        if (dimensions.stream().noneMatch(d -> d.name().equals(k.asText()))) {
          problems.add(at + ": keeps '" + k.asText() + "', which is not a dimension of this rollup");
        }
        keep.add(k.asText());
      }
      return name == null ? Optional.empty() : Optional.of(new TotalsView(name, keep));
    }

    List<JsonNode> list(String where, JsonNode node, String field) {
      JsonNode value = node.isArray() ? node : node.path(field);
      if (value.isMissingNode() || value.isNull()) return List.of();
      if (!value.isArray()) {
        problems.add(where + ": '" + field + "' must be a list");
        return List.of();
      }
      List<JsonNode> items = new ArrayList<>();
      value.forEach(items::add);
      return items;
    }

    String identifier(String where, JsonNode node, String field, boolean required) {
      JsonNode value = node.path(field);
      if (value.isMissingNode() || value.isNull()) {
        if (required) problems.add(where + ": missing '" + field + "'");
        return null;
      }
      return checkIdentifier(where + ", " + field, value.asText()) ? value.asText() : null;
    }

    boolean checkIdentifier(String where, String text) {
      if (IDENTIFIER.matcher(text).matches()) return true;
      problems.add(where + ": '" + text + "' is not a plain lower-case SQL name (letters, digits, _; at most 64)");
      return false;
    }

    void unknownKeys(String where, JsonNode node, Set<String> known) {
      node.fieldNames().forEachRemaining(key -> {
        if (!known.contains(key)) problems.add(where + ": unknown key '" + key + "' (expected " + new java.util.TreeSet<>(known) + ")");
      });
    }

    static String text(JsonNode node, String field) {
      JsonNode value = node.path(field);
      return value.isMissingNode() || value.isNull() ? null : value.asText();
    }
  }
}
