package io.trackpipe.collector;

import static java.util.Objects.requireNonNull;

import io.trackpipe.collector.http.CollectorRoutes;
import io.trackpipe.collector.ingest.EventIds;
import io.trackpipe.collector.kafka.EventPublisher;
import io.trackpipe.collector.kafka.InFlightBytes;
import io.trackpipe.collector.kafka.KafkaAvailability;
import io.trackpipe.collector.kafka.KafkaProbe;
import io.trackpipe.collector.metrics.CollectorMetrics;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.DomainTopics;
import io.trackpipe.event.EventLimits;
import io.trackpipe.kafka.KafkaConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.CrossOriginHandler;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP collector, running: a Jetty server with {@link CollectorRoutes} in front of one Kafka producer, routing the
 * events of every domain of the catalogue. Every event is either accepted into its domain's events topic or kept in the
 * domain's dead-letter topic with its reason, and a client hears "accepted" only after Kafka has acknowledged.
 *
 * <p>{@link #close()} stops taking connections, waits up to {@code collector.shutdown-timeout} for requests in flight to
 * be answered (new requests meanwhile get 503), then flushes and closes the producer. Thread-safe.
 */
public final class Collector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
  /** Headers a browser tracker may send cross-origin. */
  private static final Set<String> CORS_REQUEST_HEADERS = Set.of("Content-Type", "X-Trackpipe-Key");

  private final CollectorConfig config;
  private final Server server;
  private final ServerConnector connector;
  private final EventPublisher publisher;
  private final KafkaProbe probe;
  private final CollectorMetrics metrics;
  private final KafkaAvailability availability;
  private boolean closed;

  private Collector(CollectorConfig config, Server server, ServerConnector connector, EventPublisher publisher,
      KafkaProbe probe, CollectorMetrics metrics, KafkaAvailability availability) {
    this.config = config;
    this.server = server;
    this.connector = connector;
    this.publisher = publisher;
    this.probe = probe;
    this.metrics = metrics;
    this.availability = availability;
  }

  /**
   * Starts listening. Kafka need not be up: until it is, ingest routes answer 503 and {@code /health} says why.
   *
   * @param kafka the broker, and job ads' topics ({@code kafka.topic.*}); every other domain writes to its own topics
   * @param limits how events are judged: the streaming job's, so both agree on every event
   * @param catalog the domains to route ({@link DomainCatalog#from})
   * @throws IllegalStateException when the port cannot be bound
   */
  public static Collector start(CollectorConfig config, KafkaConfig kafka, EventLimits limits, DomainCatalog catalog) {
    requireNonNull(config, "config is null");
    requireNonNull(kafka, "kafka is null");
    requireNonNull(limits, "limits is null");
    List<Domain> domains = withJobAdsTopics(requireNonNull(catalog, "catalog is null"), kafka);
    KafkaAvailability availability = new KafkaAvailability();
    InFlightBytes inFlight = new InFlightBytes(config.maxInFlightBytes());
    CollectorMetrics metrics = new CollectorMetrics(domains, inFlight::used, availability::isUp);
    EventIds ids = new EventIds();
    EventPublisher publisher = new EventPublisher(kafka, "trackpipe-collector", config.kafkaTimeout(), config.maxInFlightBytes(),
        config.maxBodyBytes(), availability);
    List<String> topics = domains.stream()
        .flatMap(domain -> Stream.of(domain.topics().events(), domain.topics().deadLetters()))
        .toList();
    KafkaProbe probe = new KafkaProbe(kafka, topics, config.kafkaTimeout(), availability);
    Server server = null;
    try {
      probe.start();
      CollectorRoutes routes = new CollectorRoutes(config, domains, limits, ids, publisher, availability, inFlight,
          metrics);

      QueuedThreadPool threads = new QueuedThreadPool();
      threads.setName("trackpipe-collector-http");
      server = new Server(threads);
      HttpConfiguration http = new HttpConfiguration();
      http.setSendServerVersion(false);
      http.setSendXPoweredBy(false);
      // Pixel URLs carry whole events, page URLs and titles included.
      http.setRequestHeaderSize(32 * 1024);
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
      connector.setHost(config.host());
      connector.setPort(config.port());
      connector.setIdleTimeout(30_000);
      server.addConnector(connector);
      ErrorHandler errors = new ErrorHandler();
      errors.setShowStacks(false);
      server.setErrorHandler(errors);
      server.setHandler(new GracefulHandler(withCors(routes, config)));
      server.setStopTimeout(config.shutdownTimeout().toMillis());
      server.start();
      Collector collector = new Collector(config, server, connector, publisher, probe, metrics, availability);
      KafkaAvailability.State state = availability.state();
      LOG.info("Collector listening on {} for domains {} ({} write key(s); Kafka {})", collector.url(), catalog.names(),
          config.writeKeys().size(), state.up() ? "reachable" : "not reachable yet: " + state.detail());
      return collector;
    } catch (Exception e) {
      stopQuietly(server, e);
      probe.close();
      publisher.close(Duration.ZERO);
      throw new IllegalStateException("cannot start the collector on " + config.host() + ":" + config.port() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * The catalogue's domains, job ads with the topics of {@code kafka.topic.*}: the settings that named its topics
   * before domains were definitions keep doing so.
   */
  public static List<Domain> withJobAdsTopics(DomainCatalog catalog, KafkaConfig kafka) {
    return catalog.domains().stream()
        .map(domain -> domain.name().equals(DomainCatalog.JOB_ADS)
            ? domain.withTopics(new DomainTopics(kafka.eventsTopic(), kafka.deadLetterTopic())) : domain)
        .toList();
  }

  private static Handler withCors(Handler routes, CollectorConfig config) {
    if (config.corsAllowedOrigins().isEmpty()) return routes;
    CrossOriginHandler cors = new CrossOriginHandler();
    cors.setAllowedOriginPatterns(config.corsAllowedOrigins().stream()
        .map(origin -> origin.equals("*") ? ".*" : Pattern.quote(origin))
        .collect(Collectors.toSet()));
    cors.setAllowedMethods(Set.of("GET", "POST"));
    cors.setAllowedHeaders(CORS_REQUEST_HEADERS);
    cors.setExposedHeaders(Set.of("X-Request-Id"));
    cors.setAllowCredentials(false);
    cors.setPreflightMaxAge(Duration.ofMinutes(10));
    cors.setHandler(routes);
    return cors;
  }

  /** The port listened on (the real one when {@code collector.http.port} is 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://host:port}, without a trailing slash. */
  public URI url() {
    String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
    return URI.create("http://" + host + ":" + port());
  }

  public boolean kafkaAvailable() {
    return availability.isUp();
  }

  /** Events accepted and acknowledged by Kafka since start. */
  public long eventsAccepted() {
    return metrics.acceptedTotal();
  }

  /** Drains requests in flight, then closes the producer. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    long t0 = System.nanoTime();
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("Collector HTTP server did not stop cleanly: {}", e.toString());
    }
    probe.close();
    publisher.close(config.kafkaTimeout());
    LOG.info("Collector stopped in {} ms ({} events accepted)", (System.nanoTime() - t0) / 1_000_000, eventsAccepted());
  }

  private static void stopQuietly(Server server, Exception cause) {
    if (server == null) return;
    try {
      server.stop();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }
}
