package io.trackpipe.collector.http;

import io.trackpipe.collector.CollectorConfig;
import io.trackpipe.collector.ingest.DomainIngestion;
import io.trackpipe.collector.ingest.EventIds;
import io.trackpipe.collector.ingest.EventIntake;
import io.trackpipe.collector.ingest.TextEvent;
import io.trackpipe.collector.kafka.EventPublisher;
import io.trackpipe.collector.kafka.InFlightBytes;
import io.trackpipe.collector.kafka.KafkaAvailability;
import io.trackpipe.collector.metrics.CollectorMetrics;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.EventLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Every route of the collector, and what happens before a route's own work: the write key (401 without touching
 * Kafka), then Kafka's known state (503 at once while it is down, or while the domain's topics do not exist). Each
 * domain has its two ingest routes; job ads keeps
 * the routes from before domains were definitions too, so existing trackers carry on.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>{@code POST /v1/{domain}/events}</td><td>{@link EventsEndpoint}</td><td>write key</td></tr>
 *   <tr><td>{@code GET /v1/{domain}/pixel.gif}</td><td>{@link PixelEndpoint}</td><td>write key</td></tr>
 *   <tr><td>{@code POST /v1/events}</td><td>job ads' {@link EventsEndpoint}</td><td>write key</td></tr>
 *   <tr><td>{@code GET /v1/pixel.gif}</td><td>job ads' {@link PixelEndpoint}</td><td>write key</td></tr>
 *   <tr><td>{@code GET /health}</td><td>ready: Kafka reachable and some domain's two topics there (else 503); lists the domains whose topics are missing</td><td>open</td></tr>
 *   <tr><td>{@code GET /health/live}</td><td>alive: the process answers</td><td>open</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>Prometheus text format</td><td>open</td></tr>
 * </table>
 */
public final class CollectorRoutes extends Handler.Abstract {
  private static final String PREFIX = "/v1/";

  private final WriteKeys writeKeys;
  private final KafkaAvailability availability;
  private final CollectorMetrics metrics;
  private final EventIds ids;
  /** Every events route and pixel route by its full path: one map look-up per request finds the domain's endpoint. */
  private final Map<String, EventsEndpoint> eventsRoutes = new HashMap<>();
  private final Map<String, PixelEndpoint> pixelRoutes = new HashMap<>();
  /** The domain and topics behind each ingest path: a domain whose topics are missing is refused alone. */
  private final Map<String, Domain> domainsByPath = new HashMap<>();
  private final List<Domain> domains;
  private final List<String> domainNames;
  private final RequestsPerClient requestsPerClient;

  /** @param domains the domains to route, each with the topics it writes to */
  public CollectorRoutes(CollectorConfig config, List<Domain> domains, EventLimits limits, EventIds ids,
      EventPublisher publisher, KafkaAvailability availability, InFlightBytes inFlight, CollectorMetrics metrics) {
    this.writeKeys = new WriteKeys(config.writeKeys());
    this.availability = availability;
    this.metrics = metrics;
    this.ids = ids;
    for (Domain domain : domains) {
      Ingestion ingestion = new Ingestion(domain.name(), new DomainIngestion(domain.topics(),
          new EventIntake(domain.schema(), limits, ids), publisher), metrics);
      TextEvent pixels = TextEvent.of(domain.schema());
      List<String> prefixes = domain.name().equals(DomainCatalog.JOB_ADS)
          ? List.of(PREFIX + domain.name() + "/", PREFIX) // and the routes from before domains were definitions
          : List.of(PREFIX + domain.name() + "/");
      for (String prefix : prefixes) {
        String eventsPath = prefix + EventsEndpoint.NAME;
        String pixelPath = prefix + PixelEndpoint.NAME;
        eventsRoutes.put(eventsPath, new EventsEndpoint(eventsPath, ingestion, inFlight, config.maxBodyBytes(),
            config.maxEventsPerRequest(), config.bodyTimeout()));
        pixelRoutes.put(pixelPath, new PixelEndpoint(pixelPath, pixels, ingestion, inFlight));
        domainsByPath.put(eventsPath, domain);
        domainsByPath.put(pixelPath, domain);
      }
    }
    this.domains = List.copyOf(domains);
    this.domainNames = domains.stream().map(Domain::name).toList();
    this.requestsPerClient = new RequestsPerClient(config.maxRequestsPerClient());
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    long start = System.nanoTime();
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    EventsEndpoint events = eventsRoutes.get(path);
    if (events != null) {
      Exchange exchange = exchange(request, response, callback, EventsEndpoint.ROUTE, start, false);
      if (!allowed(exchange, method, HttpMethod.POST)) return true;
      exchange.guard(() -> {
        List<Map.Entry<String, String>> query = queryOf(exchange);
        if (query != null && admitted(exchange, query, domainsByPath.get(path))) events.handle(exchange);
      });
      return true;
    }
    PixelEndpoint pixel = pixelRoutes.get(path);
    if (pixel != null) {
      Exchange exchange = exchange(request, response, callback, PixelEndpoint.ROUTE, start, true);
      if (!allowed(exchange, method, HttpMethod.GET)) return true;
      exchange.guard(() -> {
        List<Map.Entry<String, String>> query = queryOf(exchange);
        if (query != null && admitted(exchange, query, domainsByPath.get(path))) pixel.handle(exchange, query);
      });
      return true;
    }
    switch (path) {
      case "/health" -> {
        Exchange exchange = exchange(request, response, callback, "health", start, false);
        if (!allowed(exchange, method, HttpMethod.GET)) return true;
        KafkaAvailability.State state = availability.state();
        List<String> waiting = domains.stream().filter(d -> !availability.topicsExist(d.topics())).map(Domain::name).toList();
        // Ready while any domain can take events: one domain without topics must not take the others out of service.
        boolean ready = state.up() && waiting.size() < domains.size();
        exchange.json(ready ? 200 : 503, ResponseBodies.health(ready, kafkaState(state), state.up() ? waiting : List.of()));
      }
      case "/health/live" -> {
        Exchange exchange = exchange(request, response, callback, "health", start, false);
        if (!allowed(exchange, method, HttpMethod.GET)) return true;
        exchange.json(200, ResponseBodies.health(true, kafkaState(availability.state()), List.of()));
      }
      case "/metrics" -> {
        Exchange exchange = exchange(request, response, callback, "metrics", start, false);
        if (!allowed(exchange, method, HttpMethod.GET)) return true;
        exchange.guard(() -> exchange.answer(200, CollectorMetrics.CONTENT_TYPE, metricsText()));
      }
      default -> {
        Exchange exchange = exchange(request, response, callback, "other", start, false);
        String domain = domainOf(path);
        if (domain != null) {
          exchange.error(404, "unknown_domain", "no domain '" + printable(domain) + "': the domains are " + domainNames
              + " (built-in ones and those of domain.definitions)");
        } else {
          exchange.error(404, "not_found", "no such route: " + method + " " + printable(path)
              + " (routes: POST /v1/{domain}/events, GET /v1/{domain}/pixel.gif, POST /v1/events, GET /v1/pixel.gif,"
              + " GET /health, GET /metrics)");
        }
      }
    }
    return true;
  }

  /** The domain named by an ingest path of a domain that is not routed ({@code /v1/NAME/events}), else null. */
  private static String domainOf(String path) {
    if (!path.startsWith(PREFIX)) return null;
    int slash = path.indexOf('/', PREFIX.length());
    if (slash <= PREFIX.length()) return null;
    String last = path.substring(slash + 1);
    return last.equals(EventsEndpoint.NAME) || last.equals(PixelEndpoint.NAME) ? path.substring(PREFIX.length(), slash)
        : null;
  }

  private Exchange exchange(Request request, Response response, Callback callback, String route, long start,
      boolean image) {
    return new Exchange(request, response, callback, route, ids.next(System.currentTimeMillis()).toString(), start,
        metrics, image);
  }

  private static boolean allowed(Exchange exchange, String method, HttpMethod expected) {
    if (expected.is(method)) return true;
    exchange.response().getHeaders().put(HttpHeader.ALLOW, expected.asString());
    exchange.error(405, "method_not_allowed", "use " + expected.asString() + " on this route");
    return false;
  }

  /** The query's parameters, or null once the request is answered 400 because the query is not URL encoding. */
  private static List<Map.Entry<String, String>> queryOf(Exchange exchange) {
    try {
      return QueryString.parse(exchange.request().getHttpURI().getQuery());
    } catch (IllegalArgumentException e) {
      Refusals.malformedQuery(exchange, e.getMessage());
      return null;
    }
  }

  /** Public: says what is wrong, never where Kafka is (that detail is in the log). */
  private static String kafkaState(KafkaAvailability.State state) {
    return state.up() ? "reachable" : state.outage().description();
  }

  /**
   * The client's share of requests in flight first (it costs nothing to refuse), then the write key (so a stranger
   * learns nothing about Kafka), then Kafka's known state, then whether the domain's topics exist.
   */
  private boolean admitted(Exchange exchange, List<Map.Entry<String, String>> query, Domain domain) {
    InetAddress client = clientAddress(exchange.request());
    if (client != null) {
      if (!requestsPerClient.tryEnter(client)) {
        Refusals.tooManyRequests(exchange, requestsPerClient.limit());
        return false;
      }
      exchange.onAnswered(() -> requestsPerClient.leave(client));
    }
    switch (writeKeys.check(exchange.request(), query)) {
      case MISSING -> {
        Refusals.missingKey(exchange);
        return false;
      }
      case INVALID -> {
        Refusals.invalidKey(exchange);
        return false;
      }
      default -> { }
    }
    KafkaAvailability.State kafka = availability.state(); // read once: it may change meanwhile
    if (!kafka.up()) {
      Refusals.kafkaUnavailable(exchange, kafka.outage().description());
      return false;
    }
    if (!availability.topicsExist(domain.topics())) {
      Refusals.topicsMissing(exchange, domain.name());
      return false;
    }
    return true;
  }

  private static InetAddress clientAddress(Request request) {
    return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress socket
        ? socket.getAddress() : null;
  }

  private byte[] metricsText() {
    ByteArrayOutputStream text = new ByteArrayOutputStream(8192);
    try {
      metrics.write(text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics to memory", e);
    }
    return text.toByteArray();
  }

  /** The path is the client's: bounded and without control characters before it goes into an answer. */
  private static String printable(String path) {
    String cut = path.length() > 100 ? path.substring(0, 100) + "…" : path;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
