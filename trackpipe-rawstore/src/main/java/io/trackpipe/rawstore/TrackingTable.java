package io.trackpipe.rawstore;

import io.trackpipe.event.legacy.TrackerContext;
import io.trackpipe.event.legacy.TrackingField;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The raw table's key rules and column list, defined once for every writer and reader (see {@code cql/tracking.cql}
 * and docs/raw-store.md).
 */
public final class TrackingTable {
  public static final String EVENT_HOUR = "event_hour";
  public static final String BUCKET = "bucket";
  public static final String RECEIVED_AT = "received_at";
  /** The arrivals index's columns. */
  public static final String ARRIVAL_HOUR = "arrival_hour";
  public static final String LAST_ARRIVAL = "last_arrival";

  private static final long HOUR_MILLIS = 3_600_000L;

  /** Columns in insert order: the key, arrival, then every tracker field under its JSON name. */
  public static final List<String> COLUMNS;

  static {
    List<String> columns = new ArrayList<>(List.of(EVENT_HOUR, BUCKET, TrackingField.TS.jsonName(),
        TrackingField.CREATE_TIME.jsonName(), RECEIVED_AT, TrackingField.JOB_ID.jsonName(),
        TrackingField.PUBLISHER_ID.jsonName(), TrackingField.CAMPAIGN_ID.jsonName(), TrackingField.GROUP_ID.jsonName(),
        TrackingField.BID.jsonName(), TrackingField.CUSTOM_TRACK.jsonName()));
    TrackerContext.FIELDS.forEach(f -> columns.add(f.jsonName()));
    COLUMNS = List.copyOf(columns);
  }

  private TrackingTable() {}

  /** The UTC hour an instant falls in, as epoch millis. */
  public static long hourOf(long epochMillis) {
    return Math.floorDiv(epochMillis, HOUR_MILLIS) * HOUR_MILLIS;
  }

  /** The event's bucket: CRC-32 of the UTF-8 event id, modulo the bucket count (reproducible in any language). */
  public static int bucketOf(String eventId, int bucketsPerHour) {
    CRC32 crc = new CRC32();
    crc.update(eventId.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % bucketsPerHour);
  }

  static String insertCql(RawStoreConfig config) {
    return "INSERT INTO " + config.qualifiedTable() + " (" + String.join(", ", COLUMNS) + ") VALUES ("
        + String.join(", ", COLUMNS.stream().map(c -> "?").toList()) + ")";
  }

  static String insertArrivalCql(RawStoreConfig config) {
    return "INSERT INTO " + config.qualifiedArrivalsTable() + " (" + ARRIVAL_HOUR + ", " + EVENT_HOUR + ", " + LAST_ARRIVAL
        + ") VALUES (?, ?, ?) USING TIMESTAMP ?";
  }
}
