package io.trackpipe.search;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A warehouse table as the search index sees it: its columns with their field types, in table order, and its primary key
 * (which makes the document ids). Read from the database itself, so any domain's rollup table works without code.
 *
 * @param key the primary key's columns, in key order
 */
public record IndexedTable(String name, List<Column> columns, List<String> key) {

  /** The column whose time stamps the last write of a row (every rollup table has it): what incremental runs read by. */
  public static final String WRITE_TIME_COLUMN = io.trackpipe.rollup.RollupCatalog.BOOKKEEPING_COLUMNS.get(1);
  /** Bumped when the way documents or ids are made changes, so that existing indices are rebuilt. */
  private static final String DOCUMENT_FORMAT = "documents-v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A column and how it is indexed. */
  public record Column(String name, SearchFieldType type) {
    public Column {
      requireNonNull(name, "name is null");
      requireNonNull(type, "type is null");
    }
  }

  public IndexedTable {
    requireNonNull(name, "name is null");
    columns = List.copyOf(columns);
    key = List.copyOf(key);
    if (key.isEmpty()) {
      throw new IllegalArgumentException("table " + name + " has no primary key: its rows have no identity to index by");
    }
    for (String k : key) {
      if (columns.stream().noneMatch(c -> c.name().equals(k))) {
        throw new IllegalArgumentException("table " + name + ": key column " + k + " is not one of its columns");
      }
    }
  }

  /** Whether runs can read only the rows written since the previous run. */
  public Optional<Column> writeTime() {
    return columns.stream().filter(c -> c.name().equals(WRITE_TIME_COLUMN) && c.type() == SearchFieldType.DATE_TIME)
        .findFirst();
  }

  /**
   * The explicit mapping: one field per column with its type, {@code dynamic: strict} (a document with another field is
   * refused rather than guessed), and {@code _meta} naming the table, its key and this mapping's fingerprint.
   */
  public ObjectNode mapping(String domain) {
    ObjectNode mapping = JSON.createObjectNode();
    mapping.put("dynamic", "strict");
    ObjectNode meta = mapping.putObject("_meta").putObject("trackpipe");
    meta.put("domain", domain);
    meta.put("table", name);
    key.forEach(meta.putArray("key")::add);
    meta.put("fingerprint", fingerprint());
    ObjectNode properties = mapping.putObject("properties");
    for (Column column : columns) {
      ObjectNode field = properties.putObject(column.name());
      field.put("type", column.type().mappingType());
      if (column.type().mappingType().equals("date")) {
        field.put("format", SearchFieldType.DATE_FORMAT);
      }
    }
    return mapping;
  }

  /** Changes when a column, its type or the key changes: an index with another fingerprint is rebuilt. */
  public String fingerprint() {
    StringBuilder text = new StringBuilder(DOCUMENT_FORMAT).append('\n');
    columns.forEach(c -> text.append(c.name()).append(':').append(c.type()).append('\n'));
    text.append("key:").append(String.join(",", key));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
