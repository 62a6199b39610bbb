package io.trackpipe.rawstore;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where and how the raw store keeps events in Cassandra. Serializable: Spark ships it to the executors that write.
 *
 * @param contactPoints host:port list of Cassandra nodes to connect to first
 * @param replication the CQL replication map used only when trackpipe creates the keyspace
 * @param bucketsPerHour partitions per event hour; fixed once the table exists (recorded in {@code <table>_layout})
 * @param outageTimeout how long the streaming job retries a batch's raw-store write before it stops
 * @param tls how the driver encrypts its connections
 */
public record RawStoreConfig(
    boolean enabled,
    String contactPoints,
    String localDatacenter,
    String keyspace,
    String replication,
    int bucketsPerHour,
    String consistency,
    Duration requestTimeout,
    int maxInFlight,
    Duration outageTimeout,
    String user,
    String password,
    RawStoreTls tls) implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final String NAME = "[a-z][a-z0-9_]{0,47}";
  private static final Set<String> CONSISTENCY_LEVELS =
      Set.of("ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE");

  public static final Setting<Boolean> ENABLED = Setting.of("rawstore.enabled", ValueType.BOOLEAN, false,
      "Write every valid event the streaming job reads to the Cassandra raw store (the demo turns it on).");
  public static final Setting<String> CONTACT_POINTS = Setting.of("rawstore.contact-points", ValueType.STRING,
      "127.0.0.1:9042", "Cassandra nodes to connect to first (host:port,…). The demo sets its embedded server.");
  public static final Setting<String> LOCAL_DATACENTER = Setting.of("rawstore.local-datacenter", ValueType.STRING,
      "datacenter1", "Cassandra data center of the contact points; requests go to its nodes.");
  public static final Setting<String> KEYSPACE = Setting.of("rawstore.keyspace", ValueType.STRING, "trackpipe",
      "Keyspace of the raw store; created with rawstore.replication when missing.")
      .checked(s -> s.matches(NAME), "lower-case letters, digits and _, starting with a letter, at most 48");
  public static final Setting<String> REPLICATION = Setting.of("rawstore.replication", ValueType.STRING,
      "{'class': 'SimpleStrategy', 'replication_factor': 1}",
      "CQL replication of the keyspace when trackpipe creates it, e.g. {'class': 'NetworkTopologyStrategy', 'dc1': 3}.")
      .checked(s -> s.trim().startsWith("{") && s.trim().endsWith("}") && !s.contains(";"), "a CQL map literal");
  public static final Setting<Integer> BUCKETS_PER_HOUR = Setting.of("rawstore.buckets-per-hour", ValueType.INT, 16,
      "Partitions per event hour (spread writes and bound partition size); fixed once the table exists.")
      .checked(v -> v >= 1 && v <= 4096, "1..4096");
  public static final Setting<String> CONSISTENCY = Setting.of("rawstore.consistency", ValueType.STRING, "LOCAL_QUORUM",
      "Consistency level of raw-store writes and reads.")
      .checked(s -> CONSISTENCY_LEVELS.contains(s.toUpperCase(Locale.ROOT)), "one of " + CONSISTENCY_LEVELS);
  public static final Setting<Duration> REQUEST_TIMEOUT = Setting.of("rawstore.request-timeout", ValueType.DURATION_TYPE,
      Duration.ofSeconds(10), "Longest wait for one Cassandra request.").checked(Setting.positiveDuration(), "> 0");
  public static final Setting<Integer> MAX_IN_FLIGHT = Setting.of("rawstore.max-in-flight", ValueType.INT, 16,
      "Write requests (each up to 64 rows of one partition) in flight at once per writer (per Spark task, per generator).")
      .checked(Setting.positive(), "> 0");
  public static final Setting<Duration> OUTAGE_TIMEOUT = Setting.of("rawstore.outage-timeout", ValueType.DURATION_TYPE,
      Duration.ofMinutes(5), "How long the streaming job retries a batch's raw-store write (with back-off) while "
          + "Cassandra is unavailable, before it stops with an error; the next start resumes from the checkpoint.")
      .checked(d -> !d.isNegative(), ">= 0");
  public static final Setting<String> USER = Setting.of("rawstore.user", ValueType.STRING, null,
      "Cassandra user, if the cluster requires authentication.");
  public static final Setting<String> PASSWORD = Setting.of("rawstore.password", ValueType.STRING, null,
      "Cassandra password (use TRACKPIPE_RAWSTORE_PASSWORD).").asSecret();

  public static final List<Setting<?>> SETTINGS = List.of(ENABLED, CONTACT_POINTS, LOCAL_DATACENTER, KEYSPACE,
      REPLICATION, BUCKETS_PER_HOUR, CONSISTENCY, REQUEST_TIMEOUT, MAX_IN_FLIGHT, OUTAGE_TIMEOUT, USER, PASSWORD,
      RawStoreTls.ENABLED, RawStoreTls.TRUST_STORE, RawStoreTls.TRUST_STORE_PASSWORD, RawStoreTls.HOSTNAME_VALIDATION);

  public RawStoreConfig {
    requireNonNull(contactPoints, "contactPoints is null");
    requireNonNull(localDatacenter, "localDatacenter is null");
    requireNonNull(keyspace, "keyspace is null");
    requireNonNull(replication, "replication is null");
    requireNonNull(consistency, "consistency is null");
    requireNonNull(requestTimeout, "requestTimeout is null");
    requireNonNull(outageTimeout, "outageTimeout is null");
    requireNonNull(tls, "tls is null");
    consistency = consistency.toUpperCase(Locale.ROOT);
  }

  public static RawStoreConfig from(Configuration config) {
    RawStoreConfig raw = new RawStoreConfig(config.get(ENABLED), config.get(CONTACT_POINTS), config.get(LOCAL_DATACENTER),
        config.get(KEYSPACE), config.get(REPLICATION), config.get(BUCKETS_PER_HOUR),
        config.get(CONSISTENCY), config.get(REQUEST_TIMEOUT), config.get(MAX_IN_FLIGHT), config.get(OUTAGE_TIMEOUT),
        config.get(USER), config.get(PASSWORD), RawStoreTls.from(config));
    try {
      raw.contactAddresses();
    } catch (IllegalArgumentException e) {
      config.check(false, "rawstore.contact-points: " + e.getMessage());
    }
    config.check(raw.user() == null || raw.password() != null, "rawstore.user is set but rawstore.password is not");
    return raw;
  }

  /** A configuration for {@code contactPoints} with every other setting at its default, enabled, without TLS. */
  public static RawStoreConfig defaults(String contactPoints, String keyspace) {
    return new RawStoreConfig(true, contactPoints, LOCAL_DATACENTER.defaultValue(), keyspace,
        REPLICATION.defaultValue(), BUCKETS_PER_HOUR.defaultValue(), CONSISTENCY.defaultValue(),
        REQUEST_TIMEOUT.defaultValue(), MAX_IN_FLIGHT.defaultValue(), OUTAGE_TIMEOUT.defaultValue(), null, null,
        RawStoreTls.DISABLED);
  }

  public RawStoreConfig withOutageTimeout(Duration timeout) {
    return new RawStoreConfig(enabled, contactPoints, localDatacenter, keyspace, replication, bucketsPerHour,
        consistency, requestTimeout, maxInFlight, timeout, user, password, tls);
  }

  public RawStoreConfig withTls(RawStoreTls encryption) {
    return new RawStoreConfig(enabled, contactPoints, localDatacenter, keyspace, replication, bucketsPerHour,
        consistency, requestTimeout, maxInFlight, outageTimeout, user, password, encryption);
  }

  public RawStoreConfig withBucketsPerHour(int buckets) {
    return new RawStoreConfig(enabled, contactPoints, localDatacenter, keyspace, replication, buckets,
        consistency, requestTimeout, maxInFlight, outageTimeout, user, password, tls);
  }

  /** The contact points as addresses; host:port, port 9042 when left out. */
  public List<InetSocketAddress> contactAddresses() {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String part : contactPoints.split(",")) {
      String hostPort = part.trim();
      if (hostPort.isEmpty()) continue;
      int colon = hostPort.lastIndexOf(':');
      String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      int port;
      try {
        port = colon < 0 ? 9042 : Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
      }
      if (host.isEmpty() || port < 1 || port > 65535) throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
      addresses.add(InetSocketAddress.createUnresolved(host, port));
    }
    if (addresses.isEmpty()) throw new IllegalArgumentException("no contact point given");
    return addresses;
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "RawStoreConfig[" + contactPoints + " dc " + localDatacenter + ", keyspace " + keyspace + ", "
        + bucketsPerHour + " buckets/hour, " + consistency + (user == null ? "" : ", user " + user) + ", " + tls + "]";
  }
}
