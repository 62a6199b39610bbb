package io.trackpipe.collector.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body without blocking a thread while the client sends it, up to a limit. Beyond the limit only the
 * first bytes that have arrived (at most {@link #KEPT_PREFIX_BYTES}) are kept, as a sample for the dead letter, and
 * reading stops: an oversized body costs the collector at most its limit in memory, and next to nothing when
 * {@code Content-Length} already says it is too large.
 */
final class BodyReader implements Runnable {
  /** How much of an oversized body is kept, so the dead letter shows what was sent without storing it all. */
  static final int KEPT_PREFIX_BYTES = 1024;

  /** What was read. */
  sealed interface Body {}

  /** The whole body. */
  record Complete(byte[] bytes) implements Body {}

  /**
   * A body over the limit.
   *
   * @param size the declared length, or -1 when the body came in chunks and only "more than the limit" is known
   */
  record TooLarge(byte[] prefix, long size) implements Body {}

  private final Request request;
  private final int maxBytes;
  private final boolean declaredTooLarge;
  private final CompletableFuture<Body> result = new CompletableFuture<>();
  private byte[] buffer;
  private int length;

  private BodyReader(Request request, int maxBytes) {
    this.request = request;
    this.maxBytes = maxBytes;
    long declared = request.getLength();
    this.declaredTooLarge = declared > maxBytes;
    int initial = declared >= 0 && !declaredTooLarge ? (int) declared : Math.min(maxBytes, 16 * 1024);
    this.buffer = new byte[declaredTooLarge ? KEPT_PREFIX_BYTES : initial];
  }

  /** Completes with the body, or fails with the reason reading stopped (the client went away, an idle time-out). */
  static CompletableFuture<Body> read(Request request, int maxBytes) {
    BodyReader reader = new BodyReader(request, maxBytes);
    reader.run();
    return reader.result;
  }

  /** Reads what has arrived; asks to be called again when more does. */
  @Override
  public void run() {
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        result.completeExceptionally(chunk.getFailure());
        return;
      }
      try {
        ByteBuffer bytes = chunk.getByteBuffer();
        int size = bytes.remaining();
        if (declaredTooLarge || (long) length + size > maxBytes) {
          keepPrefix(bytes);
          result.complete(new TooLarge(Arrays.copyOf(buffer, Math.min(length, KEPT_PREFIX_BYTES)),
              declaredTooLarge ? request.getLength() : -1));
          return;
        }
        append(bytes, size);
        if (chunk.isLast()) {
          result.complete(new Complete(length == buffer.length ? buffer : Arrays.copyOf(buffer, length)));
          return;
        }
      } finally {
        chunk.release();
      }
    }
  }

  private void keepPrefix(ByteBuffer bytes) {
    int room = Math.max(0, KEPT_PREFIX_BYTES - length);
    if (room > 0) {
      if (buffer.length < KEPT_PREFIX_BYTES) buffer = Arrays.copyOf(buffer, KEPT_PREFIX_BYTES);
      int n = Math.min(room, bytes.remaining());
      bytes.get(buffer, length, n);
      length += n;
    }
  }

  private void append(ByteBuffer bytes, int size) {
    if (length + size > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.min(maxBytes, Math.max(length + size, buffer.length * 2)));
    }
    bytes.get(buffer, length, size);
    length += size;
  }
}
