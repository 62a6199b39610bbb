package io.trackpipe.spark.rollup;

import static io.trackpipe.spark.ingest.DecodedEvents.BID_MICROS;
import static io.trackpipe.spark.ingest.DecodedEvents.CUSTOM_TRACK;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.trackpipe.event.legacy.CustomTrack;
import io.trackpipe.rollup.RollupConfig;
import io.trackpipe.spark.ingest.DecodedEvents;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

/**
 * The columns rollup definitions read: the decoded event's fields ({@link DecodedEvents#EVENT_SCHEMA}), the bid as
 * money, and what kind of event it is; lookups add theirs after this.
 */
public final class RollupSource {
  /** The bid in currency units, exact: DECIMAL(20,6). */
  public static final String BID = "bid";
  /** impression, click, conversion, qualified, unqualified or other. */
  public static final String EVENT_KIND = "event_kind";
  public static final DecimalType MONEY = DataTypes.createDecimalType(20, 6);

  private RollupSource() {}

  /** {@code events} ({@link DecodedEvents#EVENT_SCHEMA}) with {@link #BID} and {@link #EVENT_KIND} added. */
  public static Dataset<Row> prepare(Dataset<Row> events, RollupConfig config) {
    List<Column> columns = new ArrayList<>();
    for (String name : events.columns()) columns.add(col(name));
    columns.add(col(BID_MICROS).cast(DataTypes.createDecimalType(38, 0)).divide(lit(1_000_000)).cast(MONEY).as(BID));
    columns.add(eventKind(config).as(EVENT_KIND));
    return events.select(columns.toArray(Column[]::new));
  }

  /** The schema {@link #prepare} produces. */
  public static StructType schema() {
    return DecodedEvents.EVENT_SCHEMA.add(BID, MONEY, true).add(EVENT_KIND, DataTypes.StringType, false);
  }

  private static Column eventKind(RollupConfig config) {
    Column track = col(CUSTOM_TRACK);
    Column impression = track.isin(config.impressionTracks().toArray());
    if (config.untrackedIsImpression()) impression = impression.or(track.isNull()).or(track.equalTo(""));
    return when(track.equalTo(CustomTrack.CLICK), lit(CustomTrack.CLICK))
        .when(track.equalTo(CustomTrack.CONVERSION), lit(CustomTrack.CONVERSION))
        .when(track.equalTo(CustomTrack.QUALIFIED), lit(CustomTrack.QUALIFIED))
        .when(track.equalTo(CustomTrack.UNQUALIFIED), lit(CustomTrack.UNQUALIFIED))
        .when(impression, lit("impression"))
        .otherwise(lit("other"));
  }
}
