package io.trackpipe.collector.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;

/**
 * Checks that a request carries one of the configured write keys, in the {@value #HEADER} header or the
 * {@value #PARAMETER} query parameter (a pixel in an e-mail can only send parameters). Every key is compared in constant
 * time, so response timing does not reveal how much of a guess was right. Thread-safe.
 */
final class WriteKeys {
  static final String HEADER = "X-Trackpipe-Key";
  static final String PARAMETER = "key";

  enum Verdict { VALID, MISSING, INVALID }

  private final List<byte[]> keys;

  WriteKeys(List<String> keys) {
    if (keys.isEmpty()) throw new IllegalArgumentException("at least one write key is needed (collector.write-keys)");
    this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /** @param query the request's query parameters ({@link QueryString}) */
  Verdict check(Request request, List<Map.Entry<String, String>> query) {
    String presented = request.getHeaders().get(HEADER);
    if (presented == null) presented = QueryString.first(query, PARAMETER);
    if (presented == null || presented.isEmpty()) return Verdict.MISSING;
    byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (byte[] key : keys) {
      match |= MessageDigest.isEqual(key, candidate);
    }
    return match ? Verdict.VALID : Verdict.INVALID;
  }
}
