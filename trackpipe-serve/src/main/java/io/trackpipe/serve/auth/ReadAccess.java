package io.trackpipe.serve.auth;

import io.trackpipe.serve.ServeConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** Decides whether a request may read, from its {@code Authorization} header. Thread-safe. */
public final class ReadAccess {
  private final AuthMode mode;
  private final byte[] expected;

  public ReadAccess(ServeConfig config) {
    this.mode = config.authMode();
    this.expected = switch (mode) {
      case NONE -> new byte[0];
      case TOKEN -> ("Bearer " + config.token()).getBytes(StandardCharsets.UTF_8);
      case BASIC -> ("Basic " + Base64.getEncoder().encodeToString(
          (config.user() + ":" + config.password()).getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
    };
  }

  public AuthMode mode() {
    return mode;
  }

  /** @param authorization the request's {@code Authorization} header, or null */
  public boolean allows(String authorization) {
    if (mode == AuthMode.NONE) return true;
    if (authorization == null) return false;
    // Constant time: how much of a guess matched must not show in the answer's timing.
    return MessageDigest.isEqual(expected, authorization.strip().getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code WWW-Authenticate} challenge of a 401 answer. */
  public String challenge() {
    return mode == AuthMode.BASIC ? "Basic realm=\"trackpipe\", charset=\"UTF-8\"" : "Bearer realm=\"trackpipe\"";
  }
}
