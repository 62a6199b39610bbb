package io.trackpipe.spark.metrics;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.util.List;
import java.util.Optional;

/**
 * Where a job serves its Prometheus {@code /metrics}: {@code <prefix>.metrics-host} and {@code <prefix>.metrics-port}
 * (unset port = no endpoint, 0 = a free port). The streaming job binds the {@code stream.} keys; a batch job binds its
 * own prefix with {@link #settings(String, String)}.
 */
public record MetricsEndpointConfig(String host, Optional<Integer> port) {

  public static final Setting<String> STREAM_HOST = host("stream", "streaming job");
  public static final Setting<Integer> STREAM_PORT = port("stream", "streaming job");
  public static final List<Setting<?>> STREAM_SETTINGS = List.of(STREAM_HOST, STREAM_PORT);

  public static Setting<String> host(String prefix, String job) {
    return Setting.of(prefix + ".metrics-host", ValueType.STRING, "127.0.0.1",
        "Address the " + job + "'s Prometheus /metrics listens on; 0.0.0.0 for every interface.");
  }

  public static Setting<Integer> port(String prefix, String job) {
    return Setting.of(prefix + ".metrics-port", ValueType.INT, null,
        "Port of the " + job + "'s Prometheus /metrics (0 picks a free one); unset = no metrics endpoint.")
        .checked(p -> p >= 0 && p <= 65535, "a port (0–65535)");
  }

  public static MetricsEndpointConfig forStream(Configuration config) {
    return new MetricsEndpointConfig(config.get(STREAM_HOST), Optional.ofNullable(config.get(STREAM_PORT)));
  }

  public static MetricsEndpointConfig off() {
    return new MetricsEndpointConfig("127.0.0.1", Optional.empty());
  }
}
