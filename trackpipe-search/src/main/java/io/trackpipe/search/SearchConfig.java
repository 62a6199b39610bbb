package io.trackpipe.search;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the search index is and how to write to it: the OpenSearch (or Elasticsearch) REST endpoint, its credentials,
 * the index names' prefix, and how the indexer batches, waits and retries.
 *
 * @param user empty for a server without authentication
 * @param caFile PEM certificates to trust for an {@code https} URL instead of the JVM's trust store (a cluster's own CA)
 * @param retries attempts after the first for a request that failed transiently (unreachable, 429, 502–504)
 * @param overlap how far before the previous run's start an incremental run reads again: rows stamped before that
 *     start whose transaction committed after it
 */
public record SearchConfig(URI url, String indexPrefix, String user, String password, Optional<Path> caFile, int bulkRows,
    Duration requestTimeout, int retries, Duration overlap) {

  private static final Pattern INDEX_PREFIX = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

  public static final Setting<String> URL = Setting.of("search.url", ValueType.STRING, "http://127.0.0.1:9200",
      "Base URL of the OpenSearch (or Elasticsearch) REST API the rollup tables are indexed into.")
      .checked(SearchConfig::isHttpUrl, "an http:// or https:// URL with a host, e.g. https://search-1:9200");
  public static final Setting<String> INDEX_PREFIX_SETTING = Setting.of("search.index-prefix", ValueType.STRING,
      "trackpipe-", "Prefix of the index names: <prefix><domain>-<table>, e.g. trackpipe-job-ads-events.")
      .checked(p -> INDEX_PREFIX.matcher(p).matches(), "lower-case letters, digits, '.', '_' or '-', not starting with"
          + " '.', '_' or '-'");
  public static final Setting<String> USER = Setting.of("search.user", ValueType.STRING, null,
      "User for HTTP basic authentication (the security plugin's internal user, for example); unset: none.");
  public static final Setting<String> PASSWORD = Setting.of("search.password", ValueType.STRING, null,
      "Password of search.user.").asSecret();
  public static final Setting<Path> CA_FILE = Setting.of("search.tls.ca-file", ValueType.PATH, null,
      "PEM file of the CA certificates to trust for an https search.url (a cluster's own CA), instead of the JVM's"
          + " trust store; unset: the JVM's trust store.");
  public static final Setting<Integer> BULK_ROWS = Setting.of("search.bulk-rows", ValueType.INT, 1000,
      "Rows sent per _bulk request.").checked(n -> n > 0 && n <= 100_000, "between 1 and 100000");
  public static final Setting<Duration> REQUEST_TIMEOUT = Setting.of("search.request-timeout", ValueType.DURATION_TYPE,
      Duration.ofSeconds(30), "How long one request to the search server may take (connecting included).")
      .checked(Setting.positiveDuration(), "positive");
  public static final Setting<Integer> RETRIES = Setting.of("search.retries", ValueType.INT, 5,
      "Attempts after the first for a request that failed transiently (server unreachable, 429, 502, 503, 504),"
          + " with pauses of 0.5, 1, 2, 4, 8 … s (at most 15 s).").checked(n -> n >= 0 && n <= 20, "between 0 and 20");
  public static final Setting<Duration> OVERLAP = Setting.of("search.overlap", ValueType.DURATION_TYPE,
      Duration.ofMinutes(5), "An incremental run re-reads the rows written up to this long before the previous run"
          + " started: a row is stamped when written but visible only when its transaction commits.")
      .checked(d -> !d.isNegative(), "zero or positive");

  public static final List<Setting<?>> SETTINGS =
      List.of(URL, INDEX_PREFIX_SETTING, USER, PASSWORD, CA_FILE, BULK_ROWS, REQUEST_TIMEOUT, RETRIES, OVERLAP);

  public SearchConfig {
    requireNonNull(url, "url is null");
    requireNonNull(indexPrefix, "indexPrefix is null");
    user = user == null ? "" : user;
    password = password == null ? "" : password;
    requireNonNull(caFile, "caFile is null");
    requireNonNull(requestTimeout, "requestTimeout is null");
    requireNonNull(overlap, "overlap is null");
  }

  /** The settings' values; cross-key problems are added to {@code config} (its caller ends with throwIfInvalid). */
  public static SearchConfig from(Configuration config) {
    String url = config.get(URL);
    String user = config.get(USER);
    String password = config.get(PASSWORD);
    Optional<Path> caFile = Optional.ofNullable(config.get(CA_FILE));
    config.check((user == null) == (password == null), "search.user and search.password go together: set both or neither");
    caFile.ifPresent(file -> {
      config.check(Files.isReadable(file), "search.tls.ca-file: no readable file " + file);
      config.check(url.startsWith("https://"), "search.tls.ca-file is set but search.url is not https:// (" + url + ")");
    });
    return new SearchConfig(URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url),
        config.get(INDEX_PREFIX_SETTING), user, password, caFile, config.get(BULK_ROWS), config.get(REQUEST_TIMEOUT),
        config.get(RETRIES), config.get(OVERLAP));
  }

  /** A server at {@code url} without authentication, with the defaults (tests, the demo). */
  public static SearchConfig of(String url, String indexPrefix) {
    return new SearchConfig(URI.create(url), indexPrefix, "", "", Optional.empty(), BULK_ROWS.defaultValue(),
        REQUEST_TIMEOUT.defaultValue(), RETRIES.defaultValue(), OVERLAP.defaultValue());
  }

  public SearchConfig withBulkRows(int rows) {
    return new SearchConfig(url, indexPrefix, user, password, caFile, rows, requestTimeout, retries, overlap);
  }

  public SearchConfig withRetries(int attempts, Duration timeout) {
    return new SearchConfig(url, indexPrefix, user, password, caFile, bulkRows, timeout, attempts, overlap);
  }

  /** The index of one rollup table: {@code <prefix><domain>-<table>}. */
  public String indexName(String domain, String table) {
    return indexPrefix + domain + "-" + table;
  }

  private static boolean isHttpUrl(String text) {
    try {
      URI uri = URI.create(text);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
          && uri.getQuery() == null && uri.getFragment() == null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "SearchConfig[url=" + url + ", indexPrefix=" + indexPrefix + ", user=" + user + ", password=******, caFile="
        + caFile + ", bulkRows=" + bulkRows + ", requestTimeout=" + requestTimeout + ", retries=" + retries + ", overlap="
        + overlap + "]";
  }
}
