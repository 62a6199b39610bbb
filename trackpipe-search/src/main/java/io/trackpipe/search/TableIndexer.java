package io.trackpipe.search;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackpipe.search.opensearch.SearchClient;
import io.trackpipe.search.opensearch.SearchServerException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one table's index hold exactly the table's rows: one document per row, its id from the key
 * ({@link DocumentIds}), so that indexing a row again overwrites it.
 *
 * <p>A run (1) creates the index with its explicit mapping when missing, or rebuilds it when the table's columns changed;
 * (2) indexes every row, or, when the table has a write-time column and an earlier run finished, the rows written since
 * that run started less {@code search.overlap}; (3) deletes the documents whose rows are gone (a recomputed time range
 * can drop rows), comparing every id in the index with every key in the table; (4) refreshes the index and records the
 * run's start in the mapping's {@code _meta}, last. A run cut short records nothing, so the next run reads from the same
 * point again: the documents it already wrote are overwritten with the same content.
 */
final class TableIndexer {
  private static final Logger LOG = LoggerFactory.getLogger(TableIndexer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = new JsonFactory();
  /** Ids fetched per page when listing an index's documents. */
  private static final int ID_PAGE = 5000;

  private final SearchClient client;
  private final RollupTableSource source;
  private final SearchConfig config;
  private final IndexProgress progress;

  TableIndexer(SearchClient client, RollupTableSource source, SearchConfig config, IndexProgress progress) {
    this.client = client;
    this.source = source;
    this.config = config;
    this.progress = progress;
  }

  TableReport index(String domain, String tableName, boolean full) throws SQLException {
    long t0 = System.nanoTime();
    String index = config.indexName(domain, tableName);
    Optional<IndexedTable> described = source.describe(tableName);
    if (described.isEmpty()) {
      return new TableReport(tableName, index, "skipped", 0, 0, 0, Duration.ZERO,
          "no table " + tableName + " in the warehouse yet (the stream creates it with its first rows)");
    }
    IndexedTable table = described.get();
    Optional<LocalDateTime> indexedThrough = prepareIndex(domain, table, index);
    LocalDateTime runStart = source.databaseClock();
    Optional<LocalDateTime> since = full || table.writeTime().isEmpty() ? Optional.empty()
        : indexedThrough.map(t -> t.minus(config.overlap()));

    Bulk bulk = new Bulk(index, table);
    long rows = source.readRows(table, since, bulk::index);
    bulk.flush();
    long deleted = deleteVanished(table, index, bulk);
    client.expectOk("POST", "/" + index + "/_refresh", null, "refresh index " + index);
    ObjectNode meta = (ObjectNode) table.mapping(domain).get("_meta");
    ((ObjectNode) meta.path("trackpipe")).put("indexed_through", runStart.toString());
    ObjectNode metaOnly = JSON.createObjectNode();
    metaOnly.set("_meta", meta);
    client.expectOk("PUT", "/" + index + "/_mapping", metaOnly, "record the run in index " + index);
    long documents = client.expectOk("GET", "/" + index + "/_count", null, "count index " + index).path("count").asLong();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    String mode = since.isPresent() ? "incremental" : "full";
    LOG.debug("Indexed {} into {} ({}): {} rows read, {} documents deleted, {} documents, {} ms", tableName, index, mode,
        rows, deleted, documents, took.toMillis());
    return new TableReport(tableName, index, mode, rows, deleted, documents, took,
        since.map(s -> "rows written since " + s).orElse("every row"));
  }

  /**
   * Creates the index when missing, and rebuilds it when its mapping is another table shape's.
   *
   * @return when the previous complete run started; empty for a new or rebuilt index
   */
  private Optional<LocalDateTime> prepareIndex(String domain, IndexedTable table, String index) {
    SearchClient.Answer existing = client.request("GET", "/" + index + "/_mapping", null);
    if (existing.ok()) {
      JsonNode meta = existing.body().elements().hasNext()
          ? existing.body().elements().next().path("mappings").path("_meta").path("trackpipe") : JSON.missingNode();
      if (meta.path("fingerprint").asText().equals(table.fingerprint())) {
        JsonNode through = meta.path("indexed_through");
        return through.isTextual() ? Optional.of(LocalDateTime.parse(through.asText())) : Optional.empty();
      }
      LOG.warn("Index {} was made for other columns of {} (fingerprint {} , now {}): rebuilding it", index, table.name(),
          meta.path("fingerprint").asText("none"), table.fingerprint());
      client.expectOk("DELETE", "/" + index, null, "delete the outdated index " + index);
    } else if (existing.status() != 404) {
      throw new SearchServerException("Cannot read the mapping of index " + index + ": " + existing.status() + " "
          + SearchClient.reason(existing.body()));
    }
    ObjectNode body = JSON.createObjectNode();
    body.set("mappings", table.mapping(domain));
    SearchClient.Answer created = client.request("PUT", "/" + index, body);
    boolean raced = created.status() == 400
        && created.body().path("error").path("type").asText().equals("resource_already_exists_exception");
    if (!created.ok() && !raced) {
      throw new SearchServerException("Cannot create index " + index + ": " + created.status() + " "
          + SearchClient.reason(created.body()));
    }
    LOG.info("Created index {} for table {} ({} columns, key {})", index, table.name(), table.columns().size(), table.key());
    return Optional.empty();
  }

  /** Deletes the documents whose key is no longer in the table; returns how many. */
  private long deleteVanished(IndexedTable table, String index, Bulk bulk) throws SQLException {
    client.expectOk("POST", "/" + index + "/_refresh", null, "refresh index " + index);
    Set<String> ids = idsIn(index);
    source.readIds(table, ids::remove);
    for (String id : ids) {
      bulk.delete(id);
    }
    bulk.flush();
    return ids.size();
  }

  /**
   * Every document id in the index, by scrolling. A scroll page whose answer was lost and asked again would be skipped,
   * so the ids are counted against the search's exact total and listed again when they fall short.
   */
  private Set<String> idsIn(String index) {
    for (int attempt = 1; ; attempt++) {
      Set<String> ids = new HashSet<>();
      ObjectNode query = JSON.createObjectNode();
      query.put("size", ID_PAGE);
      query.put("_source", false);
      query.put("track_total_hits", true);
      query.putArray("sort").add("_doc");
      JsonNode page = client.expectOk("POST", "/" + index + "/_search?scroll=1m", query, "list the ids of index " + index);
      long total = page.path("hits").path("total").path("value").asLong();
      String scrollId = page.path("_scroll_id").asText();
      List<String> scrollIds = new ArrayList<>(List.of(scrollId));
      while (page.path("hits").path("hits").size() > 0) {
        page.path("hits").path("hits").forEach(hit -> ids.add(hit.path("_id").asText()));
        ObjectNode next = JSON.createObjectNode();
        next.put("scroll", "1m");
        next.put("scroll_id", scrollId);
        page = client.expectOk("POST", "/_search/scroll", next, "list the ids of index " + index);
        scrollId = page.path("_scroll_id").asText(scrollId);
        scrollIds.add(scrollId);
      }
      ObjectNode clear = JSON.createObjectNode();
      scrollIds.stream().distinct().forEach(clear.putArray("scroll_id")::add);
      client.request("DELETE", "/_search/scroll", clear);
      if (ids.size() == total) {
        return ids;
      }
      if (attempt == 3) {
        throw new SearchServerException("Cannot list the ids of index " + index + ": " + ids.size() + " listed, "
            + total + " counted, three times");
      }
      LOG.warn("Listed {} ids of {} in index {}: listing again", ids.size(), total, index);
    }
  }

  /** {@code _bulk} actions for one index, sent every {@code search.bulk-rows} actions. */
  private final class Bulk {
    private final String index;
    private final IndexedTable table;
    /** Where each key column is among the table's columns. */
    private final int[] keyPositions;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 20);
    private int pending;
    private long written;
    private long deleted;
    private long pendingDeletes;

    Bulk(String index, IndexedTable table) {
      this.index = index;
      this.table = table;
      List<String> names = table.columns().stream().map(IndexedTable.Column::name).toList();
      this.keyPositions = table.key().stream().mapToInt(names::indexOf).toArray();
    }

    void index(String[] values) {
      List<String> keyValues = new ArrayList<>(keyPositions.length);
      for (int position : keyPositions) {
        keyValues.add(values[position]);
      }
      try (JsonGenerator json = FACTORY.createGenerator(buffer)) {
        action(json, "index", DocumentIds.of(keyValues));
        json.writeStartObject();
        for (int i = 0; i < values.length; i++) {
          IndexedTable.Column column = table.columns().get(i);
          column.type().write(json, column.name(), values[i]);
        }
        json.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      buffer.write('\n');
      added(false);
    }

    void delete(String id) {
      try (JsonGenerator json = FACTORY.createGenerator(buffer)) {
        action(json, "delete", id);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      added(true);
    }

    private void action(JsonGenerator json, String kind, String id) throws IOException {
      json.writeStartObject();
      json.writeObjectFieldStart(kind);
      json.writeStringField("_index", index);
      json.writeStringField("_id", id);
      json.writeEndObject();
      json.writeEndObject();
      json.flush();
      buffer.write('\n');
    }

    private void added(boolean deletion) {
      pending++;
      if (deletion) pendingDeletes++;
      if (pending >= config.bulkRows()) {
        flush();
      }
    }

    void flush() {
      if (pending == 0) {
        return;
      }
      client.bulk(buffer.toByteArray(), "index the rows of " + index);
      deleted += pendingDeletes;
      written += pending - pendingDeletes;
      buffer.reset();
      pending = 0;
      pendingDeletes = 0;
      progress.sent(index, written, deleted);
    }
  }

}
