package io.trackpipe.cli.fileimport;

import io.trackpipe.collector.fileimport.ImportSummary;
import java.util.Locale;
import java.util.Map;

/** How {@code trackpipe import} shows where it is: a bar on a terminal, a plain line in a log, a summary at the end. */
public final class ImportProgress {
  private static final int BAR_WIDTH = 30;

  private ImportProgress() {}

  /**
   * One redrawable line for a terminal: a bar and a percentage when the inputs' size is known (files), the counts
   * alone when not (standard input).
   */
  public static String bar(ImportSummary s) {
    StringBuilder line = new StringBuilder();
    if (s.totalBytes() > 0) {
      double done = Math.min(1.0, (double) s.bytesRead() / s.totalBytes());
      int filled = (int) Math.round(done * BAR_WIDTH);
      line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
          .append(String.format(Locale.ROOT, "%3.0f%% ", done * 100));
    }
    return line.append(line(s)).toString();
  }

  /** The counts so far, for a log: one line every few seconds. */
  public static String line(ImportSummary s) {
    return String.format(Locale.ROOT, "%,d lines read, %,d sent, %,d rejected, %,.0f lines/s", s.linesRead(), s.sent(),
        s.rejected(), s.linesPerSecond());
  }

  /** The closing report: lines, events sent, rejections by reason, time and rate. */
  public static String summary(ImportSummary s) {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "Read %,d lines", s.linesRead()));
    if (s.blankLines() > 0) text.append(String.format(Locale.ROOT, " (%,d blank)", s.blankLines()));
    text.append(String.format(Locale.ROOT, "; sent %,d events; rejected %,d", s.sent(), s.rejected()));
    if (!s.rejectedByReason().isEmpty()) {
      StringBuilder reasons = new StringBuilder();
      for (Map.Entry<String, Long> reason : s.rejectedByReason().entrySet()) {
        if (reasons.length() > 0) reasons.append(", ");
        reasons.append(reason.getKey()).append(' ').append(String.format(Locale.ROOT, "%,d", reason.getValue()));
      }
      text.append(" (").append(reasons).append(')');
    }
    text.append(String.format(Locale.ROOT, "; in %.1f s, %,.0f lines/s", s.elapsed().toMillis() / 1000.0,
        s.linesPerSecond()));
    return text.toString();
  }
}
