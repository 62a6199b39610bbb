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
import io.trackpipe.event.legacy.TrackingField;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawStoreSchema;
import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.rawstore.RawStoreUnavailableException;
import io.trackpipe.rawstore.TrackingTable;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.spark.ingest.EventColumns;
import java.math.BigDecimal;
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
 * Reads the Cassandra raw store for the batch job, by partition key only: the arrivals index one arrival hour
 * ({@code WHERE arrival_hour = ?}) at a time, and events one (event hour, bucket) partition at a time
 * ({@code WHERE event_hour = ? AND bucket = ?}), spread over Spark tasks that each query their share of the partitions
 * through the executor's shared driver session. No {@code ALLOW FILTERING}, no token-range scan of the events table:
 * the cost is the partitions asked for, whatever else the table holds.
 */
public final class RawStoreSource {
  private static final String[] EVENT_COLUMNS = {TrackingField.CREATE_TIME.jsonName(), TrackingField.TS.jsonName(),
      TrackingTable.RECEIVED_AT, TrackingField.JOB_ID.jsonName(), TrackingField.PUBLISHER_ID.jsonName(),
      TrackingField.CAMPAIGN_ID.jsonName(), TrackingField.GROUP_ID.jsonName(), TrackingField.BID.jsonName(),
      TrackingField.CUSTOM_TRACK.jsonName()};

  private final RawStoreConfig config;

  public RawStoreSource(RawStoreConfig config) {
    this.config = config;
  }

  public RawStoreConfig config() {
    return config;
  }

  /** Checks that the raw store is reachable and has the configured layout (creating the tables when missing). */
  public void checkSchema() {
    RawStoreSchema.apply(RawStoreSessions.get(config), config);
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
        for (Row r : session.execute("SELECT DISTINCT " + TrackingTable.ARRIVAL_HOUR + " FROM " + config.qualifiedArrivalsTable())) {
          arrivalHours.add(r.getInstant(0));
        }
      } else {
        long last = TrackingTable.hourOf(now.toEpochMilli());
        for (long h = TrackingTable.hourOf(after.toEpochMilli()); h <= last; h += 3_600_000L) arrivalHours.add(Instant.ofEpochMilli(h));
      }
      PreparedStatement select = session.prepare("SELECT " + TrackingTable.EVENT_HOUR + ", " + TrackingTable.LAST_ARRIVAL
          + " FROM " + config.qualifiedArrivalsTable() + " WHERE " + TrackingTable.ARRIVAL_HOUR + " = ?");
      Map<Instant, Instant> hours = new HashMap<>();
      for (Instant arrivalHour : arrivalHours) {
        for (Row r : session.execute(select.bind(arrivalHour))) {
          Instant lastArrival = r.getInstant(1);
          if (after == null || lastArrival.isAfter(after)) hours.merge(r.getInstant(0), lastArrival, (a, b) -> a.isAfter(b) ? a : b);
        }
      }
      return hours;
    } catch (DriverException e) {
      throw new RawStoreUnavailableException("Cannot read the arrivals index " + config.qualifiedArrivalsTable()
          + " (Cassandra at " + config.contactPoints() + "): " + e.getMessage(), e);
    }
  }

  /**
   * Every stored event of the UTC event hours {@code utcHours} as rows of {@link EventColumns#eventSchema} (job ads), one row
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
        .mapPartitions(new ReadPartitions(config));
    Dataset<org.apache.spark.sql.Row> events = spark.createDataFrame(rows, EventColumns.eventSchema(DomainCatalog.load(List.of(), List.of()).jobAds().schema(), false));
    return events.withColumn("__copy", row_number().over(Window.partitionBy(col(EVENT_ID))
            .orderBy(col(RECEIVED_AT), col(EVENT_TIME))))
        .filter(col("__copy").equalTo(1))
        .drop("__copy");
  }

  /** One Spark task: its (event hour, bucket) partitions, each read with one partition-key query (paged). */
  private static final class ReadPartitions
      implements FlatMapFunction<Iterator<long[]>, org.apache.spark.sql.Row> {
    private static final long serialVersionUID = 1L;
    private final RawStoreConfig config;

    ReadPartitions(RawStoreConfig config) {
      this.config = config;
    }

    @Override
    public Iterator<org.apache.spark.sql.Row> call(Iterator<long[]> keys) {
      if (!keys.hasNext()) return Collections.emptyIterator();
      CqlSession session = RawStoreSessions.get(config);
      PreparedStatement select = session.prepare("SELECT " + String.join(", ", EVENT_COLUMNS) + " FROM "
          + config.qualifiedTable() + " WHERE " + TrackingTable.EVENT_HOUR + " = ? AND " + TrackingTable.BUCKET + " = ?");
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
              throw new RawStoreUnavailableException("Cannot read " + config.qualifiedTable() + " partition ("
                  + Instant.ofEpochMilli(key[0]) + ", " + key[1] + ") (Cassandra at " + config.contactPoints() + "): "
                  + e.getMessage(), e);
            }
          }
          return current.hasNext();
        }

        @Override
        public org.apache.spark.sql.Row next() {
          if (!hasNext()) throw new NoSuchElementException();
          return toEvent(current.next());
        }
      };
    }

    private static org.apache.spark.sql.Row toEvent(Row r) {
      BigDecimal bid = r.getBigDecimal(7);
      Instant eventTime = r.getInstant(1);
      Instant receivedAt = r.isNull(2) ? eventTime : r.getInstant(2);
      // As the stream's rows of the job-ads schema: id and time fields, then the ids, the bid at scale 6, the track.
      return RowFactory.create(r.getString(0), Timestamp.from(eventTime), Timestamp.from(receivedAt),
          r.getString(0), Timestamp.from(eventTime), longOrNull(r, 3), longOrNull(r, 4), longOrNull(r, 5), longOrNull(r, 6),
          bid == null ? null : bid.setScale(6, RoundingMode.HALF_UP), r.getString(8));
    }

    private static Long longOrNull(Row r, int i) {
      return r.isNull(i) ? null : r.getLong(i);
    }
  }
}
