package io.trackpipe.spark.stream;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;

/**
 * The streaming job's queries, one per domain, handled as one: the job runs while all run, and stops when one fails
 * (its failure is rethrown) or all have stopped.
 */
public final class StreamQueries {
  /**
   * One domain's query.
   *
   * @param release closes what the query holds (its dedup store, its Kafka client) once it has stopped; safe to call
   *     twice. Spark's listener does it too, but asynchronously: calling it here means the state is closed when
   *     {@link #stop()} returns.
   */
  public record Running(String domain, StreamingQuery query, Runnable release) {
    public Running {
      requireNonNull(domain, "domain is null");
      requireNonNull(query, "query is null");
      requireNonNull(release, "release is null");
    }
  }

  private static final long POLL_MILLIS = 200;
  private final List<Running> running;

  public StreamQueries(List<Running> running) {
    if (running.isEmpty()) throw new IllegalArgumentException("no query");
    this.running = List.copyOf(running);
  }

  public List<Running> running() {
    return running;
  }

  /** A domain's query. */
  public StreamingQuery query(String domain) {
    return running.stream().filter(r -> r.domain().equals(domain)).findFirst().map(Running::query)
        .orElseThrow(() -> new IllegalArgumentException("not streamed: domain '" + domain + "'"));
  }

  /** Whether every query is running. */
  public boolean isActive() {
    return running.stream().allMatch(r -> r.query().isActive());
  }

  /** The first failure of a query, if one failed. */
  public Optional<StreamingQueryException> exception() {
    for (Running r : running) {
      if (r.query().exception().isDefined()) return Optional.of(r.query().exception().get());
    }
    return Optional.empty();
  }

  /** Blocks until every query has processed what its topic holds now (for tests); rethrows a query's failure. */
  public void processAllAvailable() throws StreamingQueryException {
    for (Running r : running) r.query().processAllAvailable();
  }

  /** Blocks until one query fails (rethrown; the others are stopped) or all have stopped. */
  public void awaitTermination() throws StreamingQueryException, TimeoutException {
    while (!awaitTermination(Long.MAX_VALUE)) {
      // a query stopped without failing; wait for the others
    }
  }

  /**
   * Waits up to {@code millis} for the queries to stop; true if all stopped. A query that fails stops the others and
   * its failure is rethrown.
   */
  public boolean awaitTermination(long millis) throws StreamingQueryException, TimeoutException {
    long deadline = millis == Long.MAX_VALUE ? Long.MAX_VALUE : System.currentTimeMillis() + millis;
    while (true) {
      Optional<StreamingQueryException> failure = exception();
      if (failure.isPresent()) {
        stop();
        throw failure.get();
      }
      if (running.stream().noneMatch(r -> r.query().isActive())) {
        running.forEach(r -> r.release().run());
        return true;
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) return false;
      // Any query's end wakes this up within the poll: Spark has no wait for "one of several".
      try {
        running.stream().filter(r -> r.query().isActive()).findFirst().get().query()
            .awaitTermination(Math.min(left, POLL_MILLIS));
      } catch (StreamingQueryException e) {
        stop();
        throw e;
      }
    }
  }

  /**
   * Stops every query (between batches where possible; a batch cut short is re-run exactly once on the next start) and
   * closes what each held.
   */
  public void stop() throws TimeoutException {
    TimeoutException first = null;
    for (Running r : running) {
      try {
        r.query().stop();
        r.release().run();
      } catch (TimeoutException e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }
}
