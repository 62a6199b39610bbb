package io.trackpipe.event;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * A valid event of a domain: its id, its event time, and every field's value by its position in the domain's
 * {@link io.trackpipe.domain.EventSchema#fields()} (null when not sent). Values are typed as
 * {@link io.trackpipe.domain.FieldType} says: {@code Long} for integers, timestamps (epoch millis) and decimals (their
 * unscaled value), {@code String} for text, enum and any, {@code Boolean} for booleans.
 *
 * @param id the id field's value as text, or the hash of the {@code hash-of} fields
 */
public record DecodedEvent(String id, long eventTimeMillis, Object[] values) {
  public DecodedEvent {
    requireNonNull(id, "id is null");
    requireNonNull(values, "values is null");
  }

  /** The value at {@code index} of the schema's fields. */
  public Object value(int index) {
    return values[index];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DecodedEvent that && id.equals(that.id) && eventTimeMillis == that.eventTimeMillis
        && Arrays.equals(values, that.values);
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "DecodedEvent[" + id + ", " + java.time.Instant.ofEpochMilli(eventTimeMillis) + ", " + Arrays.toString(values) + "]";
  }
}
