package io.trackpipe.domain;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * A domain's events: their fields, which one is the id and which the event time, how they are keyed in Kafka, what is
 * done with fields not declared here, the columns derived from them and the rules across them. The decoder, the Spark
 * row schema, the raw store's table and the generators are all derived from it. Immutable.
 *
 * @param partitionKey fields whose first non-null value is the Kafka record key (events with equal keys stay in
 *     order); the event id when all are null or the list is empty
 */
public record EventSchema(List<EventField> fields, EventId id, EventTime time, List<String> partitionKey,
    UnknownFields unknownFields, List<DerivedColumn> derived, List<Rule> rules) implements Serializable {

  /** Column names the pipeline itself gives decoded events and rollup tables; no field or derived column may take them. */
  public static final List<String> RESERVED = List.of("event_id", "event_time", "received_at", "reject_reason",
      "source_partition", "source_offset", "sources", "latest_update_time");

  public EventSchema {
    fields = List.copyOf(fields);
    requireNonNull(id, "id is null");
    requireNonNull(time, "time is null");
    partitionKey = List.copyOf(partitionKey);
    requireNonNull(unknownFields, "unknownFields is null");
    derived = List.copyOf(derived);
    rules = List.copyOf(rules);
  }

  public Optional<EventField> field(String name) {
    int i = indexOf(name);
    return i < 0 ? Optional.empty() : Optional.of(fields.get(i));
  }

  /** The field's position in {@link #fields()} (and in a decoded event's values), or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(name)) return i;
    }
    return -1;
  }

  public List<String> fieldNames() {
    return fields.stream().map(EventField::name).toList();
  }

  /** The fields the rollups can read (all but the raw-only ones), in declaration order. */
  public List<EventField> analyticFields() {
    return fields.stream().filter(f -> !f.rawOnly()).toList();
  }
}
