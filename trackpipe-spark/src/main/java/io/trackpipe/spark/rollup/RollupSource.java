package io.trackpipe.spark.rollup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.trackpipe.domain.DerivedColumn;
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.spark.ingest.EventColumns;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The columns rollup definitions read: a domain's valid events ({@link EventColumns}, without the raw-only fields)
 * and its derived columns, each a Spark SQL expression declared in the domain's file; lookups add theirs after this.
 */
public final class RollupSource {
  private RollupSource() {}

  /**
   * {@code events} (rows of {@link EventColumns#eventSchema}) with the schema's derived columns added, in their
   * declared order (a derived column may read those declared before it).
   */
  public static Dataset<Row> prepare(Dataset<Row> events, EventSchema schema) {
    events = withRollupTypes(events, schema);
    for (DerivedColumn derived : schema.derived()) {
      events = events.withColumn(derived.name(), expr(derived.expression()));
    }
    return events;
  }

  /** {@code events} with each field in its {@link EventColumns#rollupType}: decimals widened to DECIMAL(20, scale). */
  public static Dataset<Row> withRollupTypes(Dataset<Row> events, EventSchema schema) {
    for (EventField field : EventColumns.fields(schema, false)) {
      DataType type = EventColumns.rollupType(field);
      if (!type.equals(EventColumns.sparkType(field))) events = events.withColumn(field.name(), col(field.name()).cast(type));
    }
    return events;
  }

  /** The schema {@link #prepare} produces from the domain's valid events. */
  public static StructType schema(SparkSession spark, EventSchema schema) {
    return prepare(spark.createDataFrame(List.of(), EventColumns.eventSchema(schema, false)), schema).schema();
  }
}
