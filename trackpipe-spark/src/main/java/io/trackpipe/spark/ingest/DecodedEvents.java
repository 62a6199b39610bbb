package io.trackpipe.spark.ingest;

import io.trackpipe.event.legacy.DecodeResult;
import io.trackpipe.event.legacy.DecodedEvent;
import io.trackpipe.event.legacy.EventDecoder;
import io.trackpipe.event.legacy.TrackerContext;
import io.trackpipe.event.legacy.TrackingField;
import io.trackpipe.spark.deadletter.DeadLetterProducer;
import java.sql.Timestamp;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Turns raw Kafka records into decoded event rows, one pass per record. Rejected records go to the dead-letter
 * topic right here and stay in the dataset only as a small row with their {@link #REJECT_REASON}, to be counted.
 *
 * <p>When the decoder keeps the tracker context ({@link EventDecoder#keepingContext()}, for the raw store), the rows
 * also have its columns ({@link #CONTEXT_COLUMNS}, named as the tracker fields): {@link #SCHEMA_WITH_CONTEXT}.
 * Otherwise they are left out, not null: 21 null columns would still be built, cached and carried for every event.
 */
public final class DecodedEvents {
  public static final String RECEIVED_AT = "received_at";
  public static final String EVENT_TIME = "event_time";
  public static final String EVENT_ID = "event_id";
  public static final String JOB_ID = "job_id";
  public static final String PUBLISHER_ID = "publisher_id";
  public static final String CAMPAIGN_ID = "campaign_id";
  public static final String GROUP_ID = "group_id";
  public static final String BID_MICROS = "bid_micros";
  public static final String CUSTOM_TRACK = "custom_track";
  public static final String REJECT_REASON = "reject_reason";
  public static final String SOURCE_PARTITION = "source_partition";
  public static final String SOURCE_OFFSET = "source_offset";

  /** Valid events' fields, as the rollups read them. */
  public static final StructType EVENT_SCHEMA = new StructType()
      .add(EVENT_ID, DataTypes.StringType, false)
      .add(EVENT_TIME, DataTypes.TimestampType, false)
      .add(RECEIVED_AT, DataTypes.TimestampType, false)
      .add(JOB_ID, DataTypes.LongType, true)
      .add(PUBLISHER_ID, DataTypes.LongType, true)
      .add(CAMPAIGN_ID, DataTypes.LongType, true)
      .add(GROUP_ID, DataTypes.LongType, true)
      .add(BID_MICROS, DataTypes.LongType, true)
      .add(CUSTOM_TRACK, DataTypes.StringType, true);

  /** The tracker context's columns, at the end of {@link #SCHEMA_WITH_CONTEXT}: {@code bn}, {@code cd}, … {@code vp}. */
  public static final List<String> CONTEXT_COLUMNS =
      TrackerContext.FIELDS.stream().map(TrackingField::jsonName).toList();

  /** Every decoded record: valid ones have a null reason, rejected ones only their reason, arrival and position. */
  public static final StructType SCHEMA = new StructType()
      .add(RECEIVED_AT, DataTypes.TimestampType, false)
      .add(EVENT_ID, DataTypes.StringType, true)
      .add(EVENT_TIME, DataTypes.TimestampType, true)
      .add(JOB_ID, DataTypes.LongType, true)
      .add(PUBLISHER_ID, DataTypes.LongType, true)
      .add(CAMPAIGN_ID, DataTypes.LongType, true)
      .add(GROUP_ID, DataTypes.LongType, true)
      .add(BID_MICROS, DataTypes.LongType, true)
      .add(CUSTOM_TRACK, DataTypes.StringType, true)
      .add(REJECT_REASON, DataTypes.StringType, true)
      .add(SOURCE_PARTITION, DataTypes.IntegerType, false)
      .add(SOURCE_OFFSET, DataTypes.LongType, false);
  /** {@link #SCHEMA} and the tracker context's columns. */
  public static final StructType SCHEMA_WITH_CONTEXT = withContextColumns(SCHEMA);
  private static final int CONTEXT_START = SCHEMA.size();

  private DecodedEvents() {}

  private static StructType withContextColumns(StructType schema) {
    for (String column : CONTEXT_COLUMNS) {
      schema = schema.add(column, DataTypes.StringType, true);
    }
    return schema;
  }

  /** The rows {@link #decode} gives with {@code decoder}: {@link #SCHEMA_WITH_CONTEXT} if it keeps the context, else {@link #SCHEMA}. */
  public static StructType schema(EventDecoder decoder) {
    return decoder.keepsContext() ? SCHEMA_WITH_CONTEXT : SCHEMA;
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
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final EventDecoder decoder;
    private final DeadLetterProducer deadLetters;
    private final int width;

    DecodeFunction(String topic, EventDecoder decoder, DeadLetterProducer deadLetters) {
      this.topic = topic;
      this.decoder = decoder;
      this.deadLetters = deadLetters;
      this.width = schema(decoder).size();
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
      Object[] values = new Object[width];
      values[0] = receivedAt;
      values[10] = partition;
      values[11] = offset;
      if (result instanceof DecodeResult.Accepted accepted) {
        DecodedEvent e = accepted.event();
        values[1] = e.id();
        values[2] = new Timestamp(e.eventTimeMillis());
        values[3] = e.jobId();
        values[4] = e.publisherId();
        values[5] = e.campaignId();
        values[6] = e.groupId();
        values[7] = e.bidMicros();
        values[8] = e.customTrack();
        if (width > CONTEXT_START) {
          for (int i = 0; i < TrackerContext.FIELDS.size(); i++) {
            values[CONTEXT_START + i] = e.context().get(TrackerContext.FIELDS.get(i));
          }
        }
        return RowFactory.create(values);
      }
      DecodeResult.Rejected rejected = (DecodeResult.Rejected) result;
      deadLetters.send(key, value, rejected.reason().code(), rejected.message(), topic, partition, offset, receivedAt.getTime());
      values[9] = rejected.reason().code();
      return RowFactory.create(values);
    }
  }
}
