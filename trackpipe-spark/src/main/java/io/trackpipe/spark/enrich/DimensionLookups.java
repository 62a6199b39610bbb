package io.trackpipe.spark.enrich;

import static org.apache.spark.sql.functions.udf;

import io.trackpipe.rollup.Lookup;
import io.trackpipe.warehouse.dimension.LookupTable;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The rollups' lookups ({@code job_id → company_id, industry}) for enrichment: each dimension table is read whole,
 * broadcast to the executors as a map, and re-read once older than the refresh interval, so rows added while the
 * stream runs are used without a restart. A broadcast map, not a join: a lookup costs no extra Spark job per
 * micro-batch. Used from the driver's batch thread only.
 */
public final class DimensionLookups {
  private final List<Lookup> lookups;
  private final LoadTable source;
  private final Duration refresh;
  private final Clock clock;
  private final Map<String, Loaded> loaded = new HashMap<>();

  /** Where the tables come from: the warehouse in the jobs, fixed rows in tests. */
  @FunctionalInterface
  public interface LoadTable {
    LookupTable load(Lookup lookup) throws SQLException;
  }

  private record Loaded(LookupTable table, Broadcast<HashMap<Object, Object[]>> rows, Instant at) {}

  public DimensionLookups(List<Lookup> lookups, LoadTable source, Duration refresh, Clock clock) {
    this.lookups = List.copyOf(lookups);
    this.source = source;
    this.refresh = refresh;
    this.clock = clock;
  }

  /** Fixed tables, never refreshed. */
  public static DimensionLookups of(List<LookupTable> tables) {
    Map<String, LookupTable> byName = new LinkedHashMap<>();
    tables.forEach(t -> byName.put(t.lookup().name(), t));
    return new DimensionLookups(tables.stream().map(LookupTable::lookup).toList(), l -> byName.get(l.name()),
        Duration.ofDays(36_500), Clock.systemUTC());
  }

  public List<Lookup> lookups() {
    return lookups;
  }

  /**
   * The source columns the named lookups add, with their Spark types (reads each table if not loaded yet).
   *
   * @throws SQLException naming the lookup whose table or columns cannot be read
   */
  public StructType columns(JavaSparkContext spark, List<String> lookupNames) throws SQLException {
    StructType schema = new StructType();
    for (Lookup lookup : lookups) {
      if (!lookupNames.contains(lookup.name())) continue;
      LookupTable table = current(spark, lookup).table();
      int i = 0;
      for (String column : lookup.columns().keySet()) {
        schema = schema.add(column, sparkType(table.types().get(i++)), true);
      }
    }
    return schema;
  }

  /** {@code events} with the named lookups' columns added; each is null where the key is null or unknown. */
  public Dataset<Row> enrich(Dataset<Row> events, List<String> lookupNames) throws SQLException {
    JavaSparkContext spark = JavaSparkContext.fromSparkContext(events.sparkSession().sparkContext());
    List<Column> columns = new ArrayList<>();
    for (String name : events.columns()) columns.add(events.col(name));
    for (Lookup lookup : lookups) {
      if (!lookupNames.contains(lookup.name())) continue;
      Loaded current = current(spark, lookup);
      Broadcast<HashMap<Object, Object[]>> rows = current.rows();
      int i = 0;
      for (String column : lookup.columns().keySet()) {
        int index = i++;
        UDF1<Object, Object> get = key -> {
          if (key == null) return null;
          Object[] values = rows.value().get(key);
          return values == null ? null : values[index];
        };
        columns.add(udf(get, sparkType(current.table().types().get(index))).apply(events.col(lookup.joinColumn())).as(column));
      }
    }
    return events.select(columns.toArray(Column[]::new));
  }

  private Loaded current(JavaSparkContext spark, Lookup lookup) throws SQLException {
    Instant now = clock.instant();
    Loaded last = loaded.get(lookup.name());
    if (last != null && now.isBefore(last.at().plus(refresh))) return last;
    LookupTable table = source.load(lookup);
    if (last != null) last.rows().unpersist();
    Loaded fresh = new Loaded(table, spark.broadcast(new HashMap<>(table.rows())), now);
    loaded.put(lookup.name(), fresh);
    return fresh;
  }

  private static DataType sparkType(LookupTable.ValueKind kind) {
    return switch (kind) {
      case INTEGER -> DataTypes.LongType;
      case TEXT -> DataTypes.StringType;
      case DECIMAL -> DataTypes.createDecimalType(38, 10);
      case DOUBLE -> DataTypes.DoubleType;
      case DATE -> DataTypes.DateType;
      case TIMESTAMP -> DataTypes.TimestampType;
    };
  }
}
