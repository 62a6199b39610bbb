package io.trackpipe.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The forms a {@link FieldType#TIMESTAMP} field accepts. */
public enum TimeFormat {
  /** {@code yyyy-MM-dd HH:mm:ss}, in the configured zone (the seed trackers' form). */
  LOCAL("local"),
  /** ISO-8601 with or without an offset ({@code 2026-03-01T10:15:30Z}); without one, in the configured zone. */
  ISO_8601("iso-8601"),
  /** A JSON integer: milliseconds since 1970-01-01 UTC. */
  EPOCH_MILLIS("epoch-millis"),
  /** A JSON integer: seconds since 1970-01-01 UTC. */
  EPOCH_SECONDS("epoch-seconds");

  private final String yamlName;

  TimeFormat(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  public static Optional<TimeFormat> parse(String name) {
    return Arrays.stream(values()).filter(f -> f.yamlName.equals(name)).findFirst();
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(TimeFormat::yamlName).toList();
  }
}
