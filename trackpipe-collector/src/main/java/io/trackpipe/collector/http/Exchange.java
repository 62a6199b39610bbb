package io.trackpipe.collector.http;

import io.trackpipe.collector.metrics.CollectorMetrics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request in flight, answered exactly once from whichever thread finishes its work (a Jetty thread, or Kafka's I/O
 * thread once the records are acknowledged). Answering records the request's status and latency and runs the
 * clean-ups registered with {@link #onAnswered}. Every answer carries {@code Cache-Control: no-store} (tracking
 * answers must never be served from a cache: a cached pixel is an event lost) and the request id.
 */
final class Exchange {
  static final String REQUEST_ID_HEADER = "X-Request-Id";
  /** On image answers, which carry no JSON: the error code of a refused request. */
  static final String ERROR_HEADER = "X-Trackpipe-Error";
  /** A transparent 1×1 GIF, the smallest image every mail client and browser shows. */
  private static final byte[] PIXEL = {
      0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, (byte) 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
      (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x21, (byte) 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00,
      0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B};

  private final Request request;
  private final Response response;
  private final Callback callback;
  private final String route;
  private final String requestId;
  private final long startNanos;
  private final CollectorMetrics metrics;
  private final boolean answersWithImage;
  private final AtomicBoolean answered = new AtomicBoolean();
  private final List<Runnable> cleanUps = new ArrayList<>(1);

  /**
   * @param answersWithImage every answer is the pixel, whatever the status (a broken-image icon in an e-mail helps
   *     nobody); errors then go in the {@value #ERROR_HEADER} header
   */
  Exchange(Request request, Response response, Callback callback, String route, String requestId, long startNanos,
      CollectorMetrics metrics, boolean answersWithImage) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.route = route;
    this.requestId = requestId;
    this.startNanos = startNanos;
    this.metrics = metrics;
    this.answersWithImage = answersWithImage;
  }

  Request request() {
    return request;
  }

  Response response() {
    return response;
  }

  String requestId() {
    return requestId;
  }

  String route() {
    return route;
  }

  /** Runs after the answer is sent (or the request failed); register before any answer can happen. */
  void onAnswered(Runnable cleanUp) {
    cleanUps.add(cleanUp);
  }

  void json(int status, byte[] body) {
    answer(status, "application/json", body);
  }

  void error(int status, String error, String message) {
    if (answersWithImage) {
      response.getHeaders().put(ERROR_HEADER, error);
      pixel(status);
    } else {
      json(status, ResponseBodies.error(requestId, error, message));
    }
  }

  void pixel(int status) {
    answer(status, "image/gif", PIXEL);
  }

  void answer(int status, String contentType, byte[] body) {
    if (!answered.compareAndSet(false, true)) return;
    metrics.requestAnswered(route, status, System.nanoTime() - startNanos);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(REQUEST_ID_HEADER, requestId);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), Callback.from(() -> {
      cleanUp();
      callback.succeeded();
    }, failure -> {
      cleanUp();
      callback.failed(failure);
    }));
  }

  /** Runs a step of the request's work; a bug in it is answered 500 instead of leaving the request hanging. */
  void guard(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      Refusals.internalError(this, e);
    }
  }

  /** The request cannot be answered (the client went away while sending): end it without an answer. */
  void abort(Throwable failure) {
    if (!answered.compareAndSet(false, true)) return;
    metrics.requestAnswered(route, 400, System.nanoTime() - startNanos);
    cleanUp();
    callback.failed(failure);
  }

  private void cleanUp() {
    cleanUps.forEach(Runnable::run);
  }
}
