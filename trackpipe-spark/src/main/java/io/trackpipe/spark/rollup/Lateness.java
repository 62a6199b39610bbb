package io.trackpipe.spark.rollup;

import static io.trackpipe.spark.ingest.EventColumns.EVENT_TIME;
import static io.trackpipe.spark.ingest.EventColumns.RECEIVED_AT;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.unix_micros;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.apache.spark.sql.Column;

/**
 * Which events the stream counts: those that arrive at most the allowed lateness after their hour ends. Later ones
 * are left to the batch path, which recomputes hours from the raw store. The same rule holds for every rollup, so all
 * tables count the same events.
 */
public final class Lateness {
  private Lateness() {}

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
    long shift = Math.floorMod(zone.getRules().getStandardOffset(Instant.now()).getTotalSeconds() * 1_000_000L, hour);
    Column shifted = unix_micros(col(EVENT_TIME)).plus(shift);
    Column hourEnd = shifted.minus(pmod(shifted, lit(hour))).plus(hour - shift);
    return unix_micros(col(RECEIVED_AT)).leq(hourEnd.plus(allowedLateness.toMillis() * 1000L));
  }
}
