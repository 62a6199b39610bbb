package io.trackpipe.rawstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Cassandra session per configuration per JVM, opened on first use and closed by {@link #closeAll()}: a session is
 * expensive (connections, metadata) and thread-safe, and Spark tasks on an executor share it. A failed connect is not
 * remembered, so the next call tries again.
 */
public final class RawStoreSessions {
  private static final Logger log = LoggerFactory.getLogger(RawStoreSessions.class);
  private static final Map<RawStoreConfig, CqlSession> SESSIONS = new ConcurrentHashMap<>();

  /** Set once the program closes the sessions in its own ordered stop ({@link #closeAtExitWith}). */
  private static volatile boolean closeHandedOver;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!closeHandedOver) closeAll();
    }, "trackpipe-rawstore-sessions-close"));
  }

  private RawStoreSessions() {}

  /**
   * The shared session for {@code config}.
   *
   * @throws RawStoreUnavailableException when no contact point answers
   */
  public static CqlSession get(RawStoreConfig config) {
    CqlSession session = SESSIONS.get(config);
    if (session != null && !session.isClosed()) return session;
    synchronized (SESSIONS) {
      session = SESSIONS.get(config);
      if (session == null || session.isClosed()) {
        session = open(config);
        SESSIONS.put(config, session);
      }
      return session;
    }
  }

  /** A new session the caller owns and closes (the generator, schema set-up). */
  public static CqlSession open(RawStoreConfig config) {
    CqlSessionBuilder builder = CqlSession.builder()
        .withConfigLoader(configLoader(config))
        .addContactPoints(config.contactAddresses())
        .withLocalDatacenter(config.localDatacenter());
    if (config.user() != null) builder = builder.withAuthCredentials(config.user(), config.password());
    try {
      CqlSession session = builder.build();
      log.info("Connected to Cassandra at {} (data center {}, {})", config.contactPoints(), config.localDatacenter(),
          config.tls());
      return session;
    } catch (DriverException | IllegalStateException e) {
      throw new RawStoreUnavailableException("Cannot connect to Cassandra at " + config.contactPoints() + " (data center "
          + config.localDatacenter() + ", " + config.tls() + "): " + e.getMessage(), e);
    }
  }

  /** The driver's configuration: time-outs, consistency, reconnection and, when enabled, TLS. */
  static DriverConfigLoader configLoader(RawStoreConfig config) {
    Duration timeout = config.requestTimeout();
    ProgrammaticDriverConfigLoaderBuilder loader = DriverConfigLoader.programmaticBuilder()
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, config.consistency())
        // Schema changes (start-up only) may take longer than a write on a busy machine.
        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, timeout.multipliedBy(3))
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, timeout.multipliedBy(3))
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout)
        // Reconnect quickly after an outage (the default backs off to 60 s between attempts).
        .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(200))
        .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(2))
        .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
        // A closing session waits this long for its event loops to go quiet (default 2 s, added to every stop).
        .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
        .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
        .withString(DefaultDriverOption.SESSION_NAME, "trackpipe-rawstore");
    RawStoreTls tls = config.tls();
    if (tls.enabled()) {
      loader = loader.withString(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS, "DefaultSslEngineFactory")
          .withBoolean(DefaultDriverOption.SSL_HOSTNAME_VALIDATION, tls.hostnameValidation());
      if (tls.trustStore() != null) loader = loader.withString(DefaultDriverOption.SSL_TRUSTSTORE_PATH, tls.trustStore());
      if (tls.trustStorePassword() != null) {
        loader = loader.withString(DefaultDriverOption.SSL_TRUSTSTORE_PASSWORD, tls.trustStorePassword());
      }
    }
    return loader.build();
  }

  /**
   * Hands the close at exit to the program's own ordered stop: {@code register} gets {@link #closeAll} to run when the
   * tasks that write have stopped. This class's own shutdown hook then does nothing; it runs as soon as the JVM is told
   * to stop, and Spark tasks still writing a batch then failed with "No node was available".
   */
  public static void closeAtExitWith(java.util.function.Consumer<Runnable> register) {
    register.accept(RawStoreSessions::closeAll);
    closeHandedOver = true;
  }

  /**
   * Closes every session of this JVM (a later {@link #get} opens a new one). A session's threads
   * ({@code trackpipe-rawstore-io-N}, {@code -admin-N}, {@code -timer-0}) are not daemons, so a program whose main
   * returns must call this first, or its JVM does not exit (a cluster-mode driver would stay RUNNING). A shutdown hook
   * calls it too, for a JVM ended by a signal or {@code System.exit} (the program's, after {@link #closeAtExitWith}).
   */
  public static void closeAll() {
    SESSIONS.values().forEach(session -> {
      try {
        session.close();
      } catch (RuntimeException e) {
        log.debug("Closing a Cassandra session", e);
      }
    });
    SESSIONS.clear();
  }
}
