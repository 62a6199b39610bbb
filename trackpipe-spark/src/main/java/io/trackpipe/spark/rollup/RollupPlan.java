package io.trackpipe.spark.rollup;

import static io.trackpipe.warehouse.SqlNames.quote;

import static io.trackpipe.spark.ingest.EventColumns.EVENT_TIME;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.dayofweek;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_utc_timestamp;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.warehouse.fact.FactColumn;
import io.trackpipe.warehouse.fact.FactColumn.Merge;
import io.trackpipe.warehouse.fact.FactTable;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One rollup definition compiled for Spark: a pure function from the rollup source ({@link RollupSource} plus the
 * lookups' columns) to one row per key of the rollup's table, and that table's columns with their SQL types and merge
 * rules. Dates and hours are the event time's wall clock in the configured zone; the session must be in UTC
 * ({@link io.trackpipe.spark.session.SparkSessions} sets it) so that this zone conversion is the only one.
 */
public final class RollupPlan {
  /** Ratios are stored with 6 decimals, like money. */
  public static final DecimalType RATIO = DataTypes.createDecimalType(20, 6);
  private static final String LOCAL_TIME = "__local_time";
  /** The value column of a distinct metric's side table. */
  public static final String DISTINCT_VALUE = RollupDefinition.DISTINCT_VALUE;

  private final RollupDefinition definition;
  private final ZoneId zone;
  private final StructType output;
  private final FactTable table;
  private final List<DistinctValues> distinctValues;

  private RollupPlan(RollupDefinition definition, ZoneId zone, StructType output, List<DistinctValues> distinctValues) {
    this.definition = definition;
    this.zone = zone;
    this.output = output;
    this.table = table(definition, output);
    this.distinctValues = List.copyOf(distinctValues);
  }

  /**
   * @param emptySource an empty dataset of the rollup's source: {@link RollupSource} plus the lookups it names
   * @throws org.apache.spark.sql.AnalysisException when an expression does not resolve ({@link Rollups#compile} checks
   *     each expression first, for a message that names the rollup and the part)
   */
  static RollupPlan compile(RollupDefinition definition, ZoneId zone, Dataset<Row> emptySource) {
    StructType output = aggregate(definition, zone, emptySource).schema();
    RollupPlan draft = new RollupPlan(definition, zone, output, List.of());
    List<DistinctValues> sideTables = new ArrayList<>();
    for (Metric m : definition.metrics()) {
      if (m.kind() != Metric.Kind.DISTINCT) continue;
      List<FactColumn> columns = new ArrayList<>();
      for (StructField f : draft.distinctPairs(emptySource, m).schema().fields()) {
        columns.add(FactColumn.of(f.name(), Merge.KEY).withSqlType(sqlType(f.dataType(), true) + " NOT NULL"));
      }
      columns.add(FactColumn.of("latest_update_time", Merge.WRITE_TIME).withSqlType("DATETIME(3) NOT NULL COMMENT 'UTC'"));
      sideTables.add(new DistinctValues(m, new FactTable(sideTableName(definition, m), columns)));
    }
    return new RollupPlan(definition, zone, output, sideTables);
  }

  /** {@code <table>__<metric>}: the values a distinct metric has seen per row. */
  public static String sideTableName(RollupDefinition definition, Metric metric) {
    return definition.distinctTable(metric);
  }

  public RollupDefinition definition() {
    return definition;
  }

  /** The warehouse table the rows go to: keys, metrics, attributes, then {@code sources} and {@code latest_update_time}. */
  public FactTable table() {
    return table;
  }

  /**
   * One row per key, columns in {@link #table()} order without the two bookkeeping columns: what the rollup computes,
   * in one Spark aggregation. This is the definition and gives the columns' types; at run time {@link FinestGrain}
   * computes the same rows for every rollup from one shared aggregation.
   */
  Dataset<Row> aggregate(Dataset<Row> source) {
    return aggregate(definition, zone, source);
  }

  /** A sum metric's value over no events: 0, in the sum's type. */
  Object zeroOf(Metric sum) {
    DataType type = output.apply(sum.name()).dataType();
    if (type instanceof DecimalType d) return BigDecimal.ZERO.setScale(d.scale());
    if (type.equals(DataTypes.DoubleType) || type.equals(DataTypes.FloatType)) return 0.0;
    return 0L;
  }

  private static Dataset<Row> aggregate(RollupDefinition definition, ZoneId zone, Dataset<Row> source) {
    Dataset<Row> events = prepared(definition, zone, source);
    List<Column> keys = new ArrayList<>();
    for (Dimension d : definition.dimensions()) keys.add(dimension(d).as(d.name()));
    List<Column> aggregates = new ArrayList<>();
    for (Metric m : definition.metrics()) {
      switch (m.kind()) {
        case COUNT, MIN, MAX -> aggregates.add(partial(m).as(m.name()));
        // A sum over no events (or NULLs only) is 0, not NULL.
        case SUM -> aggregates.add(coalesce(partial(m), lit(0)).as(m.name()));
        case RATIO -> { }
        case DISTINCT -> aggregates.add(countDistinct(onlyWhere(m, expr(m.expression()))).as(m.name()));
      }
    }
    for (String attribute : definition.attributes()) {
      aggregates.add(max(col(attribute)).as(attribute));
    }
    Dataset<Row> grouped = events.filter(keysPresent(definition))
        .groupBy(keys.toArray(Column[]::new))
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new));

    List<Column> columns = new ArrayList<>();
    definition.dimensions().forEach(d -> columns.add(col(d.name())));
    Map<String, DataType> types = new HashMap<>();
    for (StructField f : grouped.schema().fields()) types.put(f.name(), f.dataType());
    for (Metric m : definition.metrics()) {
      columns.add(m.kind() == Metric.Kind.RATIO
          ? ratio(col(m.numerator()), types.get(m.numerator()), col(m.denominator()), types.get(m.denominator())).as(m.name())
          : col(m.name()));
    }
    definition.attributes().forEach(a -> columns.add(col(a)));
    return grouped.select(columns.toArray(Column[]::new));
  }

  /**
   * For each distinct metric, the side table of the values seen per row ({@code <table>__<metric>}): an exact distinct
   * count cannot be merged from two counts, but the set of values can, and the count is recomputed from it.
   */
  public List<DistinctValues> distinctValues() {
    return distinctValues;
  }

  /** A distinct metric's side table, and the pairs of row key and value one batch adds to it. */
  public record DistinctValues(Metric metric, FactTable table) {}

  /** The distinct (key, value) pairs of {@code metric} in {@code source}, in {@code table} column order without the bookkeeping one. */
  public Dataset<Row> distinctPairs(Dataset<Row> source, Metric metric) {
    Dataset<Row> events = prepared(definition, zone, source);
    List<Column> columns = new ArrayList<>();
    for (Dimension d : definition.dimensions()) columns.add(dimension(d).as(d.name()));
    columns.add(expr(metric.expression()).as(DISTINCT_VALUE));
    Column keep = keysPresent(definition).and(expr(metric.expression()).isNotNull());
    if (metric.where() != null) keep = keep.and(expr(metric.where()));
    return events.filter(keep).select(columns.toArray(Column[]::new)).distinct();
  }

  /** A row of {@link #distinctPairs} (as warehouse values) with room for the write time the database stamps. */
  public Object[] toSideTableRow(Object[] pair) {
    return Arrays.copyOf(pair, pair.length + 1);
  }

  /**
   * An aggregated row (as warehouse values) with the bookkeeping columns added, in {@link #table()} order; the write
   * time is left null, for the database to stamp ({@link Merge#WRITE_TIME}).
   */
  public Object[] toWarehouseRow(Object[] aggregated, String sources) {
    Object[] values = Arrays.copyOf(aggregated, aggregated.length + RollupCatalog.BOOKKEEPING_COLUMNS.size());
    values[aggregated.length] = sources;
    return values;
  }

  /** The rollup's events, with the local time the time dimensions read. */
  private static Dataset<Row> prepared(RollupDefinition definition, ZoneId zone, Dataset<Row> source) {
    return withLocalTime(definition.filter() == null ? source : source.filter(expr(definition.filter())), zone);
  }

  /** {@code events} with the local time that {@link #dimension}'s time buckets read. */
  static Dataset<Row> withLocalTime(Dataset<Row> events, ZoneId zone) {
    return events.withColumn(LOCAL_TIME, from_utc_timestamp(col(EVENT_TIME), zone.getId()));
  }

  /** Events with a NULL key and no default are left out (a key column cannot be NULL). */
  private static Column keysPresent(RollupDefinition definition) {
    Column present = lit(true);
    for (Dimension d : definition.dimensions()) {
      if (!d.isTime() && d.defaultValue() == null) present = present.and(dimension(d).isNotNull());
    }
    return present;
  }

  /** A dimension's value: a time bucket of the local time ({@link #withLocalTime}), or the expression or its default. */
  static Column dimension(Dimension d) {
    if (d.isTime()) {
      Column local = col(LOCAL_TIME);
      return switch (d.time()) {
        case HOUR -> date_trunc("hour", local);
        case DAY -> to_date(local);
        case HOUR_OF_DAY -> hour(local).cast(DataTypes.IntegerType);
        // Spark counts 1 = Sunday … 7 = Saturday; ISO-8601 counts 1 = Monday … 7 = Sunday.
        case DAY_OF_WEEK -> pmod(dayofweek(local).plus(5), lit(7)).plus(1).cast(DataTypes.IntegerType);
      };
    }
    Column value = expr(d.expression());
    return d.defaultValue() == null ? value : coalesce(value, expr(d.defaultValue()));
  }

  /**
   * A count, sum, min or max metric as one Spark aggregate over its events (NULL for a sum over none): partial results
   * of it compose by adding (count, sum) or by taking the min or max again, which {@link FinestGrain} relies on.
   */
  static Column partial(Metric m) {
    return switch (m.kind()) {
      case COUNT -> m.where() == null ? count(lit(1)) : sum(when(expr(m.where()), 1L).otherwise(0L));
      case SUM -> sum(onlyWhere(m, expr(m.expression())));
      case MIN -> min(onlyWhere(m, expr(m.expression())));
      case MAX -> max(onlyWhere(m, expr(m.expression())));
      case RATIO, DISTINCT -> throw new IllegalArgumentException(m.kind() + " metric '" + m.name() + "' does not compose");
    };
  }

  /** {@code value} where the metric's {@code where} holds, NULL elsewhere (aggregates skip NULLs). */
  private static Column onlyWhere(Metric m, Column value) {
    return m.where() == null ? value : when(expr(m.where()), value);
  }

  /** numerator / denominator, NULL for a zero denominator; exact decimal division for counts and sums of money. */
  private static Column ratio(Column numerator, DataType numeratorType, Column denominator, DataType denominatorType) {
    Column quotient = exact(numeratorType) && exact(denominatorType)
        ? decimal(numerator, numeratorType).divide(decimal(denominator, denominatorType))
        : numerator.cast(DataTypes.DoubleType).divide(denominator.cast(DataTypes.DoubleType));
    return when(denominator.notEqual(lit(0)), quotient.cast(RATIO));
  }

  private static boolean exact(DataType type) {
    return type instanceof DecimalType || type.equals(DataTypes.LongType) || type.equals(DataTypes.IntegerType);
  }

  private static Column decimal(Column value, DataType type) {
    return type instanceof DecimalType ? value : value.cast(DataTypes.createDecimalType(20, 0));
  }

  private static FactTable table(RollupDefinition definition, StructType output) {
    List<FactColumn> columns = new ArrayList<>();
    for (Dimension d : definition.dimensions()) {
      columns.add(FactColumn.of(d.name(), Merge.KEY).withSqlType(sqlType(output.apply(d.name()).dataType(), true) + " NOT NULL"));
    }
    for (Metric m : definition.metrics()) {
      DataType type = output.apply(m.name()).dataType();
      columns.add(switch (m.kind()) {
        case COUNT, SUM -> FactColumn.of(m.name(), Merge.ADD).withSqlType(sqlType(type, false) + " NOT NULL DEFAULT 0");
        case MIN -> FactColumn.of(m.name(), Merge.MIN).withSqlType(sqlType(type, false) + " NULL");
        case MAX -> FactColumn.of(m.name(), Merge.MAX).withSqlType(sqlType(type, false) + " NULL");
        case RATIO -> FactColumn.derived(m.name(), quote(m.numerator()) + " / NULLIF(" + quote(m.denominator()) + ", 0)")
            .withSqlType("DECIMAL(20, 6) NULL");
        // The count of the values seen for the row so far, kept in the side table written just before.
        case DISTINCT -> FactColumn.derived(m.name(), "(SELECT COUNT(*) FROM " + quote(sideTableName(definition, m)) + " s WHERE "
                + definition.dimensions().stream().map(d -> "s." + quote(d.name()) + " = " + quote(definition.table()) + "." + quote(d.name()))
                    .collect(Collectors.joining(" AND ")) + ")")
            .withSqlType("BIGINT NOT NULL DEFAULT 0");
      });
    }
    for (String attribute : definition.attributes()) {
      columns.add(FactColumn.of(attribute, Merge.KEEP_NON_NULL).withSqlType(sqlType(output.apply(attribute).dataType(), false) + " NULL"));
    }
    columns.add(FactColumn.of("sources", Merge.REPLACE).withSqlType("VARCHAR(32) NOT NULL"));
    columns.add(FactColumn.of("latest_update_time", Merge.WRITE_TIME).withSqlType("DATETIME(3) NOT NULL COMMENT 'UTC'"));
    return new FactTable(definition.table(), columns);
  }

  /** InnoDB's limit on a primary key's size (DYNAMIC row format), in bytes. */
  static final int MAX_KEY_BYTES = 3072;
  /** The bytes MySQL needs for the table's primary key: text dimensions at 4 bytes a character (values cut to {@link DomainCatalog#TEXT_KEY_CHARS}), others by type. */
  public int keyBytes() {
    int bytes = 0;
    for (FactColumn key : table.keyColumns()) {
      String type = key.sqlType();
      bytes += type.startsWith("VARCHAR") ? 4 * key.maxChars() : type.startsWith("BIGINT") ? 8 : type.startsWith("INT") ? 4
          : type.startsWith("SMALLINT") ? 2 : type.startsWith("DATETIME") ? 8 : type.startsWith("DATE") ? 3 : 16;
    }
    return bytes;
  }

  private static String sqlType(DataType type, boolean key) {
    if (type.equals(DataTypes.LongType)) return "BIGINT";
    if (type.equals(DataTypes.IntegerType)) return "INT";
    if (type.equals(DataTypes.ShortType) || type.equals(DataTypes.ByteType)) return "SMALLINT";
    // A text key compares byte for byte: 'VN' and 'vn' are two rows, and a filter matches its value exactly.
    if (type.equals(DataTypes.StringType)) return key ? "VARCHAR(" + DomainCatalog.TEXT_KEY_CHARS + ") COLLATE utf8mb4_bin" : "VARCHAR(1000)";
    if (type.equals(DataTypes.DateType)) return "DATE";
    if (type.equals(DataTypes.TimestampType)) return "DATETIME(3)";
    if (type.equals(DataTypes.DoubleType) || type.equals(DataTypes.FloatType)) return "DOUBLE";
    if (type.equals(DataTypes.BooleanType)) return "BOOLEAN";
    if (type instanceof DecimalType d) return "DECIMAL(" + d.precision() + ", " + d.scale() + ")";
    throw new IllegalArgumentException("no warehouse column type for Spark type " + type.simpleString());
  }
}
