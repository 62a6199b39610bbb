package io.trackpipe.search;

import io.trackpipe.domain.Domain;
import io.trackpipe.rollup.RollupDefinition;
import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.search.opensearch.SearchClient;
import io.trackpipe.search.opensearch.SearchServerException;
import io.trackpipe.warehouse.Warehouse;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Indexes a domain's rollup tables into the search index, one index per table ({@code <prefix><domain>-<table>}): works
 * for any domain, from its definition and the tables' own columns. Totals views and distinct-value side tables are not
 * indexed (an index aggregates the rows itself). See {@link TableIndexer} for what a run guarantees.
 */
public final class SearchIndexJob {
  private final SearchConfig config;
  private final SearchClient client;
  private final TableIndexer indexer;

  public SearchIndexJob(SearchConfig config, Warehouse warehouse, IndexProgress progress) {
    this.config = config;
    this.client = new SearchClient(config);
    this.indexer = new TableIndexer(client, new RollupTableSource(warehouse), config, progress);
  }

  /**
   * The server's distribution and version, e.g. {@code opensearch 2.19.1} (Elasticsearch names none): asked first, so
   * that a wrong {@code search.url} fails before any work, with the URL in the message.
   */
  public String server() {
    JsonNode about = client.expectOk("GET", "/", null, "ask the search server at " + config.url() + " what it is");
    JsonNode version = about.path("version");
    if (!version.has("number")) {
      throw new SearchServerException("The server at " + config.url() + " (search.url) does not answer as OpenSearch or"
          + " Elasticsearch do: " + SearchClient.reason(about));
    }
    return version.path("distribution").asText("elasticsearch") + " " + version.path("number").asText();
  }

  public SearchConfig config() {
    return config;
  }

  /** The tables of {@code domain} that are indexed, in definition order. */
  public static List<String> tables(Domain domain) {
    return domain.rollups().rollups().stream().map(RollupDefinition::table).distinct().toList();
  }

  /**
   * Indexes each of the domain's rollup tables in turn.
   *
   * @param full every row, even where an earlier run lets this one read only the rows written since
   */
  public List<TableReport> run(Domain domain, boolean full) throws SQLException {
    server();
    List<TableReport> reports = new ArrayList<>();
    for (String table : tables(domain)) {
      reports.add(indexer.index(domain.name(), table, full));
    }
    return reports;
  }
}
