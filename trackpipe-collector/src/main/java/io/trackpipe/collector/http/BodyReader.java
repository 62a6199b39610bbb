package io.trackpipe.collector.http;

import io.trackpipe.collector.kafka.InFlightBytes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a request body without blocking a thread while the client sends it, up to a limit and a deadline. Beyond the
 * limit only the first bytes that have arrived (at most {@link #KEPT_PREFIX_BYTES}) are kept, as a sample for the dead
 * letter, and reading stops: an oversized body costs the collector at most its limit in memory, and next to nothing
 * when {@code Content-Length} already says it is too large.
 *
 * <p>Memory is taken from the in-flight budget as the buffer grows with the bytes that arrive, never for the declared or
 * largest size up front: an upload that trickles holds what it has sent (at least {@link #FIRST_BUFFER_BYTES}), not
 * {@code collector.max-body-bytes}. What was taken stays taken until {@link #release()}, when the request is answered.
 * Thread-safe: Jetty's demand callbacks and the deadline's timer may run at once.
 */
final class BodyReader implements Runnable {
  /** How much of an oversized body is kept, so the dead letter shows what was sent without storing it all. */
  static final int KEPT_PREFIX_BYTES = 1024;
  /** The buffer's first size (unless the body is declared smaller): small, so that an upload of a few bytes is cheap. */
  private static final int FIRST_BUFFER_BYTES = 4096;

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

  /** The body did not arrive in full before the deadline; {@code received} bytes had. */
  record TimedOut(long received) implements Body {}

  /** The in-flight budget had no room for the bytes that arrived. */
  record Overloaded() implements Body {}

  private final Request request;
  private final int maxBytes;
  private final boolean declaredTooLarge;
  private final InFlightBytes inFlight;
  /** Completed outside the lock: the callbacks answer the request, which takes Jetty's own locks. */
  private final CompletableFuture<Body> result = new CompletableFuture<>();
  // Guarded by this:
  private Scheduler.Task deadline;
  private Body outcome;
  private byte[] buffer = new byte[0];
  private int length;
  private long charged;
  private boolean released;

  private BodyReader(Request request, int maxBytes, InFlightBytes inFlight) {
    this.request = request;
    this.maxBytes = maxBytes;
    this.inFlight = inFlight;
    this.declaredTooLarge = request.getLength() > maxBytes;
  }

  /**
   * Starts reading. The result completes with the body (or why it was not read in full), or fails with the reason
   * reading stopped (the client went away). Call {@link #release()} once the request is answered.
   */
  static BodyReader start(Request request, int maxBytes, Duration timeout, InFlightBytes inFlight) {
    BodyReader reader = new BodyReader(request, maxBytes, inFlight);
    Scheduler.Task task = request.getComponents().getScheduler().schedule(reader::expire, timeout.toMillis(),
        TimeUnit.MILLISECONDS);
    synchronized (reader) {
      reader.deadline = task;
    }
    reader.run();
    return reader;
  }

  CompletableFuture<Body> result() {
    return result;
  }

  /** Gives back to the in-flight budget what this body took, and stops reading for good. Idempotent. */
  synchronized void release() {
    if (released) return;
    released = true;
    settle(new Overloaded()); // only stops a read still under way; the request is answered already
    inFlight.giveBack(charged);
    charged = 0;
  }

  /** Reads what has arrived; asks to be called again when more does. */
  @Override
  public void run() {
    Body settled;
    Throwable failure = null;
    synchronized (this) {
      settled = readAvailable();
      if (settled instanceof Failed failed) failure = failed.cause();
    }
    if (failure != null) {
      result.completeExceptionally(failure);
    } else if (settled != null) {
      result.complete(settled);
    }
  }

  /** The client went away while sending: an outcome of its own, reported as the result's failure. */
  private record Failed(Throwable cause) implements Body {}

  /** @return the outcome when this call settled it, else null (more to come, or settled before) */
  private Body readAvailable() {
    while (outcome == null) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this);
        return null;
      }
      if (Content.Chunk.isFailure(chunk)) {
        return settle(new Failed(chunk.getFailure()));
      }
      try {
        ByteBuffer bytes = chunk.getByteBuffer();
        int size = bytes.remaining();
        if (declaredTooLarge || (long) length + size > maxBytes) {
          if (!keepPrefix(bytes)) return outcome;
          return settle(new TooLarge(Arrays.copyOf(buffer, Math.min(length, KEPT_PREFIX_BYTES)),
              declaredTooLarge ? request.getLength() : -1));
        }
        if (!append(bytes, size)) return outcome;
        if (chunk.isLast()) {
          return settle(new Complete(length == buffer.length ? buffer : Arrays.copyOf(buffer, length)));
        }
      } finally {
        chunk.release();
      }
    }
    return null;
  }

  private void expire() {
    Body settled;
    synchronized (this) {
      settled = settle(new TimedOut(length));
    }
    if (settled != null) result.complete(settled);
  }

  /** @return {@code body} if it is the outcome now, null if there was one already */
  private Body settle(Body body) {
    if (outcome != null) return null;
    outcome = body;
    if (deadline != null) deadline.cancel();
    return body;
  }

  private boolean keepPrefix(ByteBuffer bytes) {
    int room = Math.max(0, KEPT_PREFIX_BYTES - length);
    if (room > 0) {
      if (buffer.length < KEPT_PREFIX_BYTES && !grow(KEPT_PREFIX_BYTES)) return false;
      int n = Math.min(room, bytes.remaining());
      bytes.get(buffer, length, n);
      length += n;
    }
    return true;
  }

  private boolean append(ByteBuffer bytes, int size) {
    if (length + size > buffer.length) {
      long declared = request.getLength();
      int ceiling = declared >= 0 ? (int) declared : maxBytes;
      int wanted = Math.max(length + size, buffer.length == 0 ? FIRST_BUFFER_BYTES : buffer.length * 2);
      if (!grow(Math.max(length + size, Math.min(ceiling, wanted)))) return false;
    }
    bytes.get(buffer, length, size);
    length += size;
    return true;
  }

  /** Takes the growth from the in-flight budget first; settles as overloaded when it has no room. */
  private boolean grow(int capacity) {
    long more = capacity - buffer.length;
    if (!inFlight.tryTake(more)) {
      settle(new Overloaded());
      return false;
    }
    charged += more;
    buffer = Arrays.copyOf(buffer, capacity);
    return true;
  }
}
