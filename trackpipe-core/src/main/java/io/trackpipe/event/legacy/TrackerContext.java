package io.trackpipe.event.legacy;

import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tracker context of one event: the values of the {@link TrackingField.Kind#FREE} fields ({@code bn}, {@code ua},
 * {@code utm_source}, …) as text, exactly as sent (numbers and booleans in their JSON spelling). The pipeline keeps
 * them (in the raw store) but does not interpret them. Immutable.
 */
public final class TrackerContext {
  /** The free fields, in schema order. */
  public static final List<TrackingField> FIELDS =
      Arrays.stream(TrackingField.values()).filter(f -> f.kind() == TrackingField.Kind.FREE).toList();
  public static final TrackerContext EMPTY = new TrackerContext(new String[TrackingField.values().length]);

  private final String[] byOrdinal;

  private TrackerContext(String[] byOrdinal) {
    this.byOrdinal = byOrdinal;
  }

  /** The value of {@code field}, or null when the tracker sent null or nothing. */
  public String get(TrackingField field) {
    return byOrdinal[field.ordinal()];
  }

  /** Collects values while a record is decoded; not thread-safe. */
  static final class Builder {
    private String[] values;

    void put(TrackingField field, String value) {
      if (values == null) values = new String[TrackingField.values().length];
      values[field.ordinal()] = value;
    }

    TrackerContext build() {
      return values == null ? EMPTY : new TrackerContext(values);
    }
  }

  /** A context with the given values (for tests and callers that hold the fields already). */
  public static TrackerContext of(java.util.Map<TrackingField, String> values) {
    Builder builder = new Builder();
    values.forEach((field, value) -> {
      if (field.kind() != TrackingField.Kind.FREE) {
        throw new IllegalArgumentException(field.jsonName() + " is not a tracker context field");
      }
      builder.put(field, value);
    });
    return builder.build();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TrackerContext that && Arrays.equals(byOrdinal, that.byOrdinal);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(byOrdinal);
  }

  @Override
  public String toString() {
    List<String> set = new ArrayList<>();
    for (TrackingField field : FIELDS) {
      if (get(field) != null) set.add(field.jsonName() + "=" + get(field));
    }
    return "TrackerContext" + set;
  }
}
