package io.trackpipe.collector.http;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the ingest requests each client address has in flight, up to a limit: the write key is public (it is in every
 * page), so without this one address could hold every connection and the whole in-flight budget with slow uploads.
 * Addresses leave the map when their last request is answered. Thread-safe.
 */
final class RequestsPerClient {
  private final int limit;
  private final ConcurrentHashMap<InetAddress, Integer> inFlight = new ConcurrentHashMap<>();

  RequestsPerClient(int limit) {
    if (limit <= 0) throw new IllegalArgumentException("limit must be > 0, got " + limit);
    this.limit = limit;
  }

  int limit() {
    return limit;
  }

  /** Counts one more request of {@code client}; false (and nothing counted) when it is at its limit. */
  boolean tryEnter(InetAddress client) {
    boolean[] entered = {false};
    inFlight.compute(client, (address, count) -> {
      int current = count == null ? 0 : count;
      if (current >= limit) return count;
      entered[0] = true;
      return current + 1;
    });
    return entered[0];
  }

  /** One request of {@code client}, counted by {@link #tryEnter}, is answered. */
  void leave(InetAddress client) {
    inFlight.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
  }
}
