package io.trackpipe.rollup;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a time dimension buckets the event time, on the wall clock of the configured zone. */
public enum TimeGrain {
  /** The hour's start, as a date-time. */
  HOUR("hour"),
  /** The date. */
  DAY("day"),
  /** 0–23. */
  HOUR_OF_DAY("hour-of-day"),
  /** 1 (Monday) – 7 (Sunday), ISO-8601. */
  DAY_OF_WEEK("day-of-week");

  private final String yamlName;

  TimeGrain(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  public static Optional<TimeGrain> parse(String text) {
    return Arrays.stream(values()).filter(g -> g.yamlName.equals(text)).findFirst();
  }

  public static String names() {
    return Arrays.stream(values()).map(TimeGrain::yamlName).collect(Collectors.joining(", "));
  }
}
