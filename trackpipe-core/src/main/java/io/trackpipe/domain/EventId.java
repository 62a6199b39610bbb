package io.trackpipe.domain;

import java.util.List;

/**
 * How an event is identified for dedup: by one of its fields, or by a hash of several.
 *
 * @param field the field holding the id, or null when the id is a hash
 * @param collectorAssigns whether the collector gives an event sent without {@code field} a new time-based UUID (the
 *     stream rejects one that reaches Kafka without it)
 * @param hashOf the fields whose values make the id when there is no id field: equal values are the same event
 */
public record EventId(String field, boolean collectorAssigns, List<String> hashOf) implements java.io.Serializable {
  public EventId {
    hashOf = List.copyOf(hashOf);
    if ((field == null) == hashOf.isEmpty()) throw new IllegalArgumentException("an id is a field or a hash of fields");
  }

  public boolean hashed() {
    return field == null;
  }
}
