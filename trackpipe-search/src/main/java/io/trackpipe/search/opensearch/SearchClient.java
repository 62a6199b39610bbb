package io.trackpipe.search.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.search.SearchConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenSearch REST API over Java's HTTP client: JSON requests and {@code _bulk}. Only what works the same on
 * OpenSearch 1.x/2.x and Elasticsearch 7.x/8.x is used (no document types, no client library).
 *
 * <p>The one place that decides what is retried: a request that could not be sent (connection refused or reset, time-out)
 * or was answered 429, 502, 503 or 504, or a {@code _bulk} whose only failures are 429s, is sent again after 0.5, 1, 2 …
 * s (at most 15 s), {@code search.retries} times; every other answer is final. All requests it makes are idempotent.
 * Thread-safe.
 */
public final class SearchClient {

  private static final Logger LOG = LoggerFactory.getLogger(SearchClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long FIRST_PAUSE_MILLIS = 500;
  private static final long MAX_PAUSE_MILLIS = 15_000;
  private static final int MAX_REASONS = 5;

  private final SearchConfig config;
  private final HttpClient http;
  private final Optional<String> authorization;

  /** An answer: its status and JSON body (a missing node when the body was empty). */
  public record Answer(int status, JsonNode body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  public SearchClient(SearchConfig config) {
    this.config = config;
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.requestTimeout());
    config.caFile().ifPresent(file -> builder.sslContext(trusting(file)));
    this.http = builder.build();
    this.authorization = config.user().isEmpty() ? Optional.empty() : Optional.of("Basic " + Base64.getEncoder()
        .encodeToString((config.user() + ":" + config.password()).getBytes(StandardCharsets.UTF_8)));
  }

  public URI url() {
    return config.url();
  }

  /** A JSON request; any status is returned (the caller decides what 404 means), transient failures retried. */
  public Answer request(String method, String path, JsonNode body) {
    byte[] bytes = body == null ? null : write(body);
    return send(method, path, "application/json", bytes, answer -> false);
  }

  /** A JSON request that must succeed (2xx). */
  public JsonNode expectOk(String method, String path, JsonNode body, String doing) {
    Answer answer = request(method, path, body);
    if (!answer.ok()) {
      throw new SearchServerException("Cannot " + doing + ": " + method + " " + path + " answered " + answer.status()
          + " " + reason(answer.body()));
    }
    return answer.body();
  }

  /**
   * Sends newline-delimited {@code _bulk} actions; fails, naming the first items' reasons, when any action failed for
   * another reason than the server's back-pressure (429, retried).
   *
   * @return the number of actions the server applied
   */
  public int bulk(byte[] ndjson, String doing) {
    Answer answer = send("POST", "/_bulk", "application/x-ndjson", ndjson, SearchClient::onlyBackPressure);
    if (!answer.ok()) {
      throw new SearchServerException("Cannot " + doing + ": POST /_bulk answered " + answer.status() + " "
          + reason(answer.body()));
    }
    List<String> reasons = new ArrayList<>();
    int applied = 0;
    for (JsonNode item : answer.body().path("items")) {
      JsonNode result = item.elements().next();
      int status = result.path("status").asInt();
      // A delete of a document that is not there (404) leaves the index as wanted.
      if (status < 300 || (status == 404 && item.has("delete"))) {
        applied++;
      } else if (reasons.size() < MAX_REASONS) {
        reasons.add(result.path("_index").asText() + "/" + result.path("_id").asText() + ": " + status + " "
            + reason(result));
      }
    }
    if (!reasons.isEmpty()) {
      throw new SearchServerException("Cannot " + doing + ": the server refused some documents (first ones: "
          + String.join("; ", reasons) + ")");
    }
    return applied;
  }

  public static byte[] write(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /** The server's error text: {@code error.reason} (with its root cause) or the body itself. */
  public static String reason(JsonNode body) {
    JsonNode error = body.path("error");
    if (error.isObject()) {
      String reason = error.path("type").asText() + ": " + error.path("reason").asText();
      JsonNode root = error.path("root_cause").path(0);
      if (root.isObject() && !root.path("reason").asText().equals(error.path("reason").asText())) {
        reason += " (" + root.path("reason").asText() + ")";
      }
      return reason;
    }
    String text = body.isMissingNode() ? "" : body.toString();
    return text.length() > 500 ? text.substring(0, 500) + "…" : text;
  }

  private static boolean onlyBackPressure(Answer answer) {
    if (!answer.body().path("errors").asBoolean(false)) {
      return false;
    }
    for (JsonNode item : answer.body().path("items")) {
      int status = item.elements().next().path("status").asInt();
      if (status >= 300 && status != 429 && !(status == 404 && item.has("delete"))) {
        return false;
      }
    }
    return true;
  }

  private static boolean transientStatus(int status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
  }

  private Answer send(String method, String path, String contentType, byte[] body,
      java.util.function.Predicate<Answer> transientAnswer) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(config.url() + path))
        .timeout(config.requestTimeout())
        .header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      builder.header("Content-Type", contentType);
    }
    authorization.ifPresent(value -> builder.header("Authorization", value));
    HttpRequest request = builder.build();
    long started = System.nanoTime();
    long pause = FIRST_PAUSE_MILLIS;
    for (int attempt = 0; ; attempt++) {
      String failure;
      IOException cause = null;
      try {
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        Answer answer;
        try (InputStream in = response.body()) {
          byte[] bytes = in.readAllBytes();
          answer = new Answer(response.statusCode(), bytes.length == 0 ? JSON.missingNode() : parse(bytes));
        }
        if (!transientStatus(answer.status()) && !transientAnswer.test(answer)) {
          return answer;
        }
        failure = "answered " + answer.status() + " " + reason(answer.body());
      } catch (IOException e) {
        cause = e;
        failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SearchServerException("Interrupted while calling the search server at " + config.url(), e);
      }
      if (attempt >= config.retries()) {
        String message = "Cannot reach the search server at " + config.url() + " (search.url): " + method + " " + path
            + " failed " + (attempt + 1) + " time(s) in " + Duration.ofNanos(System.nanoTime() - started).toSeconds()
            + " s, last: " + failure + ". Is the server running and search.url right?";
        throw cause == null ? new SearchServerException(message) : new SearchServerException(message, cause);
      }
      LOG.warn("Search server {} {} {} failed ({}); attempt {} of {} in {} ms", config.url(), method, path, failure,
          attempt + 2, config.retries() + 1, pause);
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SearchServerException("Interrupted while waiting to retry " + method + " " + path, e);
      }
      pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
    }
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      // Not JSON (a proxy's HTML page, say): keep the text for the message.
      return JSON.getNodeFactory().textNode(new String(bytes, 0, Math.min(bytes.length, 500), StandardCharsets.UTF_8));
    }
  }

  /** Trusts exactly the certificates of a PEM file. */
  private static SSLContext trusting(Path pemFile) {
    try (InputStream in = Files.newInputStream(pemFile)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + n++, certificate);
      }
      if (n == 0) {
        throw new SearchServerException("search.tls.ca-file " + pemFile + " holds no certificate");
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new SearchServerException("Cannot read the certificates of search.tls.ca-file " + pemFile + ": " + e, e);
    }
  }
}
