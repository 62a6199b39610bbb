package io.trackpipe.search;

import java.time.Duration;

/**
 * What one run did to one table's index.
 *
 * @param mode {@code full} (every row), {@code incremental} (rows written since the previous run, less the overlap) or
 *     {@code skipped} (the table does not exist yet; {@link #note} says why)
 * @param rowsRead rows read from the warehouse and indexed
 * @param deleted documents of rows no longer in the warehouse, deleted
 * @param documents documents in the index after the run
 */
public record TableReport(String table, String index, String mode, long rowsRead, long deleted, long documents,
    Duration took, String note) {

  public boolean skipped() {
    return mode.equals("skipped");
  }

  /** Rows read and indexed per second. */
  public double rowsPerSecond() {
    return took.isZero() ? 0 : rowsRead * 1000.0 / Math.max(1, took.toMillis());
  }
}
