package io.trackpipe.spark.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's Prometheus {@code /metrics} over HTTP: the job's own registry plus the JVM's metrics (memory, GC, threads,
 * class loading). Reusable by every job (streaming, batch): give it the job's registry. Closing stops the server.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

  private final HTTPServer server;
  private final String host;

  private MetricsEndpoint(HTTPServer server, String host) {
    this.server = server;
    this.host = host;
  }

  /** Starts the endpoint when {@code config} has a port; empty when metrics are off. */
  public static Optional<MetricsEndpoint> start(MetricsEndpointConfig config, PrometheusRegistry registry) {
    if (config.port().isEmpty()) return Optional.empty();
    JvmMetrics.builder().register(registry);
    try {
      HTTPServer server = HTTPServer.builder().hostname(config.host()).port(config.port().get()).registry(registry)
          .buildAndStart();
      MetricsEndpoint endpoint = new MetricsEndpoint(server, config.host());
      log.info("Prometheus metrics at {}", endpoint.url());
      return Optional.of(endpoint);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + config.host() + ":" + config.port().get() + ": "
          + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** {@code http://host:port/metrics}. */
  public URI url() {
    String shown = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    return URI.create("http://" + shown + ":" + port() + "/metrics");
  }

  @Override
  public void close() {
    server.close();
  }
}
