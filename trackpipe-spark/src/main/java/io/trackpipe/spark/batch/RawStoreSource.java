package io.trackpipe.spark.batch;

import static io.trackpipe.spark.ingest.EventColumns.EVENT_ID;
import static io.trackpipe.spark.ingest.EventColumns.EVENT_TIME;
import static io.trackpipe.spark.ingest.EventColumns.RECEIVED_AT;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.trackpipe.domain.EventField;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawStoreSchema;
import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.rawstore.RawStoreUnavailableException;
import io.trackpipe.rawstore.RawTable;
import io.trackpipe.spark.ingest.EventColumns;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * Reads a domain's table of the Cassandra raw store ({@link RawTable}) for the batch job, by partition key only: the arrivals index one arrival hour
 * ({@code WHERE arrival_hour = ?}) at a time, and events one (event hour, bucket) partition at a time
 * ({@code WHERE event_hour = ? AND bucket = ?}), spread over Spark tasks that each query their share of the partitions
 * through the executor's shared driver session. No {@code ALLOW FILTERING}, no token-range scan of the events table:
 * the cost is the partitions asked for, whatever else the table holds.
 */
public final class RawStoreSource {
  private final RawTable table;
  private final RawStoreConfig config;

  public RawStoreSource(RawTable table) {
    this.table = table;
    this.config = table.store();
  }

  public RawTable table() {
    return table;
  }

  /** Checks that the raw store is reachable and has the configured layout (creating the tables when missing). */
  public void checkSchema() {
    RawStoreSchema.apply(RawStoreSessions.get(config), table);
  }

  /**
   * The event hours that received rows written after {@code after} (every entry when null), with the latest write to
   * each: the arrivals index partitions of the arrival hours from {@code after}'s hour to {@code now}'s. With no
   * {@code after} (a pipeline's first cycle) the index's partition keys are listed first: a scan of the small index,
   * never of the events.
   */
  public Map<Instant, Instant> eventHoursWrittenAfter(Instant after, Instant now) {
    CqlSession session = RawStoreSessions.get(config);
    List<Instant> arrivalHours = new ArrayList<>();
    try {
      if (after == null) {
        for (Row r : session.execute("SELECT DISTINCT " + RawTable.ARRIVAL_HOUR + " FROM " + table.qualifiedArrivals())) {
          arrivalHours.add(r.getInstant(0));
        }
      } else {
        long last = RawTable.hourOf(now.toEpochMilli());
        for (long h = RawTable.hourOf(after.toEpochMilli()); h <= last; h += 3_600_000L) arrivalHours.add(Instant.ofEpochMilli(h));
      }
      PreparedStatement select = session.prepare("SELECT " + RawTable.EVENT_HOUR + ", " + RawTable.LAST_ARRIVAL
          + " FROM " + table.qualifiedArrivals() + " WHERE " + RawTable.ARRIVAL_HOUR + " = ?");
      Map<Instant, Instant> hours = new HashMap<>();
      for (Instant arrivalHour : arrivalHours) {
        for (Row r : session.execute(select.bind(arrivalHour))) {
          Instant lastArrival = r.getInstant(1);
          if (after == null || lastArrival.isAfter(after)) hours.merge(r.getInstant(0), lastArrival, (a, b) -> a.isAfter(b) ? a : b);
        }
      }
      return hours;
    } catch (DriverException e) {
      throw new RawStoreUnavailableException("Cannot read the arrivals index " + table.qualifiedArrivals()
          + " (Cassandra at " + config.contactPoints() + "): " + e.getMessage(), e);
    }
  }

  /**
   * Every stored event of the UTC event hours {@code utcHours} as the stream's rows of them
   * ({@code EventColumns.eventSchema(schema, false)}: no raw-only fields), one row
   * per event id: copies stored under different times collapse to the earliest-received one (the copy the stream
   * counted first).
   */
  public Dataset<org.apache.spark.sql.Row> read(SparkSession spark, Collection<Instant> utcHours) {
    NavigableSet<Instant> hours = new TreeSet<>(utcHours);
    List<long[]> partitions = new ArrayList<>();
    for (Instant hour : hours) {
      for (int bucket = 0; bucket < config.bucketsPerHour(); bucket++) partitions.add(new long[] {hour.toEpochMilli(), bucket});
    }
    int slices = Math.max(1, Math.min(partitions.size(), spark.sparkContext().defaultParallelism() * 4));
    JavaRDD<org.apache.spark.sql.Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(partitions, slices)
        .mapPartitions(new ReadPartitions(table));
    Dataset<org.apache.spark.sql.Row> events = spark.createDataFrame(rows, EventColumns.eventSchema(table.schema(), false));
    return events.withColumn("__copy", row_number().over(Window.partitionBy(col(EVENT_ID))
            .orderBy(col(RECEIVED_AT), col(EVENT_TIME))))
        .filter(col("__copy").equalTo(1))
        .drop("__copy");
  }

  /** One Spark task: its (event hour, bucket) partitions, each read with one partition-key query (paged). */
  private static final class ReadPartitions
      implements FlatMapFunction<Iterator<long[]>, org.apache.spark.sql.Row> {
    private static final long serialVersionUID = 1L;
    private final RawTable table;
    private final RawStoreConfig config;

    ReadPartitions(RawTable table) {
      this.table = table;
      this.config = table.store();
    }

    @Override
    public Iterator<org.apache.spark.sql.Row> call(Iterator<long[]> keys) {
      if (!keys.hasNext()) return Collections.emptyIterator();
      CqlSession session = RawStoreSessions.get(config);
      List<EventField> fields = EventColumns.fields(table.schema(), false);
      // The id, the event time and the arrival, then the other analytic fields; the id and time fields (when fields)
      // read the first two columns again.
      List<String> columns = new ArrayList<>(List.of(table.idColumn(), table.timeColumn(), RawTable.RECEIVED_AT));
      int[] positions = new int[fields.size()];
      for (int i = 0; i < positions.length; i++) {
        String name = fields.get(i).name();
        positions[i] = columns.indexOf(name);
        if (positions[i] < 0) {
          positions[i] = columns.size();
          columns.add(name);
        }
      }
      PreparedStatement select = session.prepare("SELECT " + String.join(", ", columns) + " FROM "
          + table.qualifiedName() + " WHERE " + RawTable.EVENT_HOUR + " = ? AND " + RawTable.BUCKET + " = ?");
      // Lazily, partition after partition (the driver pages within one): a task never holds more than a page.
      return new Iterator<>() {
        private Iterator<Row> current = Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!current.hasNext() && keys.hasNext()) {
            long[] key = keys.next();
            try {
              current = session.execute(select.bind(Instant.ofEpochMilli(key[0]), (int) key[1])).iterator();
            } catch (DriverException e) {
              throw new RawStoreUnavailableException("Cannot read " + table.qualifiedName() + " partition ("
                  + Instant.ofEpochMilli(key[0]) + ", " + key[1] + ") (Cassandra at " + config.contactPoints() + "): "
                  + e.getMessage(), e);
            }
          }
          return current.hasNext();
        }

        @Override
        public org.apache.spark.sql.Row next() {
          if (!hasNext()) throw new NoSuchElementException();
          return toEvent(current.next(), fields, positions);
        }
      };
    }

    private static org.apache.spark.sql.Row toEvent(Row r, List<EventField> fields, int[] positions) {
      Instant eventTime = r.getInstant(1);
      Object[] values = new Object[3 + fields.size()];
      values[0] = r.getString(0);
      values[1] = Timestamp.from(eventTime);
      values[2] = Timestamp.from(r.isNull(2) ? eventTime : r.getInstant(2));
      for (int i = 0; i < fields.size(); i++) values[3 + i] = sparkValue(r, positions[i], fields.get(i));
      return RowFactory.create(values);
    }

    /** A column's value as {@link EventColumns} types it; decimals at the field's scale, as the decoder rounds them. */
    private static Object sparkValue(Row r, int i, EventField field) {
      if (r.isNull(i)) return null;
      return switch (field.type()) {
        case INTEGER -> r.getLong(i);
        case DECIMAL -> r.getBigDecimal(i).setScale(field.scale(), RoundingMode.HALF_UP);
        case TEXT, ENUM, ANY -> r.getString(i);
        case BOOLEAN -> r.getBoolean(i);
        case TIMESTAMP -> Timestamp.from(r.getInstant(i));
      };
    }
  }
}
