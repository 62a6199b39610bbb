package io.trackpipe.serve;

import io.trackpipe.serve.api.ApiRoutes;
import io.trackpipe.serve.auth.AllowedHosts;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.serve.auth.ReadAccess;
import io.trackpipe.serve.dashboard.DashboardAssets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route of {@code trackpipe serve}: {@code GET /health} (open), the dashboard's page and assets, and the API
 * under {@code /api/v1}. The page and assets hold no data and are open; every API route needs read access. Before any
 * route but {@code /health}: the {@code Host} header must be an allowed name (421), and at most
 * {@code serve.http.max-concurrent-requests} requests are handled at once (429).
 */
final class ServeRoutes extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(ServeRoutes.class);
  /**
   * Scripts, styles, images and requests from this origin only; no inline script, no eval, no framing. Inline style
   * attributes stay allowed: ECharts writes its tooltips' colour markers as {@code <span style=…>}; a style cannot run
   * code.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none';"
      + " form-action 'self'; frame-ancestors 'none'";

  private final ApiRoutes api;
  private final DashboardAssets assets;
  private final ReadAccess access;
  private final AllowedHosts allowedHosts;
  private final Semaphore requests;
  private final int maxConcurrentRequests;

  ServeRoutes(ApiRoutes api, DashboardAssets assets, ReadAccess access, AllowedHosts allowedHosts,
      int maxConcurrentRequests) {
    this.api = api;
    this.assets = assets;
    this.access = access;
    this.allowedHosts = allowedHosts;
    this.requests = new Semaphore(maxConcurrentRequests);
    this.maxConcurrentRequests = maxConcurrentRequests;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      send(response, callback, ApiRoutes.errorAnswer(405, "method_not_allowed", "only GET is served"));
      return true;
    }
    if (path.equals("/health")) {
      send(response, callback, new ApiRoutes.Answer(200, "application/json",
          "{\"status\":\"up\"}".getBytes(StandardCharsets.UTF_8)));
      return true;
    }
    if (!allowedHosts.allows(request.getHeaders().get(HttpHeader.HOST), Request.getLocalPort(request))) {
      send(response, callback, ApiRoutes.errorAnswer(421, "misdirected_request", "the Host header does not name this"
          + " server (serve.http.allowed-hosts)"));
      return true;
    }
    if (!requests.tryAcquire()) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      send(response, callback, ApiRoutes.errorAnswer(429, "too_many_requests", "the server is already handling "
          + maxConcurrentRequests + " requests (serve.http.max-concurrent-requests); try again in a second"));
      return true;
    }
    try {
      if (path.equals(ApiRoutes.PREFIX) || path.startsWith(ApiRoutes.PREFIX + "/")) {
        if (!access.allows(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
          response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, access.challenge());
          send(response, callback, ApiRoutes.errorAnswer(401, "unauthorized", "read access needs "
              + (access.mode() == AuthMode.BASIC ? "a user and password (basic auth)"
              : "a token: Authorization: Bearer <serve.auth.token>")));
        } else {
          send(response, callback, api.handle(path, request));
        }
      } else {
        DashboardAssets.Asset asset = assets.get(path);
        if (asset == null) {
          send(response, callback, ApiRoutes.errorAnswer(404, "not_found", "no such page; the dashboard is at /"));
        } else {
          response.getHeaders().put(HttpHeader.CACHE_CONTROL, path.equals("/") ? "no-cache" : "max-age=300");
          send(response, callback, new ApiRoutes.Answer(200, asset.contentType(), asset.body()));
        }
      }
    } catch (RuntimeException e) {
      log.error("Request {} failed", path, e);
      send(response, callback, ApiRoutes.errorAnswer(500, "internal_error", "the server failed to answer; see its log"));
    } finally {
      // The answer is built (the queries are done); only writing it is left.
      requests.release();
    }
    return true;
  }

  private static void send(Response response, Callback callback, ApiRoutes.Answer answer) {
    response.setStatus(answer.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
    if (!response.getHeaders().contains(HttpHeader.CACHE_CONTROL)) {
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    }
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
    response.write(true, ByteBuffer.wrap(answer.body()), callback);
  }
}
