package io.trackpipe.spark.ingest;

import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.spark.deadletter.DeadLetterProducer;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Turns a domain's raw Kafka records into decoded event rows, one pass per record with the domain's
 * {@link EventDecoder}. Rejected records go to the dead-letter topic right here and stay in the dataset only as a
 * small row with their {@link #REJECT_REASON} ({@link DecodeResult.Rejected#code()}), to be counted.
 *
 * <p>Rows: the valid events' columns of {@link EventColumns} (id, event time, arrival, then each field under its own
 * name), nullable, then {@link #REJECT_REASON}, {@link #SOURCE_PARTITION} and {@link #SOURCE_OFFSET}. The raw-only
 * fields are columns only when the decoder keeps their values (for the raw store); otherwise they are left out, not
 * null: 21 null columns would still be built, cached and carried for every job-ads event.
 */
public final class DecodedEvents {
  public static final String REJECT_REASON = "reject_reason";
  public static final String SOURCE_PARTITION = "source_partition";
  public static final String SOURCE_OFFSET = "source_offset";

  private DecodedEvents() {}

  /** The rows {@link #decode} gives with {@code decoder}. */
  public static StructType schema(EventDecoder decoder) {
    StructType schema = new StructType();
    for (StructField f : EventColumns.eventSchema(decoder.schema(), decoder.keepsRawOnlyValues()).fields()) {
      schema = schema.add(f.name(), f.dataType(), true); // null for a rejected record
    }
    return schema
        .add(REJECT_REASON, DataTypes.StringType, true)
        .add(SOURCE_PARTITION, DataTypes.IntegerType, false)
        .add(SOURCE_OFFSET, DataTypes.LongType, false);
  }

  /**
   * Decodes one micro-batch's records.
   *
   * <p>Straight from Spark's internal rows to internal rows: the {@code Row} encoder around the decoder copied every
   * record into a {@code Row} and every decoded event back (strings re-encoded, timestamps and decimals boxed twice),
   * which cost more than the decoding itself. {@code internalCreateDataFrame} is Spark's own way to turn such rows into
   * a {@code DataFrame}; package-private in Scala, it is public to Java.
   *
   * @param kafkaRecords Spark's Kafka source rows ({@code key, value, partition, offset, timestamp}) of {@code topic}
   *     for one batch (not a streaming {@code Dataset})
   */
  public static Dataset<Row> decode(Dataset<Row> kafkaRecords, String topic, EventDecoder decoder,
      DeadLetterProducer deadLetters) {
    // The source reads one topic: naming it here saves turning the topic column into a string per record.
    RDD<InternalRow> records = kafkaRecords.select("key", "value", "partition", "offset", "timestamp")
        .queryExecution().toRdd();
    RDD<InternalRow> decoded = records.toJavaRDD().mapPartitions(new DecodeFunction(topic, decoder, deadLetters)).rdd();
    return kafkaRecords.sparkSession().internalCreateDataFrame(decoded, schema(decoder), false);
  }

  private static final class DecodeFunction implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
    private static final long serialVersionUID = 3L;
    private static final int FIRST_FIELD = 3;
    private final String topic;
    private final EventDecoder decoder;
    private final DeadLetterProducer deadLetters;
    /** Per column after the first three: the field's position in the decoded values, its kind and decimal type. */
    private final int[] positions;
    private final byte[] kinds;
    private final int[] precisions;
    private final int[] scales;
    private final int width;

    private static final byte PLAIN = 0;
    private static final byte DECIMAL = 1;
    private static final byte TIMESTAMP = 2;
    private static final byte STRING = 3;

    DecodeFunction(String topic, EventDecoder decoder, DeadLetterProducer deadLetters) {
      this.topic = topic;
      this.decoder = decoder;
      this.deadLetters = deadLetters;
      EventSchema schema = decoder.schema();
      List<EventField> fields = EventColumns.fields(schema, decoder.keepsRawOnlyValues());
      positions = new int[fields.size()];
      kinds = new byte[fields.size()];
      precisions = new int[fields.size()];
      scales = new int[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        EventField f = fields.get(i);
        positions[i] = schema.indexOf(f.name());
        DataType type = EventColumns.sparkType(f);
        kinds[i] = type instanceof DecimalType ? DECIMAL : type == DataTypes.TimestampType ? TIMESTAMP
            : type == DataTypes.StringType ? STRING : PLAIN;
        if (type instanceof DecimalType decimal) {
          precisions[i] = decimal.precision();
          scales[i] = decimal.scale();
        }
      }
      width = FIRST_FIELD + fields.size() + 3;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> records) {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          if (records.hasNext()) return true;
          deadLetters.flush(); // the task, and so the batch, succeeds only once its dead letters are stored
          return false;
        }

        @Override
        public InternalRow next() {
          return decodeOne(records.next());
        }
      };
    }

    /** Reads {@code record} before returning: the source reuses it for the next one. */
    private InternalRow decodeOne(InternalRow record) {
      byte[] key = record.isNullAt(0) ? null : record.getBinary(0);
      byte[] value = record.isNullAt(1) ? null : record.getBinary(1);
      int partition = record.getInt(2);
      long offset = record.getLong(3);
      long receivedAtMicros = record.getLong(4);
      long receivedAtMillis = Math.floorDiv(receivedAtMicros, 1000L);
      DecodeResult result = decoder.decode(value, receivedAtMillis);
      Object[] row = new Object[width];
      row[2] = receivedAtMicros;
      row[width - 2] = partition;
      row[width - 1] = offset;
      if (result instanceof DecodeResult.Accepted accepted) {
        DecodedEvent e = accepted.event();
        row[0] = UTF8String.fromString(e.id());
        row[1] = e.eventTimeMillis() * 1000L;
        Object[] values = e.values();
        for (int i = 0; i < positions.length; i++) {
          Object v = values[positions[i]];
          if (v != null) {
            v = switch (kinds[i]) {
              case DECIMAL -> Decimal.apply((Long) v, precisions[i], scales[i]);
              case TIMESTAMP -> (Long) v * 1000L;
              case STRING -> UTF8String.fromString((String) v);
              default -> v;
            };
          }
          row[FIRST_FIELD + i] = v;
        }
        return new GenericInternalRow(row);
      }
      DecodeResult.Rejected rejected = (DecodeResult.Rejected) result;
      String code = rejected.code();
      deadLetters.send(key, value, code, rejected.message(), topic, partition, offset, receivedAtMillis);
      row[width - 3] = UTF8String.fromString(code);
      return new GenericInternalRow(row);
    }
  }
}
