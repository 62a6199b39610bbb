package io.trackpipe.serve;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import io.trackpipe.serve.auth.AuthMode;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

/**
 * How {@code trackpipe serve} listens, who may read, and the limits of its queries.
 *
 * @param factsZone the zone of the facts' dates and hours ({@code stream.time-zone}): "today" and the live hour
 * @param token the bearer token when {@code authMode} is token; null otherwise
 * @param user the user name when {@code authMode} is basic; null otherwise
 * @param maxRangeDays longest date range a query may cover
 * @param refreshInterval how often the dashboard polls while the range includes the live hour
 * @param summaryRefresh how often the summary tables are brought up to date; zero = never (every query reads events)
 */
public record ServeConfig(
    String host,
    int port,
    AuthMode authMode,
    String token,
    String user,
    String password,
    int maxRangeDays,
    Duration queryTimeout,
    int connections,
    String currency,
    Duration refreshInterval,
    Duration summaryRefresh,
    ZoneId factsZone) {

  public static final int MIN_SECRET_LENGTH = 16;

  public static final Setting<String> HOST = Setting.of("serve.http.host", ValueType.STRING, "127.0.0.1",
      "Address the dashboard and API listen on; 0.0.0.0 for every interface (then set serve.auth.mode).");
  public static final Setting<Integer> PORT = Setting.of("serve.http.port", ValueType.INT, 8088,
      "Port of the dashboard and API (0 picks a free one). The demo's default is 18088.")
      .checked(p -> p >= 0 && p <= 65535, "a port (0–65535)");
  public static final Setting<String> AUTH_MODE = Setting.of("serve.auth.mode", ValueType.STRING, "none",
      "Read access: none, token (header Authorization: Bearer <serve.auth.token>) or basic (serve.auth.user and"
          + " serve.auth.password).")
      .checked(v -> AuthMode.parse(v) != null, "none, token or basic");
  public static final Setting<String> AUTH_TOKEN = Setting.of("serve.auth.token", ValueType.STRING, null,
      "Bearer token readers must send when serve.auth.mode=token (at least 16 characters). Never printed.")
      .checked(v -> v.length() >= MIN_SECRET_LENGTH && v.strip().equals(v), "at least 16 characters, no spaces around")
      .asSecret();
  public static final Setting<String> AUTH_USER = Setting.of("serve.auth.user", ValueType.STRING, null,
      "User name when serve.auth.mode=basic.").checked(v -> !v.isBlank() && !v.contains(":"), "non-empty, without ':'");
  public static final Setting<String> AUTH_PASSWORD = Setting.of("serve.auth.password", ValueType.STRING, null,
      "Password when serve.auth.mode=basic (at least 16 characters). Never printed.")
      .checked(v -> v.length() >= MIN_SECRET_LENGTH, "at least 16 characters").asSecret();
  public static final Setting<Integer> MAX_RANGE_DAYS = Setting.of("serve.max-range-days", ValueType.INT, 400,
      "Longest date range (in days) one API query may cover; longer is answered 400.")
      .checked(v -> v >= 1 && v <= 3660, "between 1 and 3660");
  public static final Setting<Duration> QUERY_TIMEOUT = Setting.of("serve.query-timeout", ValueType.DURATION_TYPE,
      Duration.ofSeconds(10), "Longest a warehouse query may run before the request is answered 503.")
      .checked(d -> d.compareTo(Duration.ofSeconds(1)) >= 0, ">= 1s");
  public static final Setting<Integer> CONNECTIONS = Setting.of("serve.connections", ValueType.INT, 4,
      "Warehouse connections kept open for queries (requests beyond wait for one).")
      .checked(v -> v >= 1 && v <= 64, "between 1 and 64");
  public static final Setting<String> CURRENCY = Setting.of("serve.currency", ValueType.STRING, "USD",
      "ISO 4217 code the dashboard shows spend, CPC and CPA in (the bids' currency).")
      .checked(v -> v.matches("[A-Z]{3}"), "three capital letters, e.g. USD");
  public static final Setting<Duration> REFRESH_INTERVAL = Setting.of("serve.refresh-interval", ValueType.DURATION_TYPE,
      Duration.ofSeconds(5), "How often the dashboard re-reads its numbers while its range includes the current hour.")
      .checked(d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofMinutes(10)) <= 0,
          "between 1s and 10m");

  public static final Setting<Duration> SUMMARY_REFRESH = Setting.of("serve.summary-refresh", ValueType.DURATION_TYPE,
      Duration.ofSeconds(2), "How often the summary tables are brought up to date with events (only changed hours are"
          + " recomputed); 0s = never, every query then reads events.")
      .checked(d -> !d.isNegative(), ">= 0");

  public static final List<Setting<?>> SETTINGS = List.of(HOST, PORT, AUTH_MODE, AUTH_TOKEN, AUTH_USER, AUTH_PASSWORD,
      MAX_RANGE_DAYS, QUERY_TIMEOUT, CONNECTIONS, CURRENCY, REFRESH_INTERVAL, SUMMARY_REFRESH);

  public ServeConfig {
    requireNonNull(host, "host is null");
    requireNonNull(authMode, "authMode is null");
    requireNonNull(queryTimeout, "queryTimeout is null");
    requireNonNull(currency, "currency is null");
    requireNonNull(refreshInterval, "refreshInterval is null");
    requireNonNull(summaryRefresh, "summaryRefresh is null");
    requireNonNull(factsZone, "factsZone is null");
  }

  /**
   * Binds the {@link #SETTINGS}; problems are recorded on {@code config} and reported by its {@code throwIfInvalid()}.
   *
   * @param factsZone the value of {@code stream.time-zone}
   */
  public static ServeConfig from(Configuration config, ZoneId factsZone) {
    AuthMode mode = AuthMode.parse(config.get(AUTH_MODE));
    if (mode == null) mode = AuthMode.NONE;
    String token = null;
    String user = null;
    String password = null;
    switch (mode) {
      case TOKEN -> token = config.require(AUTH_TOKEN);
      case BASIC -> {
        user = config.require(AUTH_USER);
        password = config.require(AUTH_PASSWORD);
      }
      case NONE -> { }
    }
    return new ServeConfig(config.get(HOST), config.get(PORT), mode, token, user, password, config.get(MAX_RANGE_DAYS),
        config.get(QUERY_TIMEOUT), config.get(CONNECTIONS), config.get(CURRENCY), config.get(REFRESH_INTERVAL),
        config.get(SUMMARY_REFRESH), factsZone);
  }

  /** True when only this machine can connect. */
  public boolean loopbackOnly() {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("127.0.0.1") || h.equals("localhost") || h.equals("::1");
  }

  @Override
  public String toString() {
    return "ServeConfig[host=" + host + ", port=" + port + ", authMode=" + authMode + ", factsZone=" + factsZone + "]";
  }
}
