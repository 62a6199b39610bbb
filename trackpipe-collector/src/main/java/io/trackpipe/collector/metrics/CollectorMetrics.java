package io.trackpipe.collector.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.Rule;
import io.trackpipe.event.RejectReason;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The collector's Prometheus metrics, in a registry of its own (several collectors may share a JVM in tests):
 * requests by route and status, events accepted by domain, events rejected by domain and reason, request latency, bytes in flight and
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

  /** @param domains the domains routed; each one's counters show from the start */
  public CollectorMetrics(List<Domain> domains, LongSupplier inFlightBytes, BooleanSupplier kafkaUp) {
    requests = Counter.builder().name("trackpipe_collector_requests_total")
        .help("HTTP requests answered, by route and status code.").labelNames("route", "status").register(registry);
    accepted = Counter.builder().name("trackpipe_collector_events_accepted_total")
        .help("Events written to their domain's events topic and acknowledged by Kafka, by domain.")
        .labelNames("domain").register(registry);
    rejected = Counter.builder().name("trackpipe_collector_events_rejected_total")
        .help("Rejected input written to its domain's dead-letter topic and acknowledged by Kafka, by domain and reason"
            + " (rule:<name> for a broken rule of the domain).")
        .labelNames("domain", "reason").register(registry);
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
    // Every domain's counters and reasons show from the start, at 0, so dashboards and alerts need no special case for
    // "never happened". A broken rule counts under its own code, never under the bare reason.
    for (Domain domain : domains) {
      accepted.labelValues(domain.name());
      for (RejectReason reason : RejectReason.values()) {
        if (reason != RejectReason.RULE_VIOLATED) rejected.labelValues(domain.name(), reason.code());
      }
      for (Rule rule : domain.schema().rules()) rejected.labelValues(domain.name(), rule.reason());
    }
  }

  public void requestAnswered(String route, int status, long elapsedNanos) {
    requests.labelValues(route, Integer.toString(status)).inc();
    latency.labelValues(route).observe(elapsedNanos / 1e9);
  }

  public void eventsAccepted(String domain, int count) {
    if (count > 0) accepted.labelValues(domain).inc(count);
  }

  /** @param code a reason's code, or {@code rule:<name>} */
  public void eventRejected(String domain, String code) {
    rejected.labelValues(domain, code).inc();
  }

  /** Events accepted since start, every domain's together. */
  public long acceptedTotal() {
    return (long) accepted.collect().getDataPoints().stream().mapToDouble(p -> p.getValue()).sum();
  }

  public void write(OutputStream out) throws IOException {
    writer.write(out, registry.scrape(), EscapingScheme.DEFAULT);
  }
}
