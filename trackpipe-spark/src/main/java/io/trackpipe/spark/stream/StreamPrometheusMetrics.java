package io.trackpipe.spark.stream;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.trackpipe.event.RejectReason;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The streaming job's Prometheus metrics, in a registry of its own (served by
 * {@link io.trackpipe.spark.metrics.MetricsEndpoint}), each with a {@code domain} label: rows/s in and processed, batch
 * duration, event-to-row freshness, Kafka lag per partition (computed from the query's progress against the latest
 * offsets, since Spark commits no offsets to a consumer group), dead letters by reason, the last committed batch id.
 * Counters are read from each domain's {@link StreamMetrics} when scraped; the two histograms are observed after each
 * committed batch; the lag is read with each query progress. Thread-safe.
 */
public final class StreamPrometheusMetrics {
  private static final String DOMAIN = "domain";
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Map<String, StreamMetrics> byDomain;
  private final Histogram batchDuration;
  private final Histogram freshness;

  /** @param byDomain each streamed domain's metrics, by its name */
  public StreamPrometheusMetrics(Map<String, StreamMetrics> byDomain) {
    this.byDomain = new LinkedHashMap<>(byDomain);
    counter("trackpipe_stream_records_read_total", "Kafka records read by committed batches.",
        m -> m.status().recordsRead());
    counter("trackpipe_stream_events_counted_total", "Events counted into the facts.",
        m -> m.status().eventsCounted());
    counter("trackpipe_stream_duplicates_total", "Copies of events dropped by the dedup step.",
        m -> m.status().droppedDuplicates());
    counter("trackpipe_stream_too_late_total", "Events that arrived after their hour's allowed lateness.",
        m -> m.status().eventsTooLate());
    counter("trackpipe_stream_rows_upserted_total", "Fact rows inserted or updated.",
        m -> m.status().rowsUpserted());
    counter("trackpipe_stream_batches_total", "Micro-batches committed.", m -> m.status().batches());
    CounterWithCallback.builder().name("trackpipe_stream_dead_letters_total")
        .help("Records sent to the dead-letter topic, by reason (rule:<name> for a domain's rule).")
        .labelNames(DOMAIN, "reason")
        .callback(cb -> this.byDomain.forEach((domain, m) -> {
          Map<String, Long> byReason = new TreeMap<>();
          // Every reason from the start, at 0: alerts and dashboards need no case for "never happened".
          for (RejectReason reason : RejectReason.values()) byReason.put(reason.code(), 0L);
          byReason.putAll(m.status().rejectedByReason());
          byReason.forEach((reason, n) -> cb.call(n, domain, reason));
        })).register(registry);
    counter("trackpipe_stream_dead_letters_not_stored_total",
        "Rejected records whose dead letter Kafka refused for good (each logged with its source position); the stream goes on.",
        StreamMetrics::deadLettersNotStored);
    gauge("trackpipe_stream_input_rows_per_second", "Kafka records per second arriving, in the last batch.",
        m -> m.status().inputRecordsPerSecond());
    gauge("trackpipe_stream_processed_rows_per_second", "Kafka records per second processed, in the last batch.",
        m -> m.status().processedRecordsPerSecond());
    gauge("trackpipe_stream_last_committed_batch_id", "Id of the last committed micro-batch (-1 before the first).",
        m -> m.status().lastBatchId());
    gauge("trackpipe_stream_kafka_lag_records", "Kafka records not yet read, summed over partitions (-1 unknown).",
        m -> m.status().lag());
    GaugeWithCallback.builder().name("trackpipe_stream_kafka_partition_lag_records")
        .help("Kafka records not yet read, per topic partition, after the last batch.").labelNames(DOMAIN, "topic", "partition")
        .callback(cb -> this.byDomain.forEach((domain, m) -> m.lagByPartition().forEach((key, lag) -> {
          int slash = key.lastIndexOf('/');
          cb.call(lag, domain, key.substring(0, slash), key.substring(slash + 1));
        }))).register(registry);
    batchDuration = Histogram.builder().name("trackpipe_stream_batch_duration_seconds").unit(Unit.SECONDS)
        .help("Time to process and commit one micro-batch.").labelNames(DOMAIN).classicOnly()
        .classicUpperBounds(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120).register(registry);
    freshness = Histogram.builder().name("trackpipe_stream_freshness_seconds").unit(Unit.SECONDS)
        .help("End-to-end freshness: from an event's arrival in Kafka to its facts committed in the warehouse.")
        .labelNames(DOMAIN).classicOnly().classicUpperBounds(0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120).register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * After a committed batch of {@code domain}.
   *
   * @param freshnessMillis events by their arrival-to-commit time in ms
   */
  void batchCommitted(String domain, long millis, Map<Long, Long> freshnessMillis) {
    batchDuration.labelValues(domain).observe(millis / 1000.0);
    var domainFreshness = freshness.labelValues(domain);
    freshnessMillis.forEach((ms, events) -> {
      for (long i = 0; i < events; i++) domainFreshness.observe(ms / 1000.0);
    });
  }

  private void counter(String name, String help, ToLongFunction<StreamMetrics> value) {
    CounterWithCallback.builder().name(name).help(help).labelNames(DOMAIN)
        .callback(cb -> byDomain.forEach((domain, m) -> cb.call(value.applyAsLong(m), domain))).register(registry);
  }

  private void gauge(String name, String help, ToDoubleFunction<StreamMetrics> value) {
    GaugeWithCallback.builder().name(name).help(help).labelNames(DOMAIN)
        .callback(cb -> byDomain.forEach((domain, m) -> cb.call(value.applyAsDouble(m), domain))).register(registry);
  }
}
