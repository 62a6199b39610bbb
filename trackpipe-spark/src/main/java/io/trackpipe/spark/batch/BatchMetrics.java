package io.trackpipe.spark.batch;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * The batch job's Prometheus metrics, in a registry of its own (served by
 * {@link io.trackpipe.spark.metrics.MetricsEndpoint} on {@code batch.metrics-port}): cycles run and failed, buckets and
 * rows rewritten, the last cycle's duration, buckets waiting to settle, and the watermark's time. Thread-safe.
 */
public final class BatchMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicLong cycles = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong hours = new AtomicLong();
  private final AtomicLong days = new AtomicLong();
  private final AtomicLong rows = new AtomicLong();
  private final AtomicReference<BatchJob.CycleResult> last = new AtomicReference<>();

  public BatchMetrics() {
    counter("trackpipe_batch_cycles_total", "Incremental cycles committed.", cycles::get);
    counter("trackpipe_batch_cycle_failures_total", "Incremental cycles that failed (nothing of them was committed).",
        failures::get);
    counter("trackpipe_batch_hours_rewritten_total", "Hourly buckets recomputed and rewritten.", hours::get);
    counter("trackpipe_batch_days_rewritten_total", "Daily buckets recomputed and rewritten.", days::get);
    counter("trackpipe_batch_rows_written_total", "Fact rows inserted by rewrites.", rows::get);
    gauge("trackpipe_batch_last_cycle_seconds", "Duration of the last committed cycle.",
        () -> last.get() == null ? 0 : last.get().millis() / 1000.0);
    gauge("trackpipe_batch_pending_buckets", "Buckets that received raw rows but are not settled yet.",
        () -> last.get() == null ? 0 : last.get().pending());
    gauge("trackpipe_batch_watermark_seconds", "The watermark (raw-store writes up to it are in the facts), Unix seconds.",
        () -> last.get() == null ? 0 : last.get().watermark().toEpochMilli() / 1000.0);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  void cycleDone(BatchJob.CycleResult result) {
    cycles.incrementAndGet();
    hours.addAndGet(result.hourlyBuckets());
    days.addAndGet(result.dailyBuckets());
    rows.addAndGet(result.rowsInserted());
    last.set(result);
  }

  /** A cycle failed; the caller reports why. */
  public void cycleFailed() {
    failures.incrementAndGet();
  }

  private void counter(String name, String help, DoubleSupplier value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
  }
}
