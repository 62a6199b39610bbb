package io.trackpipe.cli.stream;

import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.spark.metrics.MetricsEndpoint;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.StreamQueries;
import io.trackpipe.spark.stream.StreamStatus;
import io.trackpipe.spark.stream.TrackingStreamJob;
import io.trackpipe.warehouse.WarehouseConfig;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The streaming job (one query per domain) running in this JVM, shared by {@code stream}, {@code demo} and {@code bench}. */
public final class RunningStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunningStream.class);

  private final SparkSession spark;
  private final TrackingStreamJob job;
  private final StreamQueries query;
  private final Optional<MetricsEndpoint> metricsEndpoint;

  private RunningStream(SparkSession spark, TrackingStreamJob job, StreamQueries query,
      Optional<MetricsEndpoint> metricsEndpoint) {
    this.spark = spark;
    this.job = job;
    this.query = query;
    this.metricsEndpoint = metricsEndpoint;
  }

  /**
   * @param rawStore the raw store's configuration (used when enabled), or null
   * @param metrics where to serve the job's Prometheus /metrics (or not)
   * @param fresh clear the checkpoint and the rollups' tables first
   * @param availableNow process what the topic holds now, then stop
   */
  public static RunningStream start(KafkaConfig kafka, WarehouseConfig warehouse, StreamConfig stream,
      RawStoreConfig rawStore, MetricsEndpointConfig metrics, boolean fresh, boolean availableNow) throws Exception {
    TrackingStreamJob job = new TrackingStreamJob(kafka, warehouse, stream, rawStore);
    SparkSession spark = SparkSessions.forStream(TrackingStreamJob.APP_NAME, stream);
    Optional<MetricsEndpoint> endpoint = Optional.empty();
    try {
      if (fresh) job.resetState(spark);
      endpoint = MetricsEndpoint.start(metrics, job.prometheus().registry());
      return new RunningStream(spark, job, job.start(spark, availableNow), endpoint);
    } catch (Exception e) {
      spark.stop();
      endpoint.ifPresent(MetricsEndpoint::close);
      throw e;
    }
  }

  /** The job's Prometheus endpoint, when one was asked for. */
  public Optional<URI> metricsUrl() {
    return metricsEndpoint.map(MetricsEndpoint::url);
  }

  /** The first domain's counters (job ads, unless left out). */
  public StreamStatus status() {
    return job.metrics().status();
  }

  /** The streamed domains, in order. */
  public java.util.List<String> domains() {
    return job.domains().stream().map(io.trackpipe.domain.Domain::name).toList();
  }

  /** A domain's counters. */
  public StreamStatus status(String domain) {
    return job.metrics(domain).status();
  }

  public io.trackpipe.spark.stream.FreshnessHistogram freshness() {
    return job.metrics().freshness();
  }

  /** A domain's event-to-row freshness. */
  public io.trackpipe.spark.stream.FreshnessHistogram freshness(String domain) {
    return job.metrics(domain).freshness();
  }

  public boolean isActive() {
    return query.isActive();
  }

  /** Blocks until the queries stop; rethrows a query's failure. */
  public void awaitTermination() throws StreamingQueryException, TimeoutException {
    query.awaitTermination();
  }

  /** Waits up to {@code millis} for the queries to stop; true if all stopped. */
  public boolean awaitTermination(long millis) throws StreamingQueryException, TimeoutException {
    return query.awaitTermination(millis);
  }

  /** Stops between batches where possible; a batch cut short is re-run exactly once on the next start. */
  @Override
  public void close() {
    try {
      query.stop();
    } catch (TimeoutException e) {
      log.warn("Streaming queries did not stop in time: {}", e.getMessage());
    } finally {
      // Spark, then the raw store's sessions: closed before the demo stops Cassandra, whose stop they would otherwise
      // keep trying to reconnect to.
      SparkSessions.stopApplication(spark);
      metricsEndpoint.ifPresent(MetricsEndpoint::close);
    }
  }
}
