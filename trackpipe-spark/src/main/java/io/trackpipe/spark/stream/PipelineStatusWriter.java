package io.trackpipe.spark.stream;

import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.calendar.HourCalendar;
import io.trackpipe.warehouse.status.PipelineStatus;
import io.trackpipe.warehouse.status.PipelineStatusTable;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With each progress of the query (after a batch, and every few seconds while idle), writes the job's counters to
 * {@code pipeline_status} (the dashboard's pipeline panel), and keeps {@code hour_calendar} ahead of the facts' dates.
 * Both are informative: a failure is logged and the stream goes on; the next progress writes again.
 */
final class PipelineStatusWriter {
  private static final Logger log = LoggerFactory.getLogger(PipelineStatusWriter.class);

  private final String job;
  private final StreamMetrics metrics;
  private final PipelineStatusTable table;
  private final HourCalendar calendar;
  private final ZoneId zone;
  private final Clock clock;
  private final Instant startedAt;
  private LocalDate calendarFilledFor;

  PipelineStatusWriter(String job, StreamMetrics metrics, Warehouse warehouse, ZoneId zone, Clock clock) {
    this.job = job;
    this.metrics = metrics;
    this.table = new PipelineStatusTable(warehouse);
    this.calendar = new HourCalendar(warehouse, zone);
    this.zone = zone;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  void write() {
    try {
      LocalDate today = LocalDate.now(clock.withZone(zone));
      if (!today.equals(calendarFilledFor)) {
        calendar.fillAround(today);
        calendarFilledFor = today;
      }
      StreamStatus s = metrics.status();
      // Over the last minutes, not since start: what the stream does now (see FreshnessHistogram).
      long[] freshness = metrics.freshness().recentPercentiles(0.5, 0.99);
      table.record(new PipelineStatus(job, startedAt, clock.instant(), s.lastBatchId(), s.batches(), s.recordsRead(),
          s.eventsCounted(), s.droppedDuplicates(), s.eventsTooLate(), s.rejected(), s.rejectedByReason(),
          s.rowsUpserted(), s.lastBatchMillis(), s.lag() < 0 ? null : s.lag(), s.inputRecordsPerSecond(),
          s.processedRecordsPerSecond(), knownOrNull(freshness[0]), knownOrNull(freshness[1])));
    } catch (SQLException | RuntimeException e) {
      log.warn("Cannot write the pipeline status of {}: {}", job, e.toString());
    }
  }

  /** A percentile of {@link FreshnessHistogram}, null when it had no event (-1). */
  private static Long knownOrNull(long millis) {
    return millis < 0 ? null : millis;
  }
}
