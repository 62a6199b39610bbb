package io.trackpipe.serve.auth;

import io.trackpipe.serve.ServeConfig;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Which names a request's {@code Host} header may carry. A page on another site can make a browser send requests to
 * 127.0.0.1 by resolving its own name there (DNS rebinding) and then read the answers as its own; the one thing it
 * cannot change is the name in {@code Host}. So a server on a loopback address answers only to its loopback names with
 * the port it is bound to, unless {@code serve.http.allowed-hosts} names others; on another address (where read access
 * control is required) any name is served unless the list is set. Thread-safe.
 */
public final class AllowedHosts {
  /** serve has no TLS: a Host without a port means port 80. */
  private static final int DEFAULT_PORT = 80;
  private static final int ANY_PORT = -1;
  /** The port the request came in on: serve.http.port may be 0. */
  private static final int BOUND_PORT = -2;

  private record Entry(String name, int port) {}

  /** Null when any name is served. */
  private final List<Entry> entries;

  public AllowedHosts(ServeConfig config) {
    if (!config.allowedHosts().isEmpty()) {
      entries = config.allowedHosts().stream().map(h -> parse(h, ANY_PORT)).toList();
    } else if (config.loopbackOnly()) {
      String bound = config.host().contains(":") && !config.host().startsWith("[") ? "[" + config.host() + "]"
          : config.host();
      entries = Stream.of("localhost", "127.0.0.1", "[::1]", bound).map(h -> parse(h, BOUND_PORT)).toList();
    } else {
      entries = null;
    }
  }

  /**
   * @param host the request's {@code Host} header, or null
   * @param localPort the port the request came in on
   */
  public boolean allows(String host, int localPort) {
    if (entries == null) return true;
    Entry requested = host == null ? null : parse(host.strip(), DEFAULT_PORT);
    if (requested == null) return false;
    for (Entry allowed : entries) {
      if (!allowed.name().equals(requested.name())) continue;
      int port = allowed.port() == BOUND_PORT ? localPort : allowed.port();
      if (port == ANY_PORT || port == requested.port()) return true;
    }
    return false;
  }

  /** {@code name}, {@code name:port}, {@code [v6]} or {@code [v6]:port}, names in lower case; null when malformed. */
  private static Entry parse(String host, int portIfAbsent) {
    String h = host.toLowerCase(Locale.ROOT);
    int colon = h.startsWith("[") ? h.indexOf("]:") + 1 : h.indexOf(':');
    if (colon <= 0) return h.isEmpty() ? null : new Entry(h, portIfAbsent);
    try {
      int port = Integer.parseInt(h.substring(colon + 1));
      return port < 0 || port > 65535 ? null : new Entry(h.substring(0, colon), port);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
