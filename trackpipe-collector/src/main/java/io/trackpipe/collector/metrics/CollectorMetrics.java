package io.trackpipe.collector.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.trackpipe.event.RejectReason;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The collector's Prometheus metrics, in a registry of its own (several collectors may share a JVM in tests):
 * requests by route and status, events accepted, events rejected by reason, request latency, bytes in flight and
 * whether Kafka is up. Events are counted once Kafka has acknowledged them, so the counters say what is stored.
 * Thread-safe.
 */
public final class CollectorMetrics {
  /** Content type of {@link #write}: Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Counter requests;
  private final Counter accepted;
  private final Counter rejected;
  private final Histogram latency;

  public CollectorMetrics(LongSupplier inFlightBytes, BooleanSupplier kafkaUp) {
    requests = Counter.builder().name("trackpipe_collector_requests_total")
        .help("HTTP requests answered, by route and status code.").labelNames("route", "status").register(registry);
    accepted = Counter.builder().name("trackpipe_collector_events_accepted_total")
        .help("Events written to the events topic and acknowledged by Kafka.").register(registry);
    rejected = Counter.builder().name("trackpipe_collector_events_rejected_total")
        .help("Rejected input written to the dead-letter topic and acknowledged by Kafka, by reason.")
        .labelNames("reason").register(registry);
    latency = Histogram.builder().name("trackpipe_collector_request_duration_seconds").unit(Unit.SECONDS)
        .help("Time from a request's arrival to its answer, by route.").labelNames("route")
        .classicOnly().classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .register(registry);
    GaugeWithCallback.builder().name("trackpipe_collector_in_flight_bytes")
        .help("Request bytes held while waiting for Kafka.")
        .callback(callback -> callback.call(inFlightBytes.getAsLong())).register(registry);
    GaugeWithCallback.builder().name("trackpipe_collector_kafka_up")
        .help("1 while Kafka is taking records, 0 while requests are answered 503.")
        .callback(callback -> callback.call(kafkaUp.getAsBoolean() ? 1 : 0)).register(registry);
    // Every reason shows from the start, at 0, so dashboards and alerts need no special case for "never happened".
    for (RejectReason reason : RejectReason.values()) rejected.labelValues(reason.code());
  }

  public void requestAnswered(String route, int status, long elapsedNanos) {
    requests.labelValues(route, Integer.toString(status)).inc();
    latency.labelValues(route).observe(elapsedNanos / 1e9);
  }

  public void eventsAccepted(int count) {
    if (count > 0) accepted.inc(count);
  }

  public void eventRejected(RejectReason reason) {
    rejected.labelValues(reason.code()).inc();
  }

  public long acceptedTotal() {
    return (long) accepted.get();
  }

  public void write(OutputStream out) throws IOException {
    writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
  }
}
