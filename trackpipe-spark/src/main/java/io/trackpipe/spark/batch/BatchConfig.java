package io.trackpipe.spark.batch;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The batch job's behaviour (trackpipe batch, backfill, verify): which raw-store writes a cycle looks at again, and when
 * a time bucket is settled enough to be rewritten.
 *
 * @param lookback a cycle re-reads the arrivals written this long before the watermark (writes in flight, clock skew)
 * @param settleTime a bucket is rewritten only once its end + stream.allowed-lateness + this has passed
 * @param metrics where the job serves its Prometheus /metrics
 */
public record BatchConfig(Duration lookback, Duration settleTime, MetricsEndpointConfig metrics) {

  public static final Setting<Duration> LOOKBACK = Setting.of("batch.lookback", ValueType.DURATION_TYPE, Duration.ofMinutes(2),
      "A cycle also re-reads raw-store arrivals stamped this long before its watermark: longer than the longest raw-store "
          + "write (with retries, about 80 s at the default request timeout) plus the writers' clock skew.")
      .checked(d -> !d.isNegative(), ">= 0");
  public static final Setting<Duration> SETTLE_TIME = Setting.of("batch.settle-time", ValueType.DURATION_TYPE,
      Duration.ofMinutes(10), "A time bucket is rewritten only once its end + stream.allowed-lateness + this has passed "
          + "(the stream adds nothing to it any more); the stream must not lag behind by more than this.")
      .checked(d -> !d.isNegative(), ">= 0");
  public static final Setting<String> METRICS_HOST = MetricsEndpointConfig.host("batch", "batch job");
  public static final Setting<Integer> METRICS_PORT = MetricsEndpointConfig.port("batch", "batch job");

  public static final List<Setting<?>> SETTINGS = List.of(LOOKBACK, SETTLE_TIME, METRICS_HOST, METRICS_PORT);

  public BatchConfig {
    requireNonNull(lookback, "lookback is null");
    requireNonNull(settleTime, "settleTime is null");
    requireNonNull(metrics, "metrics is null");
  }

  public static BatchConfig from(Configuration config) {
    return new BatchConfig(config.get(LOOKBACK), config.get(SETTLE_TIME),
        new MetricsEndpointConfig(config.get(METRICS_HOST), Optional.ofNullable(config.get(METRICS_PORT))));
  }

  /** The defaults, without a metrics endpoint. */
  public static BatchConfig defaults() {
    return new BatchConfig(LOOKBACK.defaultValue(), SETTLE_TIME.defaultValue(), MetricsEndpointConfig.off());
  }
}
