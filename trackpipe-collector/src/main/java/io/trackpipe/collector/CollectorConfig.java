package io.trackpipe.collector;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How the HTTP collector listens, whom it accepts requests from, and how much it holds for Kafka.
 *
 * @param writeKeys shared secrets a request must carry (several, so keys can be rotated without downtime); the
 *     collector refuses to start without one
 * @param corsAllowedOrigins origins browser trackers may send from ({@code *} for any); empty turns CORS off
 * @param maxBodyBytes largest request body read; a larger one is answered 413
 * @param maxEventsPerRequest most events one request may carry; more is answered 413
 * @param kafkaTimeout longest a request waits for Kafka's acknowledgement before it is answered 503
 * @param maxInFlightBytes request bytes held in memory, from arrival until Kafka's acknowledgement; beyond it requests
 *     are answered 503
 * @param shutdownTimeout how long a stop waits for requests in flight to be answered
 * @param bodyTimeout longest a request body may take to arrive in full; a slower one is answered 408
 * @param maxRequestsPerClient most ingest requests one client address may have in flight; more are answered 429
 */
public record CollectorConfig(
    String host,
    int port,
    List<String> writeKeys,
    List<String> corsAllowedOrigins,
    int maxBodyBytes,
    int maxEventsPerRequest,
    Duration kafkaTimeout,
    long maxInFlightBytes,
    Duration shutdownTimeout,
    Duration bodyTimeout,
    int maxRequestsPerClient) {

  /** Shorter keys could be guessed; the demo generates 32 hexadecimal characters. */
  public static final int MIN_WRITE_KEY_LENGTH = 16;

  public static final Setting<String> HOST = Setting.of("collector.http.host", ValueType.STRING, "127.0.0.1",
      "Address the collector listens on; 0.0.0.0 for every interface (behind a load balancer).");
  public static final Setting<Integer> PORT = Setting.of("collector.http.port", ValueType.INT, 8080,
      "Port the collector listens on (0 picks a free one).").checked(p -> p >= 0 && p <= 65535, "a port (0–65535)");
  public static final Setting<String> WRITE_KEYS = Setting.of("collector.write-keys", ValueType.STRING, null,
      "Comma-separated write keys; a request must carry one (header X-Trackpipe-Key or parameter key). Required.")
      .checked(CollectorConfig::validKeyList, "a comma-separated list of keys of at least " + MIN_WRITE_KEY_LENGTH
          + " characters each, without spaces")
      .asSecret();
  public static final Setting<String> CORS_ALLOWED_ORIGINS = Setting.of("collector.cors.allowed-origins", ValueType.STRING,
      null, "Comma-separated origins browser trackers may send from, e.g. https://jobs.example.com; * for any; unset = no CORS.")
      .checked(CollectorConfig::validOriginList, "* or a comma-separated list of origins such as https://jobs.example.com");
  public static final Setting<Integer> MAX_BODY_BYTES = Setting.of("collector.max-body-bytes", ValueType.INT, 512 * 1024,
      "Largest request body accepted; larger is answered 413. A rejected body is kept whole as one dead letter, so keep it"
          + " below the broker's message.max.bytes.")
      .checked(v -> v >= 1024 && v <= 64 * 1024 * 1024, "between 1024 and 67108864");
  public static final Setting<Integer> MAX_EVENTS_PER_REQUEST = Setting.of("collector.max-events-per-request", ValueType.INT,
      1000, "Most events one request may carry; more is answered 413.").checked(Setting.positive(), "> 0");
  public static final Setting<Duration> KAFKA_TIMEOUT = Setting.of("collector.kafka.timeout", ValueType.DURATION_TYPE,
      Duration.ofSeconds(5), "Longest a request waits for Kafka's acknowledgement before it is answered 503 (trackpipe import: before it fails).")
      .checked(d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofMinutes(5)) <= 0, "between 1s and 5m");
  public static final Setting<Long> MAX_IN_FLIGHT_BYTES = Setting.of("collector.kafka.max-in-flight-bytes", ValueType.LONG,
      64L * 1024 * 1024, "Request bytes held in memory (bodies as they arrive, and until Kafka has acknowledged them);"
          + " beyond this, requests are answered 503.")
      .checked(v -> v > 0, "> 0");
  public static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.of("collector.shutdown-timeout", ValueType.DURATION_TYPE,
      Duration.ofSeconds(10), "How long a stop waits for requests in flight to be answered.")
      .checked(d -> !d.isNegative(), ">= 0");

  public static final Setting<Duration> BODY_TIMEOUT = Setting.of("collector.http.body-timeout", ValueType.DURATION_TYPE,
      Duration.ofSeconds(10), "Longest a whole request body may take to arrive; a slower upload is answered 408 and its"
          + " connection closed, so trickling clients cannot hold the in-flight budget.")
      .checked(d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofMinutes(5)) <= 0, "between 1s and 5m");
  public static final Setting<Integer> MAX_REQUESTS_PER_CLIENT = Setting.of("collector.http.max-requests-per-client",
      ValueType.INT, 64, "Most ingest requests one client address may have in flight at once; more are answered 429."
          + " Behind a load balancer every request comes from its address: raise this, and limit per client there.")
      .checked(Setting.positive(), "> 0");

  public static final List<Setting<?>> SETTINGS = List.of(HOST, PORT, WRITE_KEYS, CORS_ALLOWED_ORIGINS, MAX_BODY_BYTES,
      MAX_EVENTS_PER_REQUEST, KAFKA_TIMEOUT, MAX_IN_FLIGHT_BYTES, SHUTDOWN_TIMEOUT, BODY_TIMEOUT, MAX_REQUESTS_PER_CLIENT);

  public CollectorConfig {
    requireNonNull(host, "host is null");
    writeKeys = List.copyOf(writeKeys);
    corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
    requireNonNull(kafkaTimeout, "kafkaTimeout is null");
    requireNonNull(shutdownTimeout, "shutdownTimeout is null");
    requireNonNull(bodyTimeout, "bodyTimeout is null");
  }

  /** Binds the {@link #SETTINGS}; problems are recorded on {@code config} and reported by its {@code throwIfInvalid()}. */
  public static CollectorConfig from(Configuration config) {
    String keys = config.require(WRITE_KEYS);
    long maxInFlight = config.get(MAX_IN_FLIGHT_BYTES);
    int maxBody = config.get(MAX_BODY_BYTES);
    config.check(maxInFlight >= maxBody, MAX_IN_FLIGHT_BYTES.key() + " (" + maxInFlight + ") must be at least "
        + MAX_BODY_BYTES.key() + " (" + maxBody + "), or no request could ever be taken");
    return new CollectorConfig(config.get(HOST), config.get(PORT), split(keys), split(config.get(CORS_ALLOWED_ORIGINS)),
        maxBody, config.get(MAX_EVENTS_PER_REQUEST), config.get(KAFKA_TIMEOUT), maxInFlight, config.get(SHUTDOWN_TIMEOUT),
        config.get(BODY_TIMEOUT), config.get(MAX_REQUESTS_PER_CLIENT));
  }

  /** The same settings listening on another port; tests and the demo pick ports. */
  public CollectorConfig withPort(int newPort) {
    return new CollectorConfig(host, newPort, writeKeys, corsAllowedOrigins, maxBodyBytes, maxEventsPerRequest,
        kafkaTimeout, maxInFlightBytes, shutdownTimeout, bodyTimeout, maxRequestsPerClient);
  }

  static List<String> split(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) return List.of();
    return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static boolean validKeyList(String text) {
    List<String> keys = split(text);
    return !keys.isEmpty() && keys.stream().allMatch(k -> k.length() >= MIN_WRITE_KEY_LENGTH && k.chars().noneMatch(
        c -> Character.isWhitespace(c) || Character.isISOControl(c)));
  }

  private static boolean validOriginList(String text) {
    List<String> origins = split(text);
    return !origins.isEmpty() && origins.stream().allMatch(o -> o.equals("*") || o.matches("https?://[^/\\s]+"));
  }
}
