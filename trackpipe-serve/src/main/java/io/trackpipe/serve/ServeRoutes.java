package io.trackpipe.serve;

import io.trackpipe.serve.api.ApiRoutes;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.serve.auth.ReadAccess;
import io.trackpipe.serve.dashboard.DashboardAssets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * under {@code /api/v1}. The page and assets hold no data and are open; every API route needs read access.
 */
final class ServeRoutes extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(ServeRoutes.class);

  private final ApiRoutes api;
  private final DashboardAssets assets;
  private final ReadAccess access;

  ServeRoutes(ApiRoutes api, DashboardAssets assets, ReadAccess access) {
    this.api = api;
    this.assets = assets;
    this.access = access;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      send(response, callback, ApiRoutes.errorAnswer(405, "method_not_allowed", "only GET is served"));
      return true;
    }
    try {
      if (path.equals("/health")) {
        send(response, callback, new ApiRoutes.Answer(200, "application/json",
            "{\"status\":\"up\"}".getBytes(StandardCharsets.UTF_8)));
      } else if (path.equals(ApiRoutes.PREFIX) || path.startsWith(ApiRoutes.PREFIX + "/")) {
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
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
    response.write(true, ByteBuffer.wrap(answer.body()), callback);
  }
}
