package io.trackpipe.spark.ingest;

import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.spark.deadletter.DeadLetterProducer;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

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
   * @param kafkaRecords Spark's Kafka source rows ({@code key, value, partition, offset, timestamp}) of {@code topic}
   */
  public static Dataset<Row> decode(Dataset<Row> kafkaRecords, String topic, EventDecoder decoder,
      DeadLetterProducer deadLetters) {
    return kafkaRecords
        // The source reads one topic: naming it here saves turning the topic column into a string per record.
        .select("key", "value", "partition", "offset", "timestamp")
        .mapPartitions(new DecodeFunction(topic, decoder, deadLetters), Encoders.row(schema(decoder)));
  }

  private static final class DecodeFunction implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 2L;
    private static final int FIRST_FIELD = 3;
    private final String topic;
    private final EventDecoder decoder;
    private final DeadLetterProducer deadLetters;
    /** Per column after the first three: the field's position in the decoded values, its kind and decimal scale. */
    private final int[] positions;
    private final byte[] kinds;
    private final int[] scales;
    private final int width;

    private static final byte PLAIN = 0;
    private static final byte DECIMAL = 1;
    private static final byte TIMESTAMP = 2;

    DecodeFunction(String topic, EventDecoder decoder, DeadLetterProducer deadLetters) {
      this.topic = topic;
      this.decoder = decoder;
      this.deadLetters = deadLetters;
      EventSchema schema = decoder.schema();
      List<EventField> fields = EventColumns.fields(schema, decoder.keepsRawOnlyValues());
      positions = new int[fields.size()];
      kinds = new byte[fields.size()];
      scales = new int[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        EventField f = fields.get(i);
        positions[i] = schema.indexOf(f.name());
        kinds[i] = switch (f.type()) {
          case DECIMAL -> DECIMAL;
          case TIMESTAMP -> TIMESTAMP;
          default -> PLAIN;
        };
        scales[i] = f.scale();
      }
      width = FIRST_FIELD + fields.size() + 3;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> records) {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          if (records.hasNext()) return true;
          deadLetters.flush(); // the task, and so the batch, succeeds only once its dead letters are stored
          return false;
        }

        @Override
        public Row next() {
          return decodeOne(records.next());
        }
      };
    }

    private Row decodeOne(Row record) {
      byte[] key = record.isNullAt(0) ? null : record.getAs(0);
      byte[] value = record.isNullAt(1) ? null : record.getAs(1);
      int partition = record.getInt(2);
      long offset = record.getLong(3);
      Timestamp receivedAt = record.getTimestamp(4);
      DecodeResult result = decoder.decode(value, receivedAt.getTime());
      Object[] row = new Object[width];
      row[2] = receivedAt;
      row[width - 2] = partition;
      row[width - 1] = offset;
      if (result instanceof DecodeResult.Accepted accepted) {
        DecodedEvent e = accepted.event();
        row[0] = e.id();
        row[1] = new Timestamp(e.eventTimeMillis());
        Object[] values = e.values();
        for (int i = 0; i < positions.length; i++) {
          Object v = values[positions[i]];
          if (v != null && kinds[i] != PLAIN) {
            v = kinds[i] == DECIMAL ? BigDecimal.valueOf((Long) v, scales[i]) : new Timestamp((Long) v);
          }
          row[FIRST_FIELD + i] = v;
        }
        return RowFactory.create(row);
      }
      DecodeResult.Rejected rejected = (DecodeResult.Rejected) result;
      String code = rejected.code();
      deadLetters.send(key, value, code, rejected.message(), topic, partition, offset, receivedAt.getTime());
      row[width - 3] = code;
      return RowFactory.create(row);
    }
  }
}
