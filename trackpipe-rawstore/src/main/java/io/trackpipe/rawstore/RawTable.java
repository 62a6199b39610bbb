package io.trackpipe.rawstore;

import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.domain.FieldType;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A domain's table in the raw store, derived from its {@link EventSchema}: the key rules, the columns and the CQL that
 * creates them, defined once for every writer and reader (docs/raw-store.md). Serializable: Spark ships it to the
 * executors that read and write.
 *
 * <p>One row per event: partition key ({@value #EVENT_HOUR}, {@value #BUCKET}), clustering (the event-time field, the id
 * column), {@value #RECEIVED_AT}, then every other field of the schema, raw-only ones included, in declaration order,
 * with a CQL type per field type. The id column is the id field, or {@value #HASH_ID} for an id hashed from fields.
 * {@code <table>_arrivals} and {@code <table>_layout} sit next to it.
 *
 * @param name the table's name in the store's keyspace ({@link Domain#rawTable()})
 */
public record RawTable(RawStoreConfig store, String name, EventSchema schema) implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String EVENT_HOUR = "event_hour";
  public static final String BUCKET = "bucket";
  public static final String RECEIVED_AT = "received_at";
  /** The id column of a domain whose id is a hash of fields (no field holds it). */
  public static final String HASH_ID = "event_id";
  /** The arrivals index's columns. */
  public static final String ARRIVAL_HOUR = "arrival_hour";
  public static final String LAST_ARRIVAL = "last_arrival";

  private static final long HOUR_MILLIS = 3_600_000L;

  public RawTable {
    requireNonNull(store, "store is null");
    requireNonNull(name, "name is null");
    requireNonNull(schema, "schema is null");
  }

  public static RawTable of(Domain domain, RawStoreConfig store) {
    return new RawTable(store, domain.rawTable(), domain.schema());
  }

  /** The events table, qualified: {@code keyspace.table}. */
  public String qualifiedName() {
    return store.keyspace() + "." + name;
  }

  /** The arrivals index next to the table. */
  public String qualifiedArrivals() {
    return qualifiedName() + "_arrivals";
  }

  public String qualifiedLayout() {
    return qualifiedName() + "_layout";
  }

  /** The clustering column after the event time: the id field, or {@value #HASH_ID}. */
  public String idColumn() {
    return schema.id().hashed() ? HASH_ID : schema.id().field();
  }

  /** The id field, or null when the id is a hash ({@value #HASH_ID}, text). */
  public EventField idField() {
    return schema.id().hashed() ? null : schema.field(schema.id().field()).orElseThrow();
  }

  public String timeColumn() {
    return schema.time().field();
  }

  /** The fields stored after {@value #RECEIVED_AT}: every field but the event time and the id, in declaration order. */
  public List<EventField> valueFields() {
    return schema.fields().stream().filter(f -> !f.name().equals(timeColumn()) && !f.name().equals(idColumn())).toList();
  }

  /** Columns in insert order: the key, the arrival, then {@link #valueFields()}. */
  public List<String> columns() {
    List<String> columns = new ArrayList<>(List.of(EVENT_HOUR, BUCKET, timeColumn(), idColumn(), RECEIVED_AT));
    valueFields().forEach(f -> columns.add(f.name()));
    return columns;
  }

  /** The CQL type of a field's column; decimals keep their exact value, {@code any} its JSON spelling. */
  public static String cqlType(FieldType type) {
    return switch (type) {
      case INTEGER -> "bigint";
      case DECIMAL -> "decimal";
      case TEXT, ENUM, ANY -> "text";
      case BOOLEAN -> "boolean";
      case TIMESTAMP -> "timestamp";
    };
  }

  /**
   * The statements that create the keyspace and the three tables when missing, every one {@code IF NOT EXISTS}.
   * Rows ordered by event time within an hour's partition make a range inside an hour a clustering slice; time-window
   * compaction by day suits rows that arrive roughly in time order and are never updated.
   */
  public List<String> createStatements() {
    StringBuilder table = new StringBuilder("CREATE TABLE IF NOT EXISTS " + qualifiedName() + " (\n");
    table.append("  ").append(EVENT_HOUR).append(" timestamp,\n");
    table.append("  ").append(BUCKET).append(" int,\n");
    table.append("  ").append(timeColumn()).append(" timestamp,\n");
    table.append("  ").append(idColumn()).append(' ').append(idField() == null ? "text" : cqlType(idField().type()))
        .append(",\n");
    table.append("  ").append(RECEIVED_AT).append(" timestamp,\n");
    for (EventField field : valueFields()) {
      table.append("  ").append(field.name()).append(' ').append(cqlType(field.type())).append(",\n");
    }
    table.append("  PRIMARY KEY ((").append(EVENT_HOUR).append(", ").append(BUCKET).append("), ").append(timeColumn())
        .append(", ").append(idColumn()).append(")\n");
    table.append(") WITH CLUSTERING ORDER BY (").append(timeColumn()).append(" ASC, ").append(idColumn()).append(" ASC)\n");
    table.append("  AND compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'DAYS', ")
        .append("'compaction_window_size': 1}");
    return List.of(
        "CREATE KEYSPACE IF NOT EXISTS " + store.keyspace() + "\n  WITH replication = " + store.replication(),
        table.toString(),
        "CREATE TABLE IF NOT EXISTS " + qualifiedArrivals() + " (\n  " + ARRIVAL_HOUR + " timestamp,\n  " + EVENT_HOUR
            + " timestamp,\n  " + LAST_ARRIVAL + " timestamp,\n  PRIMARY KEY ((" + ARRIVAL_HOUR + "), " + EVENT_HOUR + ")\n)",
        "CREATE TABLE IF NOT EXISTS " + qualifiedLayout() + " (\n  name text PRIMARY KEY,\n  buckets_per_hour int\n)");
  }

  /** The UTC hour an instant falls in, as epoch millis. */
  public static long hourOf(long epochMillis) {
    return Math.floorDiv(epochMillis, HOUR_MILLIS) * HOUR_MILLIS;
  }

  /** The event's bucket: CRC-32 of the UTF-8 event id, modulo the bucket count (reproducible in any language). */
  public static int bucketOf(String eventId, int bucketsPerHour) {
    CRC32 crc = new CRC32();
    crc.update(eventId.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % bucketsPerHour);
  }

  String insertCql() {
    List<String> columns = columns();
    return "INSERT INTO " + qualifiedName() + " (" + String.join(", ", columns) + ") VALUES ("
        + String.join(", ", columns.stream().map(c -> "?").toList()) + ")";
  }

  String insertArrivalCql() {
    return "INSERT INTO " + qualifiedArrivals() + " (" + ARRIVAL_HOUR + ", " + EVENT_HOUR + ", " + LAST_ARRIVAL
        + ") VALUES (?, ?, ?) USING TIMESTAMP ?";
  }
}
