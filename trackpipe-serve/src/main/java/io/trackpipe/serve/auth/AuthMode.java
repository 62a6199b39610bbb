package io.trackpipe.serve.auth;

import java.util.Locale;

/** Who may read the dashboard and the API. */
public enum AuthMode {
  /** Anyone who can connect: for a server bound to localhost (the demo). */
  NONE,
  /** Requests carry {@code Authorization: Bearer <token>}. */
  TOKEN,
  /** HTTP basic authentication: browsers ask for user and password. */
  BASIC;

  /** @return the mode, or null when {@code value} names none */
  public static AuthMode parse(String value) {
    if (value == null) return null;
    for (AuthMode m : values()) {
      if (m.name().equals(value.toUpperCase(Locale.ROOT))) return m;
    }
    return null;
  }
}
