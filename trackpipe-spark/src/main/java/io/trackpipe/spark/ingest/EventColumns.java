package io.trackpipe.spark.ingest;

import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A domain's events as Spark rows, derived from its {@link EventSchema}: the one row schema the stream, the raw store
 * and the batch path share, so they cannot drift. Valid events are {@link #EVENT_ID}, {@link #EVENT_TIME},
 * {@link #RECEIVED_AT}, then one column per field under its own name, in declaration order.
 *
 * <p>Types: integer → bigint, decimal → DECIMAL(20, scale) (exact sums), text, enum and any → string, boolean →
 * boolean, timestamp → timestamp.
 */
public final class EventColumns {
  public static final String EVENT_ID = "event_id";
  public static final String EVENT_TIME = "event_time";
  public static final String RECEIVED_AT = "received_at";

  private EventColumns() {}

  /** The fields that get a column: the analytic ones, and the raw-only ones too when {@code withRawOnly}. */
  public static List<EventField> fields(EventSchema schema, boolean withRawOnly) {
    return withRawOnly ? schema.fields() : schema.analyticFields();
  }

  /** Valid events' rows: id, event time, arrival, then {@link #fields}. */
  public static StructType eventSchema(EventSchema schema, boolean withRawOnly) {
    StructType struct = new StructType()
        .add(EVENT_ID, DataTypes.StringType, false)
        .add(EVENT_TIME, DataTypes.TimestampType, false)
        .add(RECEIVED_AT, DataTypes.TimestampType, false);
    for (EventField field : fields(schema, withRawOnly)) {
      struct = struct.add(field.name(), sparkType(field), true);
    }
    return struct;
  }

  public static DataType sparkType(EventField field) {
    return switch (field.type()) {
      case INTEGER -> DataTypes.LongType;
      case DECIMAL -> DataTypes.createDecimalType(20, field.scale());
      case TEXT, ENUM, ANY -> DataTypes.StringType;
      case BOOLEAN -> DataTypes.BooleanType;
      case TIMESTAMP -> DataTypes.TimestampType;
    };
  }

  /** A decoded value ({@link io.trackpipe.event.DecodedEvent}'s typing) as the Spark column holds it; null stays null. */
  public static Object toSpark(EventField field, Object decoded) {
    if (decoded == null) return null;
    return switch (field.type()) {
      case DECIMAL -> BigDecimal.valueOf((Long) decoded, field.scale());
      case TIMESTAMP -> new Timestamp((Long) decoded);
      default -> decoded;
    };
  }

  /** The inverse of {@link #toSpark}: a column's value back in the decoder's typing. */
  public static Object fromSpark(EventField field, Object value) {
    if (value == null) return null;
    return switch (field.type()) {
      case DECIMAL -> ((BigDecimal) value).setScale(field.scale(), java.math.RoundingMode.UNNECESSARY).unscaledValue()
          .longValueExact();
      case TIMESTAMP -> ((java.util.Date) value).getTime();
      default -> value;
    };
  }
}
