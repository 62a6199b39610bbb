package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.DomainCatalog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Posts records to a trackpipe collector ({@code POST /v1/events} for job ads, {@code POST /v1/{domain}/events} for
 * another domain, see {@link #eventsPath(String)}) as JSON lines, {@code eventsPerRequest} per request,
 * with the write key in the {@value #WRITE_KEY_HEADER} header. Keys are not sent: the collector keys events itself.
 *
 * <p>Up to {@code maxRequestsInFlight} requests are on the wire at once; {@link #send} waits for a free slot, so a slow
 * collector slows the generator instead of piling up memory. A request is delivered when the collector answers 200, or
 * 400 (some events rejected: the collector kept them as dead letters, which is what malformed records are for). 503
 * and broken connections are retried with back-off, the same body again (events carry their ids, so the pipeline
 * drops copies); anything else, or retries running out, is a failure thrown from the next {@link #send},
 * {@link #flush()} or {@link #close()}. Use from one thread.
 */
public final class HttpEventSink implements EventSink {
  public static final String WRITE_KEY_HEADER = "X-Trackpipe-Key";
  public static final String EVENTS_PATH = "/v1/events";
  private static final int MAX_ATTEMPTS = 8;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

  private final HttpClient http;
  private final URI endpoint;
  private final String writeKey;
  private final int eventsPerRequest;
  private final int maxRequestsInFlight;
  private final Semaphore slots;
  private final AtomicReference<String> firstFailure = new AtomicReference<>();
  private final AtomicLong requestsSent = new AtomicLong();
  private ByteArrayOutputStream batch = new ByteArrayOutputStream(64 * 1024);
  private int batched;
  private boolean closed;

  /** A sink for job-ad events ({@value #EVENTS_PATH}). */
  public HttpEventSink(URI collector, String writeKey, int eventsPerRequest, int maxRequestsInFlight) {
    this(collector, EVENTS_PATH, writeKey, eventsPerRequest, maxRequestsInFlight);
  }

  /**
   * @param collector the collector's base URL ({@code http://host:port}); a URL with a path is used as it is
   * @param eventsPath the route appended to a base URL: {@link #eventsPath(String)} of the domain
   */
  public HttpEventSink(URI collector, String eventsPath, String writeKey, int eventsPerRequest, int maxRequestsInFlight) {
    requireNonNull(collector, "collector is null");
    requireNonNull(eventsPath, "eventsPath is null");
    this.writeKey = requireNonNull(writeKey, "writeKey is null");
    if (eventsPerRequest <= 0) throw new IllegalArgumentException("eventsPerRequest must be > 0, got " + eventsPerRequest);
    if (maxRequestsInFlight <= 0) {
      throw new IllegalArgumentException("maxRequestsInFlight must be > 0, got " + maxRequestsInFlight);
    }
    String path = collector.getPath();
    this.endpoint = path == null || path.isEmpty() || path.equals("/") ? collector.resolve(eventsPath) : collector;
    this.eventsPerRequest = eventsPerRequest;
    this.maxRequestsInFlight = maxRequestsInFlight;
    this.slots = new Semaphore(maxRequestsInFlight);
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** The collector's route for a domain's events: {@value #EVENTS_PATH} for job ads (as before domains), else {@code /v1/{domain}/events}. */
  public static String eventsPath(String domain) {
    return domain.equals(DomainCatalog.JOB_ADS) ? EVENTS_PATH : "/v1/" + domain + "/events";
  }

  /** Where the records go: the collector's events URL. */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void send(GeneratedRecord record) {
    throwIfFailed();
    batch.writeBytes(record.value());
    batch.write('\n');
    if (++batched >= eventsPerRequest) dispatch();
  }

  @Override
  public void flush() {
    if (batched > 0) dispatch();
    try {
      // All slots free means every request has been answered.
      slots.acquire(maxRequestsInFlight);
      slots.release(maxRequestsInFlight);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventSinkException("Interrupted while waiting for the collector at " + endpoint, e);
    }
    throwIfFailed();
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    flush();
  }

  /** Requests answered so far, retries not counted. */
  public long requestsSent() {
    return requestsSent.get();
  }

  private void dispatch() {
    byte[] body = batch.toByteArray();
    batch = new ByteArrayOutputStream(Math.max(1024, body.length + body.length / 8));
    batched = 0;
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventSinkException("Interrupted while waiting for the collector at " + endpoint, e);
    }
    HttpRequest request = HttpRequest.newBuilder(endpoint)
        .header(WRITE_KEY_HEADER, writeKey)
        .header("Content-Type", "application/x-ndjson")
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    attempt(request, 1).whenComplete((ok, error) -> {
      requestsSent.incrementAndGet();
      slots.release();
    });
  }

  private CompletableFuture<Void> attempt(HttpRequest request, int attempt) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .handle((response, error) -> {
          if (error == null && (response.statusCode() == 200 || response.statusCode() == 400)) {
            return CompletableFuture.<Void>completedFuture(null);
          }
          boolean retriable = error instanceof IOException || (error != null && error.getCause() instanceof IOException)
              || (response != null && response.statusCode() == 503);
          String problem = error != null ? String.valueOf(error.getMessage())
              : "HTTP " + response.statusCode() + ": " + abbreviate(response.body());
          if (!retriable || attempt >= MAX_ATTEMPTS) {
            firstFailure.compareAndSet(null, problem + (retriable ? " (after " + attempt + " attempts)" : ""));
            return CompletableFuture.<Void>completedFuture(null);
          }
          long backoff = FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 5);
          return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS))
              .thenCompose(ignored -> attempt(request, attempt + 1));
        })
        .thenCompose(next -> next);
  }

  private void throwIfFailed() {
    String failure = firstFailure.get();
    if (failure != null) {
      throw new EventSinkException("The collector at " + endpoint + " did not take the events: " + failure
          + ". Check the URL, the write key and the collector's log.", null);
    }
  }

  private static String abbreviate(String text) {
    String oneLine = text == null ? "" : text.strip().replaceAll("\\s+", " ");
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
  }
}
