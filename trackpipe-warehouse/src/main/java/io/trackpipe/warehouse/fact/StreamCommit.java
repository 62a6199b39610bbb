package io.trackpipe.warehouse.fact;

import static java.util.Objects.requireNonNull;

/** The last micro-batch of a streaming sink committed to the warehouse, and the query (checkpoint) it belongs to. */
public record StreamCommit(String sink, String queryId, long batchId) {
  public StreamCommit {
    requireNonNull(sink, "sink is null");
    requireNonNull(queryId, "queryId is null");
  }
}
