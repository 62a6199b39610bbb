package io.trackpipe.embedded;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka and MariaDB together under one data folder ({@code kafka/}, {@code mariadb/}), started in parallel, and
 * optionally Cassandra ({@code cassandra/}) with them. {@link #shared()} gives tests one Kafka and MariaDB stack per
 * JVM; tests that need Cassandra add {@link EmbeddedCassandra#shared()}.
 */
public final class EmbeddedStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
  private static final Object SHARED_LOCK = new Object();
  private static volatile EmbeddedStack shared;

  private final Path dataDir;
  private final EmbeddedKafka kafka;
  private final EmbeddedMariaDb mariaDb;
  private final EmbeddedCassandra cassandra;

  private EmbeddedStack(Path dataDir, EmbeddedKafka kafka, EmbeddedMariaDb mariaDb, EmbeddedCassandra cassandra) {
    this.dataDir = dataDir;
    this.kafka = kafka;
    this.mariaDb = mariaDb;
    this.cassandra = cassandra;
  }

  /** Starts (or resumes) both servers under {@code dataDir}; a port of 0 picks a free one. */
  public static EmbeddedStack start(Path dataDir, int kafkaPort, int mariaDbPort) {
    return start(dataDir, EmbeddedKafka.Options.defaults().withPort(kafkaPort), mariaDbPort);
  }

  /** Starts (or resumes) both servers under {@code dataDir}, with the broker's options given. */
  public static EmbeddedStack start(Path dataDir, EmbeddedKafka.Options kafkaOptions, int mariaDbPort) {
    return start(dataDir, kafkaOptions, mariaDbPort, null);
  }

  /**
   * Starts (or resumes) Kafka, MariaDB and, when {@code cassandraOptions} is not null, Cassandra under
   * {@code dataDir}; Cassandra starts in parallel with the other two.
   */
  public static EmbeddedStack start(Path dataDir, EmbeddedKafka.Options kafkaOptions, int mariaDbPort,
      ChildJvmOptions cassandraOptions) {
    long t0 = System.nanoTime();
    Path dir = Processes.createDirectories(dataDir);
    CompletableFuture<EmbeddedCassandra> cassandraStart = cassandraOptions == null
        ? CompletableFuture.completedFuture(null)
        : CompletableFuture.supplyAsync(() -> EmbeddedCassandra.start(dir.resolve("cassandra"), cassandraOptions));
    EmbeddedStack stack;
    try {
      stack = startKafkaAndMariaDb(dir, kafkaOptions, mariaDbPort);
    } catch (RuntimeException e) {
      cassandraStart.thenAccept(c -> {
        if (c != null) c.close();
      });
      throw e;
    }
    EmbeddedCassandra cassandra;
    try {
      cassandra = cassandraStart.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stack.close();
      cassandraStart.thenAccept(c -> {
        if (c != null) c.close();
      });
      throw new EmbeddedServerException("Interrupted while starting Cassandra", e);
    } catch (ExecutionException | CompletionException e) {
      stack.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new EmbeddedServerException("Cassandra did not start", cause);
    }
    if (cassandra != null) {
      LOG.info("Embedded stack with Cassandra {} ready in {} ms", cassandra.contactPoint(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
    return new EmbeddedStack(dir, stack.kafka, stack.mariaDb, cassandra);
  }

  private static EmbeddedStack startKafkaAndMariaDb(Path dir, EmbeddedKafka.Options kafkaOptions, int mariaDbPort) {
    long t0 = System.nanoTime();
    // Overlaps the broker's JVM start-up with MariaDB's unpacking and install.
    CompletableFuture<EmbeddedKafka> kafkaStart =
        CompletableFuture.supplyAsync(() -> EmbeddedKafka.start(dir.resolve("kafka"), kafkaOptions));
    EmbeddedMariaDb mariaDb;
    try {
      mariaDb = EmbeddedMariaDb.start(dir.resolve("mariadb"), mariaDbPort);
    } catch (RuntimeException e) {
      kafkaStart.thenAccept(EmbeddedKafka::close);
      try {
        kafkaStart.get(90, TimeUnit.SECONDS);
      } catch (Exception other) {
        e.addSuppressed(other);
      }
      throw e;
    }
    EmbeddedKafka kafka;
    try {
      kafka = kafkaStart.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      mariaDb.close();
      kafkaStart.thenAccept(EmbeddedKafka::close);
      throw new EmbeddedServerException("Interrupted while starting Kafka", e);
    } catch (ExecutionException | CompletionException e) {
      mariaDb.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new EmbeddedServerException("Kafka did not start", cause);
    }
    LOG.info("Embedded stack ready in {} ms: Kafka {}, MariaDB port {}, data {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), kafka.bootstrapServers(), mariaDb.port(), dir);
    return new EmbeddedStack(dir, kafka, mariaDb, null);
  }

  /**
   * One stack per JVM for tests, started on first use in a fresh temporary folder on free ports, and stopped and
   * deleted when the JVM exits. Callers must not close it; they use their own databases and topics with unique
   * names.
   */
  public static EmbeddedStack shared() {
    EmbeddedStack current = shared;
    if (current != null) {
      return current;
    }
    synchronized (SHARED_LOCK) {
      if (shared == null) {
        // No retention: tests send records stamped long ago, which a time-based retention check would delete mid-test.
        shared = Processes.startInTemporaryFolder("stack", dir -> start(dir, EmbeddedKafka.Options.defaults()
            .withBrokerProperty("log.retention.ms", "-1"), 0));
      }
      return shared;
    }
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public EmbeddedMariaDb mariaDb() {
    return mariaDb;
  }

  /** The Cassandra server, when this stack was started with one. */
  public Optional<EmbeddedCassandra> cassandra() {
    return Optional.ofNullable(cassandra);
  }

  public Path dataDir() {
    return dataDir;
  }

  /**
   * The caller stops the stack itself, from its own shutdown hook, after the clients that still write to it: the
   * servers' own JVM hooks are removed, since the JVM runs hooks concurrently and they would stop the servers in the
   * middle of the caller's ordered stop. A server left running by a crash is stopped by the next start on its folder.
   */
  public void leaveShutdownToCaller() {
    kafka.dropShutdownHook();
    mariaDb.dropShutdownHook();
    if (cassandra != null) {
      cassandra.dropShutdownHook();
    }
  }

  /** Why a server of this stack is no longer running (exit code, log), when one stopped without being closed. */
  public Optional<String> unexpectedExit() {
    return Stream.of(kafka.unexpectedExit(), mariaDb.unexpectedExit(),
            cassandra == null ? Optional.<String>empty() : cassandra.unexpectedExit())
        .flatMap(Optional::stream)
        .findFirst();
  }

  /** Stops the servers (in parallel); idempotent. */
  @Override
  public void close() {
    CompletableFuture<Void> kafkaStop = CompletableFuture.runAsync(kafka::close);
    CompletableFuture<Void> cassandraStop =
        cassandra == null ? CompletableFuture.completedFuture(null) : CompletableFuture.runAsync(cassandra::close);
    try {
      mariaDb.close();
    } finally {
      kafkaStop.join();
      cassandraStop.join();
    }
  }

  @Override
  public String toString() {
    return "EmbeddedStack[" + kafka + ", " + mariaDb + (cassandra == null ? "" : ", " + cassandra) + "]";
  }
}
