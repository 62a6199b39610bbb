package io.trackpipe.search;

import io.trackpipe.domain.Domain;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.search.opensearch.SearchClient;
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
  private final TableIndexer indexer;

  public SearchIndexJob(SearchConfig config, Warehouse warehouse, IndexProgress progress) {
    this.config = config;
    this.indexer = new TableIndexer(new SearchClient(config), new RollupTableSource(warehouse), config, progress);
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
    List<TableReport> reports = new ArrayList<>();
    for (String table : tables(domain)) {
      reports.add(indexer.index(domain.name(), table, full));
    }
    return reports;
  }
}
