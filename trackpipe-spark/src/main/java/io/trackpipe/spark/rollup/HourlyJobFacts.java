package io.trackpipe.spark.rollup;

import static io.trackpipe.spark.ingest.DecodedEvents.BID_MICROS;
import static io.trackpipe.spark.ingest.DecodedEvents.CAMPAIGN_ID;
import static io.trackpipe.spark.ingest.DecodedEvents.CUSTOM_TRACK;
import static io.trackpipe.spark.ingest.DecodedEvents.EVENT_TIME;
import static io.trackpipe.spark.ingest.DecodedEvents.GROUP_ID;
import static io.trackpipe.spark.ingest.DecodedEvents.JOB_ID;
import static io.trackpipe.spark.ingest.DecodedEvents.PUBLISHER_ID;
import static io.trackpipe.spark.ingest.DecodedEvents.RECEIVED_AT;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.from_utc_timestamp;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import io.trackpipe.event.CustomTrack;
import java.time.Duration;
import java.time.ZoneId;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/**
 * Where clicks are counted: decoded events → the hourly {@code events} facts per job, date, hour, publisher,
 * campaign and group, with the seed systems' rules:
 *
 * <ul>
 *   <li>events without {@code job_id} are not counted; null publisher, campaign, group and bid count as 0;
 *   <li>{@code clicks}, {@code conversion}, {@code qualified_application}, {@code disqualified_application} count
 *       events by {@code custom_track}; {@code spend_hour} sums the bids of clicks, {@code bid_set} is their average;
 *   <li>dates and hours are the event time's wall clock in the configured zone;
 *   <li>an event counts only if it arrived at most {@code allowedLateness} after its hour ended (later ones are
 *       left to the batch path, which recounts hours from the raw store).
 * </ul>
 *
 * <p>A pure function of its inputs. It expects a Spark session in UTC ({@code spark.sql.session.timeZone}), which
 * {@link io.trackpipe.spark.session.SparkSessions} sets, so that the zone conversion here is the only one.
 */
public final class HourlyJobFacts {
  public static final DecimalType MONEY = DataTypes.createDecimalType(20, 6);
  /** The enrichment column the transform expects: the event's job's company, null when the job is unknown. */
  public static final String COMPANY_ID = "company_id";
  private static final String LOCAL_HOUR = "local_hour";
  private static final String SPEND_MICROS = "spend_micros";

  private HourlyJobFacts() {}

  /**
   * True for an event that arrived at most {@code allowedLateness} after its hour (in {@code zone}) ended.
   *
   * <p>Plain arithmetic on epoch microseconds, because this runs on every record: a zone's hours start at whole UTC
   * hours shifted by the sub-hour part of its offset (30 minutes for India, 45 for Nepal). The standard offset is
   * used, so in the few zones whose sub-hour offset changes with daylight saving time the limit can be off by that
   * change around the switch.
   */
  public static Column arrivedInTime(ZoneId zone, Duration allowedLateness) {
    long hour = 3_600_000_000L;
    long shift = Math.floorMod(zone.getRules().getStandardOffset(java.time.Instant.now()).getTotalSeconds() * 1_000_000L, hour);
    Column shifted = unix_micros(col(EVENT_TIME)).plus(shift);
    Column hourEnd = shifted.minus(pmod(shifted, lit(hour))).plus(hour - shift);
    return unix_micros(col(RECEIVED_AT)).leq(hourEnd.plus(allowedLateness.toMillis() * 1000L));
  }

  /**
   * @param events decoded events ({@link io.trackpipe.spark.ingest.DecodedEvents#EVENT_SCHEMA}) enriched with a nullable
   *     {@link #COMPANY_ID}, already deduplicated and filtered by {@link #arrivedInTime}
   * @return one row per fact key, columns in {@link io.trackpipe.warehouse.fact.FactTables#EVENTS} order without the
   *     bookkeeping columns ({@code sources}, {@code latest_update_time})
   */
  public static Dataset<Row> transform(Dataset<Row> events, ZoneId zone) {
    Column isClick = col(CUSTOM_TRACK).equalTo(CustomTrack.CLICK);
    Dataset<Row> hourly = withLocalHour(events.filter(col(JOB_ID).isNotNull()), zone)
        .groupBy(
            col(JOB_ID).as("job_id"),
            to_date(col(LOCAL_HOUR)).as("dates"),
            hour(col(LOCAL_HOUR)).as("hours"),
            coalesce(col(PUBLISHER_ID), lit(0L)).as("publisher_id"),
            coalesce(col(CAMPAIGN_ID), lit(0L)).as("campaign_id"),
            coalesce(col(GROUP_ID), lit(0L)).as("group_id"))
        .agg(
            countWhere(isClick).as("clicks"),
            countWhere(col(CUSTOM_TRACK).equalTo(CustomTrack.CONVERSION)).as("conversion"),
            countWhere(col(CUSTOM_TRACK).equalTo(CustomTrack.QUALIFIED)).as("qualified_application"),
            countWhere(col(CUSTOM_TRACK).equalTo(CustomTrack.UNQUALIFIED)).as("disqualified_application"),
            sum(when(isClick, coalesce(col(BID_MICROS), lit(0L))).otherwise(0L)).as(SPEND_MICROS),
            max(col(COMPANY_ID)).as(COMPANY_ID));
    return hourly
        .select(
            col("job_id"), col("dates"), col("hours").cast(DataTypes.IntegerType).as("hours"), col("publisher_id"),
            col("campaign_id"), col("group_id"), col("clicks"), col("conversion"), col("qualified_application"),
            col("disqualified_application"),
            micros(col(SPEND_MICROS)).as("spend_hour"),
            when(col("clicks").gt(0), micros(col(SPEND_MICROS)).divide(col("clicks")).cast(MONEY)).as("bid_set"),
            col("company_id"));
  }

  private static Column countWhere(Column condition) {
    return sum(when(condition, 1L).otherwise(0L));
  }

  private static Column micros(Column amount) {
    return amount.cast(DataTypes.createDecimalType(38, 0)).divide(lit(1_000_000)).cast(MONEY);
  }

  /** The event time's wall-clock hour in {@code zone}, as a timestamp read in the UTC session. */
  private static Dataset<Row> withLocalHour(Dataset<Row> events, ZoneId zone) {
    return events.withColumn(LOCAL_HOUR, date_trunc("hour", from_utc_timestamp(col(EVENT_TIME), zone.getId())));
  }
}
