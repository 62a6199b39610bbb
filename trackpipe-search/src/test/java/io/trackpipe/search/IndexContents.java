package io.trackpipe.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.warehouse.Warehouse;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an index and a warehouse table on their own (plain HTTP and JDBC, none of the indexer's code) and compares
 * them: the same number of documents as rows, one document per key, every column's value equal.
 */
final class IndexContents {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private IndexContents() {}

  /** One document: its id and fields. */
  record Document(String id, JsonNode source) {}

  /** Every document of {@code index}, scrolling. */
  static List<Document> documents(String searchUrl, String index) throws Exception {
    send(searchUrl, "POST", "/" + index + "/_refresh", null);
    List<Document> documents = new ArrayList<>();
    JsonNode page = send(searchUrl, "POST", "/" + index + "/_search?scroll=1m", "{\"size\":2000,\"sort\":[\"_doc\"]}");
    while (page.path("hits").path("hits").size() > 0) {
      page.path("hits").path("hits").forEach(hit -> documents.add(new Document(hit.path("_id").asText(), hit.path("_source"))));
      page = send(searchUrl, "POST", "/_search/scroll", "{\"scroll\":\"1m\",\"scroll_id\":\"" + page.path("_scroll_id").asText() + "\"}");
    }
    return documents;
  }

  static JsonNode send(String searchUrl, String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(searchUrl + path)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
    return JSON.readTree(response.body());
  }

  /** Asserts that {@code index} holds exactly the rows of {@code table}; returns the number of rows. */
  static int assertIndexEqualsTable(Warehouse warehouse, String table, String searchUrl, String index) throws Exception {
    List<String> key = new ArrayList<>();
    Map<List<String>, Map<String, Object>> rows = new LinkedHashMap<>();
    Map<String, Integer> types = new HashMap<>();
    try (Connection c = warehouse.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SHOW KEYS FROM `" + table + "` WHERE Key_name = 'PRIMARY'")) {
        while (rs.next()) key.add(rs.getString("Column_name"));
      }
      try (ResultSet rs = s.executeQuery("SELECT * FROM `" + table + "`")) {
        ResultSetMetaData meta = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            types.put(meta.getColumnName(i), meta.getColumnType(i));
            row.put(meta.getColumnName(i), jdbcValue(rs, i, meta.getColumnType(i)));
          }
          rows.put(key.stream().map(k -> String.valueOf(row.get(k))).toList(), row);
        }
      }
    }
    List<Document> documents = documents(searchUrl, index);
    assertThat(documents).as("documents in " + index + " against rows of " + table).hasSize(rows.size());
    Set<String> ids = new HashSet<>();
    documents.forEach(d -> ids.add(d.id()));
    assertThat(ids).as("distinct ids in " + index).hasSize(documents.size());
    List<String> differences = new ArrayList<>();
    Set<List<String>> seen = new HashSet<>();
    for (Document document : documents) {
      Map<String, Object> values = new LinkedHashMap<>();
      document.source().fields().forEachRemaining(f -> values.put(f.getKey(), documentValue(f.getValue(), types.get(f.getKey()))));
      List<String> documentKey = key.stream().map(k -> String.valueOf(values.get(k))).toList();
      Map<String, Object> row = rows.get(documentKey);
      if (row == null) {
        differences.add(document.id() + ": no row with key " + documentKey);
        continue;
      }
      seen.add(documentKey);
      if (!row.equals(values)) {
        differences.add(document.id() + ": row " + row + " but document " + values);
      }
    }
    assertThat(differences).as("documents of " + index + " that differ from their rows").isEmpty();
    assertThat(seen).as("rows of " + table + " with a document").hasSize(rows.size());
    return rows.size();
  }

  private static Object jdbcValue(ResultSet rs, int i, int type) throws Exception {
    Object value = switch (type) {
      case Types.DATE -> rs.getObject(i, LocalDate.class);
      case Types.TIMESTAMP -> rs.getObject(i, LocalDateTime.class);
      case Types.DECIMAL, Types.NUMERIC, Types.DOUBLE, Types.FLOAT, Types.REAL, Types.BIGINT, Types.INTEGER, Types.SMALLINT,
          Types.TINYINT, Types.BIT, Types.BOOLEAN -> rs.getBigDecimal(i);
      default -> rs.getString(i);
    };
    return value instanceof BigDecimal number ? number.stripTrailingZeros() : value;
  }

  private static Object documentValue(JsonNode value, Integer type) {
    if (value.isNull()) return null;
    if (value.isNumber()) return value.decimalValue().stripTrailingZeros();
    if (type != null && type == Types.DATE) return LocalDate.parse(value.asText());
    if (type != null && type == Types.TIMESTAMP) return LocalDateTime.parse(value.asText());
    return value.asText();
  }
}
