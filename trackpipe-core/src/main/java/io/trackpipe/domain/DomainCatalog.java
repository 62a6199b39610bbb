package io.trackpipe.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import io.trackpipe.domain.DashboardDefinition.DashboardDimension;
import io.trackpipe.domain.DashboardDefinition.Format;
import io.trackpipe.domain.DashboardDefinition.Heatmap;
import io.trackpipe.domain.DashboardDefinition.Kind;
import io.trackpipe.domain.DashboardDefinition.Measure;
import io.trackpipe.domain.DashboardDefinition.NameTable;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TimeGrain;
import io.trackpipe.rollup.TotalsView;
import io.trackpipe.session.SessionDefinition;
import io.trackpipe.session.SessionRollups;
import java.time.Duration;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The domains trackpipe runs: the built-in definition files shipped in the jar ({@link #BUILT_IN}), then the files of
 * {@code domain.definitions}. Everything that can be checked without Spark is checked here, across all files, and every
 * problem is reported at once with its file, domain and field, rollup or dashboard part ({@link ConfigException}, exit
 * code 3); Spark checks the derived columns' and rollups' expressions against the source columns when a job starts.
 */
public record DomainCatalog(List<Domain> domains) {
  /** The domains every installation has, in this order. */
  public static final List<String> BUILT_IN = List.of("domains/job-ads.yaml", "domains/ecommerce.yaml",
      "domains/clickstream.yaml");
  /** The domain that existing settings ({@code kafka.topic.*}, {@code rollup.definitions}) and routes refer to. */
  public static final String JOB_ADS = "job-ads";
  /** The built-in shop domain ({@code domains/ecommerce.yaml}). */
  public static final String ECOMMERCE = "ecommerce";
  /** The built-in web clickstream domain ({@code domains/clickstream.yaml}). */
  public static final String CLICKSTREAM = "clickstream";

  public static final Setting<String> DEFINITIONS = Setting.of("domain.definitions", ValueType.STRING, "",
      "Comma-separated YAML files, each declaring a domain of your own (events, rollups, dashboard) to run next to the"
          + " built-in ones; see docs/domains.md.");
  public static final List<Setting<?>> SETTINGS = List.of(DEFINITIONS);
  /**
   * The characters a text key column of a rollup table keeps ({@code VARCHAR(191)}): at 4 bytes a character in utf8mb4,
   * 191 is the most that fits InnoDB's 767-byte index prefix, and four fit a 3072-byte primary key with numbers and
   * dates beside them. Longer values are stored cut to their first 191 characters (docs/rollups.md).
   */
  public static final int TEXT_KEY_CHARS = 191;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DOMAIN_NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,63}");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Set<String> KEYS = Set.of("name", "title", "description", "topics", "raw-table", "sink", "fields",
      "id", "time", "partition-key", "unknown-fields", "derived", "rules", "lookups", "metric-sets", "rollups", "dashboard", "sessions");

  public DomainCatalog {
    domains = List.copyOf(domains);
  }

  /**
   * The built-in domains, then those of {@code files}.
   *
   * @param jobAdsRollupFiles rollup files added to the job-ads domain ({@code rollup.definitions})
   * @throws ConfigException with every problem of every file
   */
  public static DomainCatalog load(List<Path> files, List<Path> jobAdsRollupFiles) {
    Loader loader = new Loader();
    for (String resource : BUILT_IN) {
      try (InputStream in = DomainCatalog.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) throw new IllegalStateException("missing resource " + resource);
        // rollup.definitions extend job ads only: the other built-in domains keep exactly what their file declares.
        loader.domain(resource, YAML.readTree(in), resource.equals(BUILT_IN.get(0)) ? jobAdsRollupFiles : List.of());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + resource, e);
      }
    }
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        loader.problems.add(file + ": no such file (domain.definitions)");
        continue;
      }
      try {
        loader.domain(file.toString(), YAML.readTree(file.toFile()), List.of());
      } catch (IOException e) {
        loader.problems.add(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    return loader.finish();
  }

  /** The built-in domains and those configured ({@link #DEFINITIONS}, {@code rollup.definitions}). */
  public static DomainCatalog from(Configuration config) {
    return load(paths(config.get(DEFINITIONS)), paths(config.get(io.trackpipe.rollup.RollupConfig.DEFINITIONS)));
  }

  /** One domain from YAML text alone (for tests and tools). */
  public static Domain parse(String origin, String yaml) {
    Loader loader = new Loader();
    try {
      loader.domain(origin, YAML.readTree(yaml), List.of());
    } catch (IOException e) {
      loader.problems.add(origin + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return loader.finish().domains().get(0);
  }

  public Optional<Domain> domain(String name) {
    return domains.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  /** The job-ads domain. */
  public Domain jobAds() {
    return domain(JOB_ADS).orElseThrow();
  }

  /**
   * The part of this catalogue that {@code names} lists, in the catalogue's order.
   *
   * @throws IllegalArgumentException naming the unknown names and the known ones
   */
  public DomainCatalog only(List<String> names) {
    List<String> unknown = names.stream().filter(n -> domain(n).isEmpty()).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown domain(s) " + unknown + " (loaded: " + names() + ")");
    }
    return new DomainCatalog(domains.stream().filter(d -> names.contains(d.name())).toList());
  }

  public List<String> names() {
    return domains.stream().map(Domain::name).toList();
  }

  private static List<Path> paths(String list) {
    return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
  }

  /** Reads each file by hand, so that every problem says where it is. */
  private static final class Loader {
    final List<String> problems = new ArrayList<>();
    final List<Domain> domains = new ArrayList<>();

    DomainCatalog finish() {
      Map<String, String> owners = new HashMap<>();
      for (Domain d : domains) {
        claim(owners, "domain name '" + d.name() + "'", d);
        claim(owners, "topic '" + d.topics().events() + "'", d);
        claim(owners, "topic '" + d.topics().deadLetters() + "'", d);
        claim(owners, "raw-store table '" + d.rawTable() + "'", d);
        claim(owners, "sink '" + d.sink() + "'", d);
        if (d.sessions() != null) claim(owners, "warehouse table '" + d.sessions().stateTable() + "'", d);
        for (RollupDefinition r : d.rollups().rollups()) {
          claim(owners, "warehouse table '" + r.table() + "'", d);
          for (TotalsView v : r.views()) claim(owners, "warehouse table '" + v.name() + "'", d);
        }
      }
      if (!problems.isEmpty()) throw new ConfigException(problems);
      return new DomainCatalog(domains);
    }

    private void claim(Map<String, String> owners, String what, Domain domain) {
      String where = domain.origin() + " (domain '" + domain.name() + "')";
      String earlier = owners.putIfAbsent(what, where);
      if (earlier != null) problems.add(where + ": " + what + " is already used by " + earlier);
    }

    void domain(String origin, JsonNode root, List<Path> extraRollupFiles) {
      int before = problems.size();
      if (root == null || !root.isObject()) {
        problems.add(origin + ": expected a mapping with the domain's name, fields, id, time and rollups");
        return;
      }
      String name = text(root, "name");
      if (name == null || !DOMAIN_NAME.matcher(name).matches()) {
        problems.add(origin + ": 'name' must be a lower-case name of letters, digits and '-' (at most 40), got "
            + (name == null ? "nothing" : "'" + name + "'"));
        name = "?";
      }
      String at = origin + " (domain '" + name + "')";
      unknownKeys(at, root, KEYS);
      String title = Optional.ofNullable(text(root, "title")).orElse(name);
      String description = text(root, "description");

      JsonNode topicsNode = root.path("topics");
      unknownKeys(at + ", topics", topicsNode, Set.of("events", "dead-letters"));
      String eventsTopic = Optional.ofNullable(text(topicsNode, "events")).orElse(name + "-events");
      String deadTopic = Optional.ofNullable(text(topicsNode, "dead-letters")).orElse(eventsTopic + "-dead-letter");
      for (String topic : List.of(eventsTopic, deadTopic)) {
        if (!TOPIC.matcher(topic).matches()) problems.add(at + ", topics: '" + topic + "' is not a valid Kafka topic name");
      }
      if (eventsTopic.equals(deadTopic)) problems.add(at + ", topics: events and dead-letters must differ, both are '" + eventsTopic + "'");
      String rawTable = Optional.ofNullable(text(root, "raw-table")).orElse(name.replace('-', '_') + "_events");
      checkIdentifier(at + ", raw-table", rawTable);
      String sink = Optional.ofNullable(text(root, "sink")).orElse(name + "-stream");

      List<EventField> fields = fields(at, root);
      Set<String> fieldNames = new HashSet<>();
      fields.forEach(f -> fieldNames.add(f.name()));
      EventId id = id(at, root.path("id"), fields);
      EventTime time = time(at, root.path("time"), fields);
      List<String> partitionKey = new ArrayList<>();
      for (JsonNode k : list(at, root, "partition-key")) {
        if (!fieldNames.contains(k.asText())) problems.add(at + ", partition-key: '" + k.asText() + "' is not a field");
        partitionKey.add(k.asText());
      }
      UnknownFields unknown = UnknownFields.REFUSE;
      String unknownText = text(root, "unknown-fields");
      if (unknownText != null) {
        switch (unknownText) {
          case "refuse" -> unknown = UnknownFields.REFUSE;
          case "ignore" -> unknown = UnknownFields.IGNORE;
          default -> problems.add(at + ", unknown-fields: '" + unknownText + "' (expected refuse or ignore)");
        }
      }
      List<DerivedColumn> derived = new ArrayList<>();
      Set<String> columns = new HashSet<>(fieldNames);
      for (JsonNode node : list(at, root, "derived")) {
        String column = text(node, "name");
        String where = at + ", derived column '" + column + "'";
        unknownKeys(where, node, Set.of("name", "expression", "description"));
        String expression = text(node, "expression");
        if (column == null || !checkIdentifier(at + ", derived column", column)) continue;
        if (EventSchema.RESERVED.contains(column) || !columns.add(column)) {
          problems.add(where + ": the name is taken by a field, another derived column or the pipeline " + EventSchema.RESERVED);
        }
        if (expression == null || expression.isBlank()) {
          problems.add(where + ": missing 'expression' (a Spark SQL expression over the fields)");
          continue;
        }
        derived.add(new DerivedColumn(column, expression, text(node, "description")));
      }
      EventSchema draft = id == null || time == null ? null
          : new EventSchema(fields, id, time, partitionKey, unknown, derived, List.of());
      List<Rule> rules = new ArrayList<>();
      Set<String> ruleNames = new HashSet<>();
      for (JsonNode node : list(at, root, "rules")) {
        String ruleName = text(node, "name");
        String where = at + ", rule '" + ruleName + "'";
        unknownKeys(where, node, Set.of("name", "when", "require", "message"));
        if (ruleName == null || !checkIdentifier(at + ", rule", ruleName)) continue;
        if (!ruleNames.add(ruleName)) problems.add(where + ": declared twice");
        Condition when = condition(where + ", when", text(node, "when"), draft, false);
        Condition require = condition(where + ", require", text(node, "require"), draft, true);
        String message = Optional.ofNullable(text(node, "message"))
            .orElse("breaks rule '" + ruleName + "': " + (when == Condition.ALWAYS ? "" : "when " + when.text() + ", ")
                + "requires " + (require == null ? "?" : require.text()));
        if (when != null && require != null) rules.add(new Rule(ruleName, when, require, message));
      }

      RollupCatalog rollups = RollupCatalog.ofDomain(at, root, extraRollupFiles, problems);
      SessionDefinition sessions = null;
      if (root.has("sessions")) {
        sessions = sessions(at + ", sessions", root.path("sessions"), name, fields, rollups);
        if (sessions != null) {
          List<RollupDefinition> withSessions = new ArrayList<>(rollups.rollups());
          withSessions.addAll(SessionRollups.of(sessions, fields));
          rollups = new RollupCatalog(rollups.lookups(), withSessions);
        }
      }
      DashboardDefinition dashboard = root.has("dashboard") ? dashboard(at + ", dashboard", root.path("dashboard"), rollups, fields) : null;
      if (problems.size() > before || draft == null) return;
      EventSchema schema = new EventSchema(fields, id, time, partitionKey, unknown, derived, rules);
      domains.add(new Domain(name, title, description, origin, new DomainTopics(eventsTopic, deadTopic), sink, rawTable,
          schema, rollups, dashboard, sessions));
    }

    /** The {@code sessions:} section, or null after adding its problems. */
    private SessionDefinition sessions(String where, JsonNode node, String domain, List<EventField> fields, RollupCatalog rollups) {
      if (!node.isObject()) {
        problems.add(where + ": expected a mapping with 'user', 'page' and optionally 'gap', 'dimensions', 'pages-table', 'sessions-table'");
        return null;
      }
      int before = problems.size();
      unknownKeys(where, node, Set.of("user", "page", "gap", "dimensions", "pages-table", "sessions-table"));
      String user = text(node, "user");
      String page = text(node, "page");
      if (user == null) problems.add(where + ": missing 'user' (the field that identifies the visitor)");
      else sessionField(where + ", user", user, fields, false);
      if (page == null) problems.add(where + ": missing 'page' (the text field that names the page)");
      else sessionField(where + ", page", page, fields, true);
      Duration gap = SessionDefinition.DEFAULT_GAP;
      String gapText = text(node, "gap");
      if (gapText != null) {
        try {
          gap = ValueType.DURATION_TYPE.parse(gapText);
          if (gap.isZero() || gap.isNegative() || gap.compareTo(Duration.ofDays(1)) > 0) {
            problems.add(where + ", gap: '" + gapText + "' must be more than 0 and at most 1d (sessions end at midnight anyway)");
          }
        } catch (IllegalArgumentException e) {
          problems.add(where + ", gap: " + e.getMessage());
        }
      }
      List<String> dimensions = new ArrayList<>();
      for (JsonNode d : list(where, node, "dimensions")) {
        String dimension = d.asText();
        if (dimensions.contains(dimension)) problems.add(where + ", dimensions: '" + dimension + "' is listed twice");
        else if (dimension.equals(SessionDefinition.DATES)) problems.add(where + ", dimensions: '" + dimension + "' is the date key column");
        else if (sessionField(where + ", dimensions", dimension, fields, false)) dimensions.add(dimension);
      }
      String pagesTable = Optional.ofNullable(text(node, "pages-table")).orElse(SessionDefinition.DEFAULT_PAGES_TABLE);
      String sessionsTable = Optional.ofNullable(text(node, "sessions-table")).orElse(SessionDefinition.DEFAULT_SESSIONS_TABLE);
      String stateTable = SessionDefinition.stateTableOf(domain);
      checkIdentifier(where + ", pages-table", pagesTable);
      checkIdentifier(where + ", sessions-table", sessionsTable);
      if (pagesTable.equals(sessionsTable)) problems.add(where + ": pages-table and sessions-table are both '" + pagesTable + "'");
      Set<String> taken = new HashSet<>();
      for (RollupDefinition r : rollups.rollups()) {
        taken.add(r.table());
        r.views().forEach(v -> taken.add(v.name()));
        r.metrics().stream().filter(m -> m.kind() == Metric.Kind.DISTINCT).forEach(m -> taken.add(r.distinctTable(m)));
      }
      for (String table : List.of(pagesTable, sessionsTable, stateTable)) {
        if (taken.contains(table)) problems.add(where + ": table '" + table + "' is already a rollup table or view of this domain");
      }
      if (problems.size() > before) return null;
      return new SessionDefinition(user, page, gap, dimensions, pagesTable, sessionsTable, stateTable);
    }

    /** Whether {@code name} is a field sessions can read: declared, not raw-only, integer or text (text only for the page). */
    private boolean sessionField(String where, String name, List<EventField> fields, boolean textOnly) {
      Optional<EventField> field = fields.stream().filter(f -> f.name().equals(name)).findFirst();
      if (field.isEmpty()) {
        problems.add(where + ": '" + name + "' is not a field (fields: " + fields.stream().map(EventField::name).toList() + ")");
        return false;
      }
      EventField f = field.get();
      if (f.rawOnly()) {
        problems.add(where + ": '" + name + "' is raw-only, so the stream does not carry it; drop raw-only from the field");
        return false;
      }
      boolean fits = f.textual() || (!textOnly && f.type() == FieldType.INTEGER);
      if (!fits) {
        problems.add(where + ": '" + name + "' is a " + f.type().yamlName() + " field; expected " + (textOnly ? "a text" : "an integer or text") + " field");
        return false;
      }
      return true;
    }

    private Condition condition(String where, String text, EventSchema schema, boolean required) {
      if (text == null) {
        if (required) problems.add(where + ": missing (a condition such as price > 0)");
        return required ? null : Condition.ALWAYS;
      }
      Condition.Parsed parsed = Condition.parse(text);
      if (parsed.problem() != null) {
        problems.add(where + ": " + parsed.problem() + " in \"" + text + "\"");
        return null;
      }
      return schema == null ? parsed.condition() : parsed.condition().bind(schema, where, problems);
    }

    private List<EventField> fields(String at, JsonNode root) {
      List<EventField> fields = new ArrayList<>();
      Set<String> names = new HashSet<>();
      List<JsonNode> nodes = list(at, root, "fields");
      if (nodes.isEmpty()) problems.add(at + ": no 'fields'; declare the event's fields");
      for (JsonNode node : nodes) {
        String name = text(node, "name");
        if (name == null || !checkIdentifier(at + ", field", name)) {
          if (name == null) problems.add(at + ", field: missing 'name'");
          continue;
        }
        String where = at + ", field '" + name + "'";
        if (EventSchema.RESERVED.contains(name)) problems.add(where + ": the name is reserved by the pipeline " + EventSchema.RESERVED);
        if (!names.add(name)) problems.add(where + ": declared twice");
        unknownKeys(where, node, Set.of("name", "type", "description", "required", "null", "min", "max", "scale",
            "max-length", "values", "formats", "raw-only"));
        String typeText = text(node, "type");
        Optional<FieldType> type = typeText == null ? Optional.empty() : FieldType.parse(typeText);
        if (type.isEmpty()) {
          problems.add(where + ": " + (typeText == null ? "missing 'type'" : "unknown type '" + typeText + "'")
              + " (expected one of " + FieldType.names() + ")");
          continue;
        }
        FieldType t = type.get();
        boolean numeric = t == FieldType.INTEGER || t == FieldType.DECIMAL;
        BigDecimal min = number(where, node, "min");
        BigDecimal max = number(where, node, "max");
        if ((min != null || max != null) && !numeric) problems.add(where + ": min and max apply to integer and decimal fields only");
        if (min != null && max != null && min.compareTo(max) > 0) problems.add(where + ": min " + min + " is above max " + max);
        int scale = 0;
        if (node.has("scale")) {
          if (t != FieldType.DECIMAL) problems.add(where + ": scale applies to decimal fields only");
          scale = node.path("scale").asInt(-1);
          if (scale < 0 || scale > 12) problems.add(where + ": scale must be 0..12, got " + node.path("scale").asText());
        } else if (t == FieldType.DECIMAL) {
          scale = 6;
        }
        if (t == FieldType.INTEGER && ((min != null && min.stripTrailingZeros().scale() > 0) || (max != null && max.stripTrailingZeros().scale() > 0))) {
          problems.add(where + ": min and max of an integer field are integers");
        }
        int maxLength = 0;
        if (node.has("max-length")) {
          if (!(t == FieldType.TEXT || t == FieldType.ANY)) problems.add(where + ": max-length applies to text and any fields only");
          maxLength = node.path("max-length").asInt(0);
          if (maxLength <= 0) problems.add(where + ": max-length must be a positive integer");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode v : list(where, node, "values")) values.add(v.asText());
        if (t == FieldType.ENUM && values.isEmpty()) problems.add(where + ": an enum field needs 'values', the accepted strings");
        if (t != FieldType.ENUM && !values.isEmpty()) problems.add(where + ": values apply to enum fields only");
        if (new HashSet<>(values).size() != values.size()) problems.add(where + ": values repeat");
        List<TimeFormat> formats = new ArrayList<>();
        for (JsonNode f : list(where, node, "formats")) {
          Optional<TimeFormat> format = TimeFormat.parse(f.asText());
          if (format.isEmpty()) problems.add(where + ": unknown format '" + f.asText() + "' (expected one of " + TimeFormat.names() + ")");
          else formats.add(format.get());
        }
        if (t != FieldType.TIMESTAMP && !formats.isEmpty()) problems.add(where + ": formats apply to timestamp fields only");
        if (t == FieldType.TIMESTAMP && formats.isEmpty()) formats.addAll(List.of(TimeFormat.LOCAL, TimeFormat.ISO_8601, TimeFormat.EPOCH_MILLIS));
        boolean required = bool(where, node, "required", false);
        boolean nullIsMissing = true;
        String nullText = text(node, "null");
        if (nullText != null) {
          switch (nullText) {
            case "missing" -> nullIsMissing = true;
            case "refuse" -> nullIsMissing = false;
            default -> problems.add(where + ": null: '" + nullText + "' (expected missing or refuse)");
          }
        }
        fields.add(new EventField(name, t, text(node, "description"), required, nullIsMissing, min, max, scale, maxLength,
            values, formats, bool(where, node, "raw-only", false)));
      }
      return fields;
    }

    private EventId id(String at, JsonNode node, List<EventField> fields) {
      String where = at + ", id";
      if (!node.isObject()) {
        problems.add(where + ": missing; declare {field: NAME} (the event's id field) or {hash-of: [FIELDS]} (the id is a hash of them)");
        return null;
      }
      unknownKeys(where, node, Set.of("field", "when-missing", "hash-of"));
      String field = text(node, "field");
      List<String> hashOf = new ArrayList<>();
      for (JsonNode f : list(where, node, "hash-of")) hashOf.add(f.asText());
      if ((field == null) == hashOf.isEmpty()) {
        problems.add(where + ": declare either 'field' or 'hash-of', not " + (field == null ? "neither" : "both"));
        return null;
      }
      boolean assign = false;
      String whenMissing = text(node, "when-missing");
      if (whenMissing != null) {
        if (field == null) problems.add(where + ": when-missing applies to an id field, not to a hash");
        switch (whenMissing) {
          case "assign" -> assign = true;
          case "refuse" -> assign = false;
          default -> problems.add(where + ": when-missing: '" + whenMissing + "' (expected assign or refuse)");
        }
      }
      if (field != null) {
        Optional<EventField> f = fields.stream().filter(x -> x.name().equals(field)).findFirst();
        if (f.isEmpty()) {
          problems.add(where + ": '" + field + "' is not a field");
        } else if (f.get().type() != FieldType.TEXT && f.get().type() != FieldType.INTEGER) {
          problems.add(where + ": '" + field + "' is a " + f.get().type().yamlName() + " field; an id is text or integer");
        } else if (f.get().rawOnly()) {
          problems.add(where + ": '" + field + "' is raw-only");
        }
      }
      for (String h : hashOf) {
        if (fields.stream().noneMatch(x -> x.name().equals(h))) problems.add(where + ", hash-of: '" + h + "' is not a field");
      }
      return new EventId(field, assign, hashOf);
    }

    private EventTime time(String at, JsonNode node, List<EventField> fields) {
      String where = at + ", time";
      if (!node.isObject()) {
        problems.add(where + ": missing; declare {field: NAME}, a timestamp field");
        return null;
      }
      unknownKeys(where, node, Set.of("field", "when-missing"));
      String field = text(node, "field");
      if (field == null) {
        problems.add(where + ": missing 'field'");
        return null;
      }
      Optional<EventField> f = fields.stream().filter(x -> x.name().equals(field)).findFirst();
      if (f.isEmpty()) problems.add(where + ": '" + field + "' is not a field");
      else if (f.get().type() != FieldType.TIMESTAMP) problems.add(where + ": '" + field + "' is a " + f.get().type().yamlName() + " field, not a timestamp");
      boolean arrival = false;
      String whenMissing = text(node, "when-missing");
      if (whenMissing != null) {
        switch (whenMissing) {
          case "arrival" -> arrival = true;
          case "refuse" -> arrival = false;
          default -> problems.add(where + ": when-missing: '" + whenMissing + "' (expected arrival or refuse)");
        }
      }
      return new EventTime(field, arrival);
    }

    private DashboardDefinition dashboard(String at, JsonNode node, RollupCatalog rollups, List<EventField> fields) {
      unknownKeys(at, node, Set.of("title", "tables", "measures", "dimensions", "tiles", "time-chart", "heatmap", "top", "filters"));
      List<String> tables = new ArrayList<>();
      List<RollupDefinition> tableRollups = new ArrayList<>();
      for (JsonNode t : list(at, node, "tables")) {
        Optional<RollupDefinition> rollup = rollups.rollups().stream().filter(r -> r.table().equals(t.asText())).findFirst();
        if (rollup.isEmpty()) {
          problems.add(at + ", tables: '" + t.asText() + "' is not a rollup table of this domain ("
              + rollups.rollups().stream().map(RollupDefinition::table).toList() + ")");
        } else {
          tables.add(t.asText());
          tableRollups.add(rollup.get());
        }
      }
      if (tables.isEmpty() && list(at, node, "tables").isEmpty()) problems.add(at + ": no 'tables'; name the rollups it reads, finest first");
      if (!tableRollups.isEmpty()) {
        RollupDefinition finest = tableRollups.get(0);
        for (TimeGrain grain : List.of(TimeGrain.DAY, TimeGrain.HOUR_OF_DAY)) {
          if (finest.dimensions().stream().noneMatch(d -> d.time() == grain)) {
            problems.add(at + ", tables: the first, '" + finest.table() + "', needs a time: " + grain.yamlName() + " dimension");
          }
        }
      }
      List<Measure> measures = new ArrayList<>();
      Set<String> measureNames = new LinkedHashSet<>();
      Set<String> distinctMeasures = new HashSet<>();
      for (JsonNode m : list(at, node, "measures")) {
        String name = text(m, "name");
        String where = at + ", measure '" + name + "'";
        unknownKeys(where, m, Set.of("name", "label", "format", "sum", "distinct", "numerator", "denominator"));
        if (name == null || !checkIdentifier(at + ", measure", name)) continue;
        Format format = Format.COUNT;
        String formatText = text(m, "format");
        String sum = text(m, "sum");
        String distinct = text(m, "distinct");
        String numerator = text(m, "numerator");
        List<String> denominator = new ArrayList<>();
        JsonNode d = m.path("denominator");
        if (d.isArray()) d.forEach(x -> denominator.add(x.asText()));
        else if (!d.isMissingNode()) denominator.add(d.asText());
        if (formatText != null) {
          Optional<Format> parsed = Arrays.stream(Format.values()).filter(f -> f.yamlName().equals(formatText)).findFirst();
          if (parsed.isEmpty()) problems.add(where + ": unknown format '" + formatText + "' (expected count, number, money or percent)");
          else format = parsed.get();
        } else if (sum == null && distinct == null) {
          format = Format.NUMBER;
        }
        if ((sum != null ? 1 : 0) + (distinct != null ? 1 : 0) + (numerator != null ? 1 : 0) != 1) {
          problems.add(where + ": declare one of 'sum' (a count or sum metric of the tables), 'distinct' (a distinct"
              + " metric of the tables) or 'numerator' and 'denominator' (measures)");
          continue;
        }
        if (sum != null) {
          if (!denominator.isEmpty()) problems.add(where + ": a sum takes no denominator");
          for (RollupDefinition r : tableRollups) {
            Optional<Metric> metric = r.metrics().stream().filter(x -> x.name().equals(sum)).findFirst();
            if (metric.isEmpty() || !metric.get().kind().additive()) {
              problems.add(where + ": sums '" + sum + "', which is not a count or sum metric of table '" + r.table() + "'");
            }
          }
        } else if (distinct != null) {
          if (!denominator.isEmpty()) problems.add(where + ": a distinct count takes no denominator");
          for (RollupDefinition r : tableRollups) {
            Optional<Metric> metric = r.metrics().stream().filter(x -> x.name().equals(distinct)).findFirst();
            if (metric.isEmpty() || metric.get().kind() != Metric.Kind.DISTINCT) {
              problems.add(where + ": counts '" + distinct + "', which is not a distinct metric of table '" + r.table() + "'");
            }
          }
        } else {
          if (denominator.isEmpty()) problems.add(where + ": a ratio needs a 'denominator'");
          List<String> parts = new ArrayList<>(denominator);
          parts.add(numerator);
          for (String part : parts) {
            if (!measureNames.contains(part)) {
              problems.add(where + ": '" + part + "' is not a measure declared before it");
            } else if (distinctMeasures.contains(part)) {
              // A ratio is a ratio of sums, which SQL ranks in one query; a distinct count is a second query.
              problems.add(where + ": '" + part + "' is a distinct count; a ratio divides sums only");
            }
          }
        }
        if (distinct != null) distinctMeasures.add(name);
        measureNames.add(name);
        measures.add(new Measure(name, Optional.ofNullable(text(m, "label")).orElse(name), format, sum, distinct, numerator,
            denominator));
      }
      List<DashboardDimension> dimensions = new ArrayList<>();
      Set<String> dimensionNames = new LinkedHashSet<>();
      for (JsonNode dn : list(at, node, "dimensions")) {
        String name = text(dn, "name");
        String where = at + ", dimension '" + name + "'";
        unknownKeys(where, dn, Set.of("name", "column", "label", "type", "names"));
        if (name == null || !checkIdentifier(at + ", dimension", name)) continue;
        String column = Optional.ofNullable(text(dn, "column")).orElse(name);
        String label = Optional.ofNullable(text(dn, "label")).orElse(name);
        NameTable names = null;
        JsonNode n = dn.path("names");
        if (!n.isMissingNode()) {
          unknownKeys(where + ", names", n, Set.of("table", "key", "column"));
          String table = text(n, "table");
          String key = Optional.ofNullable(text(n, "key")).orElse("id");
          String nameColumn = Optional.ofNullable(text(n, "column")).orElse("name");
          if (table == null) problems.add(where + ", names: missing 'table'");
          else if (checkIdentifier(where + ", names, table", table) & checkIdentifier(where + ", names, key", key)
              & checkIdentifier(where + ", names, column", nameColumn)) {
            names = new NameTable(table, key, nameColumn);
          }
        }
        if (!dimensionNames.add(name)) problems.add(where + ": declared twice");
        DashboardDimension dimension = tableRollups.isEmpty() ? null
            : dashboardDimension(where, dn, name, column, label, names, tableRollups.get(0), fields);
        if (dimension != null) dimensions.add(dimension);
      }
      List<String> tiles = names(at + ", tiles", list(at, node, "tiles"), measureNames, "measure");
      List<String> timeChart = names(at + ", time-chart", list(at, node, "time-chart"), measureNames, "measure");
      Heatmap heatmap = null;
      if (node.has("heatmap")) {
        String measure = text(node.path("heatmap"), "measure");
        unknownKeys(at + ", heatmap", node.path("heatmap"), Set.of("measure"));
        if (measure == null || !measureNames.contains(measure)) {
          problems.add(at + ", heatmap: measure '" + measure + "' is not a declared measure " + measureNames);
        } else {
          heatmap = new Heatmap(measure);
        }
      }
      JsonNode topNode = node.path("top");
      unknownKeys(at + ", top", topNode, Set.of("dimensions", "measures"));
      List<String> top = names(at + ", top, dimensions", list(at + ", top", topNode, "dimensions"), dimensionNames, "dimension");
      List<String> topMeasures = names(at + ", top, measures", list(at + ", top", topNode, "measures"), measureNames, "measure");
      List<String> filters = names(at + ", filters", list(at, node, "filters"), dimensionNames, "dimension");
      return new DashboardDefinition(Optional.ofNullable(text(node, "title")).orElse(""), tables, measures, dimensions,
          tiles, timeChart, heatmap, top, topMeasures, filters);
    }

    /**
     * A dashboard dimension, its kind derived from what the finest table's column holds: an integer field gives ids; a
     * text, enum or any field gives text (an enum keeps its values); any other column (a lookup's, a derived column, an
     * expression) declares {@code type: id} or {@code type: text}. Null, with the problem added, when it cannot be one.
     */
    private DashboardDimension dashboardDimension(String where, JsonNode node, String name, String column, String label,
        NameTable names, RollupDefinition finest, List<EventField> fields) {
      Optional<Dimension> key = finest.dimensions().stream().filter(d -> d.name().equals(column)).findFirst();
      if (key.isEmpty() && !finest.attributes().contains(column)) {
        problems.add(where + ": column '" + column + "' is not a dimension or attribute of table '" + finest.table() + "'");
        return null;
      }
      String typeText = text(node, "type");
      Kind declared = null;
      if (typeText != null) {
        declared = Arrays.stream(Kind.values()).filter(k -> k.yamlName().equals(typeText)).findFirst().orElse(null);
        if (declared == null) {
          problems.add(where + ": unknown type '" + typeText + "' (expected id or text)");
          return null;
        }
      }
      if (key.isPresent() && key.get().isTime()) {
        TimeGrain grain = key.get().time();
        if (grain == TimeGrain.DAY || grain == TimeGrain.HOUR) {
          problems.add(where + ": column '" + column + "' is the time: " + grain.yamlName() + " bucket, which the date range"
              + " already filters; a dimension is an id or text column");
          return null;
        }
        if (declared == Kind.TEXT) problems.add(where + ": column '" + column + "' is a number (time: " + grain.yamlName() + "), not text");
        return DashboardDimension.id(name, column, label, names);
      }
      // The event field the column copies, when it is one (a dimension named after a field, or whose expression is one).
      String source = key.map(d -> d.expression().strip()).orElse(column);
      Optional<EventField> field = fields.stream().filter(f -> f.name().equals(source)).findFirst();
      Kind kind;
      List<String> values = List.of();
      int maxLength = TEXT_KEY_CHARS;
      if (field.isPresent()) {
        EventField f = field.get();
        if (f.type() == FieldType.INTEGER) {
          kind = Kind.ID;
        } else if (f.textual()) {
          kind = Kind.TEXT;
          values = f.values();
          if (f.maxLength() > 0) maxLength = Math.min(f.maxLength(), TEXT_KEY_CHARS);
        } else {
          problems.add(where + ": column '" + column + "' holds the " + f.type().yamlName() + " field '" + f.name()
              + "'; a dashboard dimension is an integer id or a text (text, enum or any field)");
          return null;
        }
        if (declared != null && declared != kind) {
          problems.add(where + ": type " + declared.yamlName() + " contradicts the " + f.type().yamlName() + " field '"
              + f.name() + "' (a " + kind.yamlName() + " dimension); leave 'type' out");
          return null;
        }
      } else if (declared == null) {
        problems.add(where + ": column '" + column + "' is not an event field, so its values' type is unknown: declare"
            + " type: id (integer ids) or type: text");
        return null;
      } else {
        kind = declared;
      }
      if (kind == Kind.ID) return DashboardDimension.id(name, column, label, names);
      if (names != null) {
        problems.add(where + ", names: a text dimension shows its values as they are; names apply to id dimensions");
        return null;
      }
      List<String> tooLong = values.stream().filter(v -> v.length() > TEXT_KEY_CHARS).toList();
      if (!tooLong.isEmpty()) {
        problems.add(where + ": enum value(s) longer than the " + TEXT_KEY_CHARS + " characters a key column keeps: "
            + tooLong.stream().map(v -> "'" + v.substring(0, 20) + "…'").toList());
        return null;
      }
      if (!values.isEmpty()) maxLength = Math.min(maxLength, values.stream().mapToInt(String::length).max().orElse(1));
      return DashboardDimension.text(name, column, label, values, Math.max(1, maxLength));
    }

    private List<String> names(String where, List<JsonNode> nodes, Set<String> declared, String what) {
      List<String> out = new ArrayList<>();
      for (JsonNode n : nodes) {
        if (!declared.contains(n.asText())) problems.add(where + ": '" + n.asText() + "' is not a declared " + what + " " + declared);
        else out.add(n.asText());
      }
      return out;
    }

    private BigDecimal number(String where, JsonNode node, String key) {
      JsonNode value = node.path(key);
      if (value.isMissingNode() || value.isNull()) return null;
      if (!value.isNumber()) {
        problems.add(where + ": " + key + " must be a number, got '" + value.asText() + "'");
        return null;
      }
      return value.decimalValue();
    }

    private boolean bool(String where, JsonNode node, String key, boolean otherwise) {
      JsonNode value = node.path(key);
      if (value.isMissingNode() || value.isNull()) return otherwise;
      if (!value.isBoolean()) {
        problems.add(where + ": " + key + " must be true or false, got '" + value.asText() + "'");
        return otherwise;
      }
      return value.booleanValue();
    }

    private List<JsonNode> list(String where, JsonNode node, String field) {
      JsonNode value = node.path(field);
      if (value.isMissingNode() || value.isNull()) return List.of();
      if (!value.isArray()) {
        problems.add(where + ": '" + field + "' must be a list");
        return List.of();
      }
      List<JsonNode> items = new ArrayList<>();
      value.forEach(items::add);
      return items;
    }

    private boolean checkIdentifier(String where, String text) {
      if (IDENTIFIER.matcher(text).matches()) return true;
      problems.add(where + ": '" + text + "' is not a plain lower-case SQL name (letters, digits, _; at most 64)");
      return false;
    }

    private void unknownKeys(String where, JsonNode node, Set<String> known) {
      if (!node.isObject()) return;
      node.fieldNames().forEachRemaining(key -> {
        if (!known.contains(key)) problems.add(where + ": unknown key '" + key + "' (expected one of " + new TreeSet<>(known) + ")");
      });
    }

    private static String text(JsonNode node, String field) {
      JsonNode value = node.path(field);
      return value.isMissingNode() || value.isNull() ? null : value.asText();
    }
  }
}
