package io.trackpipe.spark.rollup;

import static org.apache.spark.sql.functions.expr;

import io.trackpipe.config.ConfigException;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.rollup.RollupConfig;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.spark.enrich.DimensionLookups;
import io.trackpipe.warehouse.fact.FactBatch;
import io.trackpipe.warehouse.fact.FactTable;
import io.trackpipe.warehouse.rollup.RollupTables;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Every rollup of the catalog compiled against the source columns, checked at start-up: an expression that does not
 * resolve, a filter that is not a condition or a sum of text is reported with its rollup and part, all at once. At
 * run time one pass over a batch's events (enriched once, cached) feeds every rollup.
 */
public final class Rollups {
  private final RollupConfig config;
  private final DimensionLookups lookups;
  private final List<RollupPlan> plans;
  private final List<String> lookupNames;
  /** Runs the rollups after the first as concurrent Spark jobs (daemon threads: they never hold the JVM open). */
  private final ExecutorService concurrentJobs = Executors.newFixedThreadPool(3, runnable -> {
    Thread thread = new Thread(runnable, "rollup-jobs");
    thread.setDaemon(true);
    return thread;
  });

  private Rollups(RollupConfig config, DimensionLookups lookups, List<RollupPlan> plans, List<String> lookupNames) {
    this.config = config;
    this.lookups = lookups;
    this.plans = List.copyOf(plans);
    this.lookupNames = List.copyOf(lookupNames);
  }

  /**
   * @throws ConfigException with every problem of every rollup
   * @throws SQLException when a lookup's table cannot be read
   */
  public static Rollups compile(SparkSession spark, RollupConfig config, RollupCatalog catalog, DimensionLookups lookups,
      ZoneId zone) throws SQLException {
    List<String> problems = new ArrayList<>();
    List<RollupPlan> plans = new ArrayList<>();
    Set<String> lookupNames = new LinkedHashSet<>();
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    for (RollupDefinition rollup : catalog.rollups()) {
      StructType schema = RollupSource.schema();
      for (StructField field : lookups.columns(context, rollup.lookups()).fields()) schema = schema.add(field);
      Dataset<Row> empty = spark.createDataFrame(List.<Row>of(), schema);
      int before = problems.size();
      checkExpressions(rollup, empty, problems);
      if (problems.size() > before) continue;
      try {
        plans.add(RollupPlan.compile(rollup, zone, empty));
        lookupNames.addAll(rollup.lookups());
      } catch (RuntimeException e) {
        problems.add("rollup '" + rollup.name() + "': " + firstLine(e));
      }
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return new Rollups(config, lookups, plans, new ArrayList<>(lookupNames));
  }

  public List<RollupPlan> plans() {
    return plans;
  }

  /** Every table the rollups write: their own and the side tables of distinct metrics. */
  public List<FactTable> tables() {
    List<FactTable> tables = new ArrayList<>();
    for (RollupPlan plan : plans) {
      plan.distinctValues().forEach(d -> tables.add(d.table()));
      tables.add(plan.table());
    }
    return tables;
  }

  public List<RollupTables.Target> targets() {
    List<RollupTables.Target> targets = new ArrayList<>();
    for (RollupPlan plan : plans) {
      plan.distinctValues().forEach(d -> targets.add(new RollupTables.Target(plan.definition(), d.table(), false)));
      targets.add(new RollupTables.Target(plan.definition(), plan.table(), true));
    }
    return targets;
  }

  /**
   * Every rollup's rows for {@code events} (valid, deduplicated {@link io.trackpipe.spark.ingest.DecodedEvents#EVENT_SCHEMA}
   * rows): the events are prepared and enriched once and cached while the rollups read them. The first rollup fills
   * the cache; the others then run as concurrent Spark jobs, so that one job's fixed costs (scheduling, the shuffle's
   * small tasks, collecting) overlap another's work.
   *
   * @return each rollup's side tables (distinct metrics) and then its rows, in the order of the definitions
   */
  public List<FactBatch> apply(Dataset<Row> events, String sources) throws SQLException {
    Dataset<Row> source = lookups.enrich(RollupSource.prepare(events, config), lookupNames);
    source.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
      List<List<FactBatch>> perPlan = new ArrayList<>();
      perPlan.add(batches(plans.get(0), source, sources, now));
      List<CompletableFuture<List<FactBatch>>> rest = new ArrayList<>();
      for (RollupPlan plan : plans.subList(1, plans.size())) {
        rest.add(CompletableFuture.supplyAsync(() -> batches(plan, source, sources, now), concurrentJobs));
      }
      for (CompletableFuture<List<FactBatch>> future : rest) {
        try {
          perPlan.add(future.join());
        } catch (CompletionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : e;
        }
      }
      return perPlan.stream().flatMap(List::stream).toList();
    } finally {
      source.unpersist();
    }
  }

  /** One rollup's side tables (the distinct counts of its rows are recounted from them, so they go first), then its rows. */
  private static List<FactBatch> batches(RollupPlan plan, Dataset<Row> source, String sources, LocalDateTime now) {
    List<FactBatch> batches = new ArrayList<>();
    for (RollupPlan.DistinctValues distinct : plan.distinctValues()) {
      List<Object[]> pairs = new ArrayList<>();
      for (Row row : plan.distinctPairs(source, distinct.metric()).collectAsList()) pairs.add(plan.toSideTableRow(row, now));
      batches.add(new FactBatch(distinct.table(), pairs));
    }
    List<Object[]> rows = new ArrayList<>();
    for (Row row : plan.aggregate(source).collectAsList()) rows.add(plan.toWarehouseRow(row, sources, now));
    batches.add(new FactBatch(plan.table(), rows));
    return batches;
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

  private static void checkType(String part, String expression, Dataset<Row> source, DataType expected, List<String> problems) {
    DataType type = check(part, expression, source, problems);
    if (type != null && !type.equals(expected)) {
      problems.add(part + ": '" + expression + "' is " + type.simpleString() + ", not a " + expected.simpleString() + " condition");
    }
  }

  /** The expression's type, or null after adding why it does not resolve against the source columns. */
  private static DataType check(String part, String expression, Dataset<Row> source, List<String> problems) {
    try {
      return source.select(expr(expression)).schema().fields()[0].dataType();
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
