package io.trackpipe.spark.ingest;

import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.domain.FieldType;
import java.math.BigDecimal;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A domain's events as Spark rows, derived from its {@link EventSchema}: the one row schema the stream, the raw store
 * and the batch path share, so they cannot drift. Valid events are {@link #EVENT_ID}, {@link #EVENT_TIME},
 * {@link #RECEIVED_AT}, then one column per field under its own name, in declaration order.
 *
 * <p>Types: integer → bigint, decimal → DECIMAL(18, scale) when its declared range fits 18 digits, else DECIMAL(20,
 * scale), text, enum and any → string, boolean → boolean, timestamp → timestamp. Spark keeps a decimal of up to 18
 * digits in a long; a wider one is a byte array that every read turns into a {@code BigInteger}, which cost the
 * stream's cached batch a tenth of its time. The rollups read every decimal as {@link #rollupType} (exact sums in
 * DECIMAL(20, scale), whichever the field's width).
 */
public final class EventColumns {
  public static final String EVENT_ID = "event_id";
  public static final String EVENT_TIME = "event_time";
  public static final String RECEIVED_AT = "received_at";

  private static final int LONG_DIGITS = 18;
  private static final int ROLLUP_DIGITS = 20;

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
      case DECIMAL -> DataTypes.createDecimalType(fitsInLong(field) ? LONG_DIGITS : ROLLUP_DIGITS, field.scale());
      case TEXT, ENUM, ANY -> DataTypes.StringType;
      case BOOLEAN -> DataTypes.BooleanType;
      case TIMESTAMP -> DataTypes.TimestampType;
    };
  }

  /** The type rollups and derived columns see the field as: {@link #sparkType}, but every decimal DECIMAL(20, scale). */
  public static DataType rollupType(EventField field) {
    return field.type() == FieldType.DECIMAL ? DataTypes.createDecimalType(ROLLUP_DIGITS, field.scale()) : sparkType(field);
  }

  /** Whether every value the field's declared minimum and maximum allow has at most 18 digits at its scale. */
  static boolean fitsInLong(EventField field) {
    if (field.min() == null || field.max() == null) return false;
    BigDecimal limit = BigDecimal.TEN.pow(LONG_DIGITS - field.scale());
    return field.min().abs().compareTo(limit) < 0 && field.max().abs().compareTo(limit) < 0;
  }

  /**
   * A column's value as a {@code Row} holds it ({@code BigDecimal}, {@code Timestamp}, …) back in the decoder's typing
   * ({@link io.trackpipe.event.DecodedEvent}); null stays null.
   */
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
