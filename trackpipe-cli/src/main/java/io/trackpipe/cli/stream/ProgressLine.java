package io.trackpipe.cli.stream;

import io.trackpipe.spark.stream.StreamStatus;
import java.util.Locale;

/** One line of human-readable pipeline progress. */
public final class ProgressLine {
  private ProgressLine() {}

  public static String format(long produced, StreamStatus s) {
    StringBuilder line = new StringBuilder();
    if (produced >= 0) line.append("produced ").append(count(produced)).append(" | ");
    line.append("read ").append(count(s.recordsRead()))
        .append(" | counted ").append(count(s.eventsCounted()))
        .append(" | rows upserted ").append(count(s.rowsUpserted()))
        .append(" | duplicates ").append(count(s.droppedDuplicates()))
        .append(" | too late ").append(count(s.eventsTooLate()))
        .append(" | dead-letter ").append(count(s.rejected()))
        .append(" | lag ").append(s.lag() < 0 ? "-" : count(s.lag()))
        .append(" | last batch ").append(s.batches() == 0 ? "-" : s.lastBatchMillis() + " ms")
        .append(String.format(Locale.ROOT, " | %,.0f ev/s", s.processedRecordsPerSecond()));
    return line.toString();
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
