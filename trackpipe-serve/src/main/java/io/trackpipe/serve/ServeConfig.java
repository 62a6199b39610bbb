package io.trackpipe.serve;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import io.trackpipe.serve.auth.AuthMode;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
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
 * @param allowedHosts names (optionally {@code name:port}) the {@code Host} header may carry; empty = the loopback names
 *     when the address is loopback, any name otherwise
 * @param maxConcurrentRequests requests handled at once; more are answered 429
 * @param readerUser the read-only account every API query runs as; null = {@code warehouse.user}
 * @param readerPassword its password; null when {@code readerUser} is null
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
    ZoneId factsZone,
    List<String> allowedHosts,
    int maxConcurrentRequests,
    String readerUser,
    String readerPassword) {

  public static final int MIN_SECRET_LENGTH = 16;
  /** A DNS name, an IPv4 address or a bracketed IPv6 address, optionally with a port. */
  private static final String HOST_PATTERN = "([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?";

  public static final Setting<String> HOST = Setting.of("serve.http.host", ValueType.STRING, "127.0.0.1",
      "Address the dashboard and API listen on; 0.0.0.0 for every interface (serve.auth.mode must then be token or"
          + " basic).");
  public static final Setting<Integer> PORT = Setting.of("serve.http.port", ValueType.INT, 8088,
      "Port of the dashboard and API (0 picks a free one). The demo's default is 18088.")
      .checked(p -> p >= 0 && p <= 65535, "a port (0–65535)");
  public static final Setting<String> AUTH_MODE = Setting.of("serve.auth.mode", ValueType.STRING, "none",
      "Read access: none, token (header Authorization: Bearer <serve.auth.token>) or basic (serve.auth.user and"
          + " serve.auth.password). none is refused unless serve.http.host is a loopback address.")
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


  public static final Setting<String> ALLOWED_HOSTS = Setting.of("serve.http.allowed-hosts", ValueType.STRING, null,
      "Comma-separated host names (name or name:port) the Host header of a request may carry; others are answered 421."
          + " Unset = localhost, 127.0.0.1 and [::1] with the port when serve.http.host is a loopback address (against DNS"
          + " rebinding), any name otherwise.")
      .checked(v -> !split(v).isEmpty() && split(v).stream().allMatch(h -> h.matches(HOST_PATTERN)),
          "a comma-separated list of host names, each optionally with :port");
  public static final Setting<Integer> MAX_CONCURRENT_REQUESTS = Setting.of("serve.http.max-concurrent-requests",
      ValueType.INT, 32, "Requests the dashboard and API handle at once; more are answered 429 (a dashboard view sends"
          + " about ten).").checked(v -> v >= 1 && v <= 10_000, "between 1 and 10000");
  public static final Setting<String> WAREHOUSE_USER = Setting.of("serve.warehouse.user", ValueType.STRING, null,
      "Read-only warehouse account (GRANT SELECT only) every dashboard and API query runs as; unset = warehouse.user."
          + " warehouse.user still keeps hour_calendar up to date.")
      .checked(v -> !v.isBlank(), "non-empty");
  public static final Setting<String> WAREHOUSE_PASSWORD = Setting.of("serve.warehouse.password", ValueType.STRING, null,
      "Password of serve.warehouse.user (use TRACKPIPE_SERVE_WAREHOUSE_PASSWORD). Never printed.").asSecret();

  public static final List<Setting<?>> SETTINGS = List.of(HOST, PORT, AUTH_MODE, AUTH_TOKEN, AUTH_USER, AUTH_PASSWORD,
      MAX_RANGE_DAYS, QUERY_TIMEOUT, CONNECTIONS, CURRENCY, REFRESH_INTERVAL, ALLOWED_HOSTS,
      MAX_CONCURRENT_REQUESTS, WAREHOUSE_USER, WAREHOUSE_PASSWORD);

  public ServeConfig {
    requireNonNull(host, "host is null");
    requireNonNull(authMode, "authMode is null");
    requireNonNull(queryTimeout, "queryTimeout is null");
    requireNonNull(currency, "currency is null");
    requireNonNull(refreshInterval, "refreshInterval is null");
    requireNonNull(factsZone, "factsZone is null");
    allowedHosts = List.copyOf(allowedHosts);
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
    String host = config.get(HOST);
    config.check(mode != AuthMode.NONE || isLoopback(host), AUTH_MODE.key() + " is none but " + HOST.key() + " is "
        + host + ": anyone who can connect would read the facts. Set " + AUTH_MODE.key() + " to token or basic, or"
        + " listen on a loopback address such as 127.0.0.1");
    String readerUser = config.get(WAREHOUSE_USER);
    String readerPassword = config.get(WAREHOUSE_PASSWORD);
    config.check(readerPassword == null || readerUser != null, WAREHOUSE_PASSWORD.key() + " is set but "
        + WAREHOUSE_USER.key() + " is not");
    return new ServeConfig(host, config.get(PORT), mode, token, user, password, config.get(MAX_RANGE_DAYS),
        config.get(QUERY_TIMEOUT), config.get(CONNECTIONS), config.get(CURRENCY), config.get(REFRESH_INTERVAL),
        factsZone, split(config.get(ALLOWED_HOSTS)), config.get(MAX_CONCURRENT_REQUESTS),
        readerUser, readerUser == null ? null : readerPassword == null ? "" : readerPassword);
  }

  /** True when only this machine can connect. */
  public boolean loopbackOnly() {
    return isLoopback(host);
  }

  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.matches("127\\.[0-9]+\\.[0-9]+\\.[0-9]+");
  }

  private static List<String> split(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) return List.of();
    return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(h -> !h.isEmpty()).toList();
  }

  @Override
  public String toString() {
    return "ServeConfig[host=" + host + ", port=" + port + ", authMode=" + authMode + ", factsZone=" + factsZone + "]";
  }
}
