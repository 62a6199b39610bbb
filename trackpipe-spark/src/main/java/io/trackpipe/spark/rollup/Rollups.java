package io.trackpipe.spark.rollup;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.trackpipe.config.ConfigException;
import io.trackpipe.domain.DerivedColumn;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.spark.enrich.DimensionLookups;
import io.trackpipe.spark.ingest.EventColumns;
import io.trackpipe.warehouse.fact.FactBatch;
import io.trackpipe.warehouse.fact.FactTable;
import io.trackpipe.warehouse.rollup.RollupTables;
import io.trackpipe.warehouse.session.SessionTables;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Every rollup of a domain compiled against its source columns ({@link RollupSource}), checked at start-up: a derived
 * column or rollup expression that does not resolve, a filter that is not a condition or a sum of text is reported
 * with its domain, file, rollup and part, all at once. At
 * run time one Spark aggregation of a batch's events, to the {@link FinestGrain}, feeds every rollup.
 */
public final class Rollups {
  private final EventSchema schema;
  private final DimensionLookups lookups;
  private final List<RollupPlan> plans;
  private final List<String> lookupNames;
  private final FinestGrain grain;
  /** The tables of the domain's sessions, which the session stage fills: not computed here, but created with the rest. */
  private final Optional<SessionTables> sessions;

  private Rollups(EventSchema schema, DimensionLookups lookups, List<RollupPlan> plans, List<String> lookupNames, ZoneId zone,
      Optional<SessionTables> sessions) {
    this.schema = schema;
    this.sessions = sessions;
    this.lookups = lookups;
    this.plans = List.copyOf(plans);
    this.lookupNames = List.copyOf(lookupNames);
    this.grain = FinestGrain.of(this.plans, zone);
  }

  /**
   * The domain's rollups ({@link Domain#rollups()}) over its events and derived columns.
   *
   * @throws ConfigException with every problem of the derived columns and of every rollup, each naming the domain and
   *     its file
   * @throws SQLException when a lookup's table cannot be read
   */
  public static Rollups compile(SparkSession spark, Domain domain, DimensionLookups lookups, ZoneId zone) throws SQLException {
    List<String> problems = new ArrayList<>();
    List<RollupPlan> plans = new ArrayList<>();
    Set<String> lookupNames = new LinkedHashSet<>();
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    StructType sourceSchema = checkDerivedColumns(spark, domain.schema(), problems);
    for (RollupDefinition rollup : domain.rollups().rollups()) {
      if (rollup.computedFrom() == RollupDefinition.Computation.SESSIONS) continue;
      StructType schema = sourceSchema;
      for (StructField field : lookups.columns(context, rollup.lookups()).fields()) schema = schema.add(field);
      Dataset<Row> empty = spark.createDataFrame(List.<Row>of(), schema);
      int before = problems.size();
      checkExpressions(rollup, empty, problems);
      if (problems.size() > before) continue;
      try {
        RollupPlan plan = RollupPlan.compile(rollup, zone, empty);
        if (plan.keyBytes() > RollupPlan.MAX_KEY_BYTES) {
          problems.add("rollup '" + rollup.name() + "': its key (dimensions " + rollup.dimensions().stream().map(d -> d.name())
              .toList() + ") takes " + plan.keyBytes() + " bytes in MySQL, more than the " + RollupPlan.MAX_KEY_BYTES
              + " a primary key may have; a text dimension takes " + 4 * DomainCatalog.TEXT_KEY_CHARS + " (its values are cut to "
              + DomainCatalog.TEXT_KEY_CHARS + " characters): declare fewer text dimensions");
          continue;
        }
        plans.add(plan);
        lookupNames.addAll(rollup.lookups());
      } catch (RuntimeException e) {
        problems.add("rollup '" + rollup.name() + "': " + firstLine(e));
      }
    }
    if (!problems.isEmpty()) {
      String where = domain.origin() + " (domain '" + domain.name() + "'), ";
      throw new ConfigException(problems.stream().map(p -> where + p).toList());
    }
    return new Rollups(domain.schema(), lookups, plans, new ArrayList<>(lookupNames), zone,
        Optional.ofNullable(domain.sessions()).map(s -> SessionTables.of(domain)));
  }

  /**
   * The rollup source's schema: the events' columns and the derived columns, each checked in its declared order. One
   * that does not resolve is reported and stands in as a null text column, so that the rollups' own problems are
   * found in the same start.
   */
  private static StructType checkDerivedColumns(SparkSession spark, EventSchema schema, List<String> problems) {
    Dataset<Row> source = RollupSource.withRollupTypes(spark.createDataFrame(List.<Row>of(), EventColumns.eventSchema(schema, false)), schema);
    for (DerivedColumn derived : schema.derived()) {
      DataType type = check("derived column '" + derived.name() + "'", derived.expression(), source, problems);
      source = source.withColumn(derived.name(), type == null ? lit(null).cast(DataTypes.StringType) : expr(derived.expression()));
    }
    return source.schema();
  }

  /** The rollups computed from the events (those of the domain's sessions are not among them). */
  public List<RollupPlan> plans() {
    return plans;
  }

  /** The domain's session tables, when it declares sessions. */
  public Optional<SessionTables> sessions() {
    return sessions;
  }

  /** Every table the rollups write: their own and the side tables of distinct metrics. */
  public List<FactTable> tables() {
    List<FactTable> tables = new ArrayList<>();
    for (RollupPlan plan : plans) {
      plan.distinctValues().forEach(d -> tables.add(d.table()));
      tables.add(plan.table());
    }
    sessions.ifPresent(s -> tables.addAll(List.of(s.pages(), s.sessions())));
    return tables;
  }

  public List<RollupTables.Target> targets() {
    List<RollupTables.Target> targets = new ArrayList<>();
    for (RollupPlan plan : plans) {
      plan.distinctValues().forEach(d -> targets.add(new RollupTables.Target(plan.definition(), d.table(), false)));
      targets.add(new RollupTables.Target(plan.definition(), plan.table(), true));
    }
    sessions.ifPresent(s -> targets.addAll(s.targets()));
    return targets;
  }

  /**
   * Every rollup's rows for {@code events} (valid, deduplicated rows of {@link EventColumns#eventSchema}
   * without the raw-only fields), from one pass: the events are prepared and enriched once and aggregated once, to the {@link FinestGrain},
   * whose rows each rollup regroups on the driver. A distinct metric's (key, value) pairs need the events themselves;
   * they are parts of the same Spark job, a union collected together. The union needs one row type, so each part's
   * values travel as text and are read back by their known types.
   *
   * @return each rollup's side tables (distinct metrics, whose counts are recounted from them, so they go first) and
   *     then its rows, in the order of the definitions
   */
  public List<FactBatch> apply(Dataset<Row> events, String sources) throws SQLException {
    // One partition: an aggregation of a single partition needs no shuffle (a batch is at most
    // stream.max-events-per-batch events, and the grain's rows are few).
    Dataset<Row> source = lookups.enrich(RollupSource.prepare(events, schema), lookupNames).coalesce(1);
    List<Dataset<Row>> parts = new ArrayList<>();
    parts.add(grain.aggregate(source));
    for (RollupPlan plan : plans) {
      for (RollupPlan.DistinctValues distinct : plan.distinctValues()) parts.add(plan.distinctPairs(source, distinct.metric()));
    }
    boolean sharedSource = parts.size() > 1;
    if (sharedSource) {
      source.persist(StorageLevel.MEMORY_AND_DISK());
      // Stored once before the parts read it: the union's parts run as parallel stages, each of which would otherwise
      // prepare and enrich the events itself while the cache is still empty.
      source.count();
    }
    try {
      List<List<Object[]>> rowsByPart = collect(parts);
      List<FactBatch> batches = new ArrayList<>();
      int part = 1;
      for (int p = 0; p < plans.size(); p++) {
        RollupPlan plan = plans.get(p);
        Map<String, Map<List<Object>, Long>> distinctCounts = new HashMap<>();
        for (RollupPlan.DistinctValues distinct : plan.distinctValues()) {
          List<Object[]> pairs = rowsByPart.get(part++);
          Map<List<Object>, Long> counts = new HashMap<>();
          for (Object[] pair : pairs) counts.merge(Arrays.asList(pair).subList(0, pair.length - 1), 1L, Long::sum);
          distinctCounts.put(distinct.metric().name(), counts);
          batches.add(new FactBatch(distinct.table(), pairs.stream().map(pair -> plan.toSideTableRow(pair)).toList()));
        }
        List<Object[]> rows = grain.rollUp(p, rowsByPart.get(0), distinctCounts);
        batches.add(new FactBatch(plan.table(), rows.stream().map(row -> plan.toWarehouseRow(row, sources)).toList()));
      }
      return batches;
    } finally {
      if (sharedSource) source.unpersist();
    }
  }

  /** Each part's rows, as warehouse values, from one Spark job. */
  private static List<List<Object[]>> collect(List<Dataset<Row>> parts) {
    Dataset<Row> union = null;
    List<StructField[]> fieldsByPart = new ArrayList<>();
    List<List<Object[]>> rowsByPart = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      Dataset<Row> rows = parts.get(i);
      Column[] asText = Arrays.stream(rows.columns()).map(c -> col(c).cast(DataTypes.StringType)).toArray(Column[]::new);
      Dataset<Row> part = rows.select(lit(i).as("part"), array(asText).as("values"));
      union = union == null ? part : union.union(part);
      fieldsByPart.add(rows.schema().fields());
      rowsByPart.add(new ArrayList<>());
    }
    for (Row row : union.collectAsList()) {
      int index = row.getInt(0);
      List<String> text = row.getList(1);
      StructField[] fields = fieldsByPart.get(index);
      Object[] values = new Object[fields.length];
      for (int c = 0; c < fields.length; c++) values[c] = warehouseValue(text.get(c), fields[c].dataType());
      rowsByPart.get(index).add(values);
    }
    return rowsByPart;
  }

  /** A value cast to text by Spark (in the UTC session), as the value the warehouse column takes. */
  static Object warehouseValue(String text, DataType type) {
    if (text == null) return null;
    if (type.equals(DataTypes.LongType)) return Long.parseLong(text);
    if (type.equals(DataTypes.IntegerType) || type.equals(DataTypes.ShortType) || type.equals(DataTypes.ByteType)) {
      return Integer.parseInt(text);
    }
    if (type instanceof DecimalType) return new BigDecimal(text);
    if (type.equals(DataTypes.DoubleType) || type.equals(DataTypes.FloatType)) return Double.parseDouble(text);
    if (type.equals(DataTypes.BooleanType)) return Boolean.parseBoolean(text);
    if (type.equals(DataTypes.DateType)) return LocalDate.parse(text);
    if (type.equals(DataTypes.TimestampType)) return LocalDateTime.parse(text.replace(' ', 'T'));
    return text;
  }

  private static void checkExpressions(RollupDefinition rollup, Dataset<Row> source, List<String> problems) {
    String at = "rollup '" + rollup.name() + "'";
    if (rollup.filter() != null) checkType(at + ", filter", rollup.filter(), source, DataTypes.BooleanType, problems);
    for (Dimension d : rollup.dimensions()) {
      if (d.isTime()) continue;
      check(at + ", dimension '" + d.name() + "'", d.expression(), source, problems);
      if (d.defaultValue() != null) check(at + ", dimension '" + d.name() + "', default", d.defaultValue(), source, problems);
    }
    for (String attribute : rollup.attributes()) {
      check(at + ", attribute '" + attribute + "'", attribute, source, problems);
    }
    for (Metric m : rollup.metrics()) {
      String part = at + ", metric '" + m.name() + "'";
      if (m.where() != null) checkType(part + ", where", m.where(), source, DataTypes.BooleanType, problems);
      if (m.expression() == null) continue;
      DataType type = check(part + ", of", m.expression(), source, problems);
      if (m.kind() == Metric.Kind.SUM && type != null && !(type instanceof NumericType)) {
        problems.add(part + ": sums '" + m.expression() + "', which is " + type.simpleString() + ", not a number");
      }
    }
  }

  /**
   * Functions that run arbitrary code on the executors or driver ({@code reflect}, {@code java_method}) or stop the job
   * on purpose: refused in every rollup expression, whatever its arguments.
   */
  static final Set<String> REFUSED_FUNCTIONS = Set.of("reflect", "java_method", "try_reflect", "assert_true", "raise_error");

  /** The names of the functions an unresolved expression calls, lower case. */
  private static Set<String> functionNames(Expression e) {
    Set<String> names = new HashSet<>();
    if (e instanceof UnresolvedFunction f) {
      List<String> parts = CollectionConverters.asJava(f.nameParts());
      names.add(parts.get(parts.size() - 1).toLowerCase(Locale.ROOT));
    }
    for (Expression child : CollectionConverters.asJava(e.children())) {
      names.addAll(functionNames(child));
    }
    return names;
  }

  private static void checkType(String part, String expression, Dataset<Row> source, DataType expected, List<String> problems) {
    DataType type = check(part, expression, source, problems);
    if (type != null && !type.equals(expected)) {
      problems.add(part + ": '" + expression + "' is " + type.simpleString() + ", not a " + expected.simpleString() + " condition");
    }
  }

  /** The expression's type, or null after adding why it does not resolve against the source columns. */
  private static DataType check(String part, String expression, Dataset<Row> source, List<String> problems) {
    try {
      Set<String> refused = new TreeSet<>(functionNames(source.sparkSession().sessionState().sqlParser()
          .parseExpression(expression)));
      refused.retainAll(REFUSED_FUNCTIONS);
      if (!refused.isEmpty()) {
        problems.add(part + ": '" + expression + "' calls " + refused + ", which rollup expressions may not use: they run"
            + " arbitrary code or stop the job (refused: " + new TreeSet<>(REFUSED_FUNCTIONS) + ")");
        return null;
      }
      Dataset<Row> resolved = source.select(expr(expression));
      for (Expression e
          : CollectionConverters.asJava(resolved.queryExecution().analyzed().expressions())) {
        if (!e.deterministic()) {
          problems.add(part + ": '" + expression + "' is not deterministic (random, the current time, …): a batch run again"
              + " after a crash must compute the same rows, and the raw store's recount the same numbers");
          return null;
        }
      }
      return resolved.schema().fields()[0].dataType();
    } catch (Exception e) { // AnalysisException (a parse error is one too), undeclared in Scala
      problems.add(part + ": '" + expression + "' does not resolve: " + firstLine(e)
          + " (source columns: " + String.join(", ", source.columns()) + ")");
      return null;
    }
  }

  private static String firstLine(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
