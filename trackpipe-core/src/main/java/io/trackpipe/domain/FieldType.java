package io.trackpipe.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The type of an event field, as a definition file names it, and how its value travels once decoded (the
 * {@link io.trackpipe.event.DecodedEvent} value, the Spark column).
 */
public enum FieldType {
  /** A JSON integer; a {@code Long}. Checks: {@code min}, {@code max}. */
  INTEGER,
  /**
   * A JSON number with at most {@code scale} decimals kept (rounded half-up beyond); travels as its unscaled
   * {@code Long} (1.25 at scale 6 is 1 250 000) so sums are exact, and is DECIMAL(20, scale) in tables. Checks:
   * {@code min}, {@code max}.
   */
  DECIMAL,
  /** A JSON string; a {@code String}. Check: {@code max-length}. */
  TEXT,
  /** A JSON string, one of {@code values}; a {@code String}. */
  ENUM,
  /** A JSON boolean; a {@code Boolean}. */
  BOOLEAN,
  /** A timestamp in one of the field's {@code formats}; epoch milliseconds as a {@code Long}. */
  TIMESTAMP,
  /** A string, number or boolean kept as its JSON text, not interpreted (tracker context); a {@code String}. */
  ANY;

  /** The name in definition files: {@code integer}, {@code decimal}, … */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<FieldType> parse(String name) {
    return Arrays.stream(values()).filter(t -> t.yamlName().equals(name)).findFirst();
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(FieldType::yamlName).toList();
  }
}
