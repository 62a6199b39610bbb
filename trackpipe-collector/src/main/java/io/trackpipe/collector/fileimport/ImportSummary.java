package io.trackpipe.collector.fileimport;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How an import went, or how far it has got.
 *
 * @param linesRead physical lines read, headers and blank lines included
 * @param bytesRead bytes read from the inputs
 * @param totalBytes the inputs' size when known (files), else -1 (standard input)
 * @param blankLines blank lines skipped
 * @param sent events acknowledged by Kafka in the domain's events topic
 * @param rejectedByReason records kept in the dead-letter topic, by reason code ({@code rule:<name>} for a rule)
 * @param stoppedAtLine the last line read when the import stopped early (more lines rejected than the limit, or
 *     stopped by the user), in the input named by {@code stoppedIn}; else -1
 */
public record ImportSummary(long linesRead, long bytesRead, long totalBytes, long blankLines, long sent,
    Map<String, Long> rejectedByReason, Duration elapsed, String stoppedIn, long stoppedAtLine) {

  public ImportSummary {
    rejectedByReason = Collections.unmodifiableMap(new TreeMap<>(rejectedByReason)); // by code, for stable reports
  }

  public long rejected() {
    return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  public boolean stoppedEarly() {
    return stoppedAtLine >= 0;
  }

  public double linesPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : linesRead / seconds;
  }
}
