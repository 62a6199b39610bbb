package io.trackpipe.rollup;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A warehouse dimension table joined to the events before the rollups: {@code table.key = events.joinColumn}. Its
 * columns become source columns (null while the key is unknown), re-read every {@code stream.dimension-refresh}.
 *
 * @param columns source column name → the table's column, in declaration order
 */
public record Lookup(String name, String table, String key, String joinColumn, Map<String, String> columns) {
  public Lookup {
    requireNonNull(name, "name is null");
    requireNonNull(table, "table is null");
    requireNonNull(key, "key is null");
    requireNonNull(joinColumn, "joinColumn is null");
    columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
  }
}
