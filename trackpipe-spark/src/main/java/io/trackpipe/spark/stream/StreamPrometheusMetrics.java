package io.trackpipe.spark.stream;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.trackpipe.event.RejectReason;
import java.util.Map;
import java.util.TreeMap;

/**
 * The streaming job's Prometheus metrics, in a registry of its own (served by
 * {@link io.trackpipe.spark.metrics.MetricsEndpoint}): rows/s in and processed, batch duration, event-to-row
 * freshness, Kafka lag per partition (computed from the query's progress against the latest offsets, since Spark
 * commits no offsets to a consumer group), dead letters by reason, the last committed batch id. Counters are read from
 * {@link StreamMetrics} when scraped; the two histograms are observed after each committed batch; the lag is read with each query progress. Thread-safe.
 */
public final class StreamPrometheusMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram batchDuration;
  private final Histogram freshness;

  public StreamPrometheusMetrics(StreamMetrics metrics) {
    counter("trackpipe_stream_records_read_total", "Kafka records read by committed batches.",
        () -> metrics.status().recordsRead());
    counter("trackpipe_stream_events_counted_total", "Events counted into the facts.",
        () -> metrics.status().eventsCounted());
    counter("trackpipe_stream_duplicates_total", "Copies of events dropped by the dedup step.",
        () -> metrics.status().droppedDuplicates());
    counter("trackpipe_stream_too_late_total", "Events that arrived after their hour's allowed lateness.",
        () -> metrics.status().eventsTooLate());
    counter("trackpipe_stream_rows_upserted_total", "Fact rows inserted or updated.",
        () -> metrics.status().rowsUpserted());
    counter("trackpipe_stream_batches_total", "Micro-batches committed.", () -> metrics.status().batches());
    CounterWithCallback.builder().name("trackpipe_stream_dead_letters_total")
        .help("Records sent to the dead-letter topic, by reason.").labelNames("reason")
        .callback(cb -> {
          Map<String, Long> byReason = new TreeMap<>();
          // Every reason from the start, at 0: alerts and dashboards need no case for "never happened".
          for (RejectReason reason : RejectReason.values()) byReason.put(reason.code(), 0L);
          byReason.putAll(metrics.status().rejectedByReason());
          byReason.forEach((reason, n) -> cb.call(n, reason));
        }).register(registry);
    counter("trackpipe_stream_dead_letters_not_stored_total",
        "Rejected records whose dead letter Kafka refused for good (each logged with its source position); the stream goes on.",
        metrics::deadLettersNotStored);
    gauge("trackpipe_stream_input_rows_per_second", "Kafka records per second arriving, in the last batch.",
        () -> metrics.status().inputRecordsPerSecond());
    gauge("trackpipe_stream_processed_rows_per_second", "Kafka records per second processed, in the last batch.",
        () -> metrics.status().processedRecordsPerSecond());
    gauge("trackpipe_stream_last_committed_batch_id", "Id of the last committed micro-batch (-1 before the first).",
        () -> metrics.status().lastBatchId());
    gauge("trackpipe_stream_kafka_lag_records", "Kafka records not yet read, summed over partitions (-1 unknown).",
        () -> metrics.status().lag());
    GaugeWithCallback.builder().name("trackpipe_stream_kafka_partition_lag_records")
        .help("Kafka records not yet read, per topic partition, after the last batch.").labelNames("topic", "partition")
        .callback(cb -> metrics.lagByPartition().forEach((key, lag) -> {
          int slash = key.lastIndexOf('/');
          cb.call(lag, key.substring(0, slash), key.substring(slash + 1));
        })).register(registry);
    batchDuration = Histogram.builder().name("trackpipe_stream_batch_duration_seconds").unit(Unit.SECONDS)
        .help("Time to process and commit one micro-batch.").classicOnly()
        .classicUpperBounds(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120).register(registry);
    freshness = Histogram.builder().name("trackpipe_stream_freshness_seconds").unit(Unit.SECONDS)
        .help("End-to-end freshness: from an event's arrival in Kafka to its facts committed in the warehouse.")
        .classicOnly().classicUpperBounds(0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120).register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * After a committed batch.
   *
   * @param freshnessMillis events by their arrival-to-commit time in ms
   */
  void batchCommitted(long millis, Map<Long, Long> freshnessMillis) {
    batchDuration.observe(millis / 1000.0);
    freshnessMillis.forEach((ms, events) -> {
      for (long i = 0; i < events; i++) freshness.observe(ms / 1000.0);
    });
  }

  private void counter(String name, String help, java.util.function.LongSupplier value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
  }

  private void gauge(String name, String help, java.util.function.DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
  }
}
