package io.trackpipe.domain;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.List;

/**
 * One field of a domain's events, with its checks.
 *
 * @param required whether an event without it (or with it null, when {@code nullIsMissing}) is rejected
 * @param nullIsMissing whether a JSON null counts as the field not sent; otherwise null is rejected as a wrong type
 * @param min smallest accepted value of an integer or decimal field, or null
 * @param max largest accepted value of an integer or decimal field, or null
 * @param scale decimals a decimal field keeps (0 for other types)
 * @param maxLength longest accepted text of a text, enum or any field
 * @param values the accepted values of an enum field (empty for other types)
 * @param formats the accepted forms of a timestamp field (empty for other types)
 * @param rawOnly whether the field is only validated and kept in the raw store, not carried to the rollups
 */
public record EventField(String name, FieldType type, String description, boolean required, boolean nullIsMissing,
    BigDecimal min, BigDecimal max, int scale, int maxLength, List<String> values, List<TimeFormat> formats,
    boolean rawOnly) implements java.io.Serializable {

  public EventField {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    values = List.copyOf(values);
    formats = List.copyOf(formats);
  }

  /** Whether the decoded value is text (a {@code String}). */
  public boolean textual() {
    return type == FieldType.TEXT || type == FieldType.ENUM || type == FieldType.ANY;
  }
}
