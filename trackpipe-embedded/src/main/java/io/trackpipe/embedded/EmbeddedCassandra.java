package io.trackpipe.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Cassandra server running in a child JVM ({@code CassandraDaemon}), bound to 127.0.0.1, with its
 * data in a folder: a restart on the same folder resumes with its keyspaces and rows.
 *
 * <p>The server runs in its own JVM because its Guava, Netty, Jackson and logging clash with Spark's; its classpath
 * comes from the {@value #CLASSPATH_RESOURCE} resource written by the build (or the {@value #CLASSPATH_PROPERTY} system
 * property). The Java 17 module flags of Cassandra's {@code jvm17-server.options} (not inside the jar) are set here.
 *
 * <p>Layout of the data folder: {@code cassandra.yaml}, {@code logback.xml}, {@code ports.properties} (the storage
 * port, kept so a restarted node finds itself at the same address), {@code cassandra.pid}, {@code data/},
 * {@code commitlog/}, {@code hints/}, {@code saved_caches/}, {@code cdc_raw/}, {@code logs/} ({@code system.log},
 * {@code cassandra.out}).
 */
public final class EmbeddedCassandra implements AutoCloseable {

  /** Resource holding the server's runtime classpath (written by trackpipe-embedded-cassandra-runtime's build). */
  public static final String CLASSPATH_RESOURCE = "io/trackpipe/embedded/cassandra-server.classpath";
  /** System property that overrides the resource, for a packaged distribution that ships the server's jars. */
  public static final String CLASSPATH_PROPERTY = "trackpipe.cassandra.server.classpath";
  /** The data center of a node with SimpleSnitch: what a driver's local data center must be set to. */
  public static final String DATACENTER = "datacenter1";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCassandra.class);
  private static final String READY_LINE = "Starting listening for CQL clients";
  private static final int TAIL_LINES = 40;
  private static final Object SHARED_LOCK = new Object();
  private static volatile EmbeddedCassandra shared;

  /** The flags of Cassandra 5.0's conf/jvm17-server.options that a start from the jars needs on Java 17. */
  private static final List<String> JAVA17_FLAGS = List.of(
      "-Djdk.attach.allowAttachSelf=true",
      "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
      "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
      "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
      "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
      "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.base/java.io=ALL-UNNAMED",
      "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens", "java.base/java.util=ALL-UNNAMED",
      "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/java.math=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens", "java.base/java.net=ALL-UNNAMED");

  /** Free CQL port, 768m heap, 120 s start timeout, no extra JVM arguments: suits one machine. */
  public static ChildJvmOptions defaultOptions() {
    return ChildJvmOptions.of("768m");
  }

  private final Path dataDir;
  private final int port;
  private final int storagePort;
  private final Process process;
  private final Optional<ClassArchive> classArchive;
  private final Path pidFile;
  private final long startMillis;
  private Thread shutdownHook;
  private boolean closed;

  private EmbeddedCassandra(Path dataDir, int port, int storagePort, Process process,
      Optional<ClassArchive> classArchive, long startMillis) {
    this.dataDir = dataDir;
    this.classArchive = classArchive;
    this.port = port;
    this.storagePort = storagePort;
    this.process = process;
    this.pidFile = dataDir.resolve("cassandra.pid");
    this.startMillis = startMillis;
  }

  /** Starts (or resumes) a server on {@code dataDir}; {@code port} 0 picks a free CQL port. */
  public static EmbeddedCassandra start(Path dataDir, int port) {
    return start(dataDir, defaultOptions().withPort(port));
  }

  /** Starts (or resumes) a server on {@code dataDir} with the given options. */
  public static EmbeddedCassandra start(Path dataDir, ChildJvmOptions options) {
    long t0 = System.nanoTime();
    Path dir = Processes.createDirectories(dataDir);
    Path logsDir = Processes.createDirectories(dir.resolve("logs"));
    String marker = marker(dir);
    Processes.stopStale("Cassandra server", dir.resolve("cassandra.pid"), dir.toString(), marker);

    int port = options.port() == 0 ? Processes.freePort() : options.port();
    int storagePort = storagePort(dir, port);
    boolean resumed = Files.isDirectory(dir.resolve("data").resolve("system"));
    Path yaml = dir.resolve("cassandra.yaml");
    writeYaml(yaml, dir, port, storagePort);
    Path logback = dir.resolve("logback.xml");
    writeLogbackConfig(logback, logsDir);
    List<String> classpath = serverClasspath();

    Path systemLog = logsDir.resolve("system.log");
    long logOffset = Processes.fileSize(systemLog);
    List<String> command = new ArrayList<>(List.of(Processes.javaCommand(),
        "-Xmx" + options.maxHeap(), "-Xss512k",
        "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=300",
        "-XX:+ExitOnOutOfMemoryError", "-XX:+IgnoreUnrecognizedVMOptions", "-Djava.awt.headless=true", "-Djava.net.preferIPv4Stack=true"));
    command.addAll(JAVA17_FLAGS);
    command.addAll(Processes.FEWER_C2_COMPILATIONS);
    // Cassandra measures object sizes (memtables, caches) with jamm's agent, as its own launcher does.
    jamm(classpath).ifPresent(agent -> command.add("-javaagent:" + agent));
    Optional<ClassArchive> classArchive = classArchive(classpath);
    classArchive.ifPresent(archive -> command.addAll(archive.jvmArgs()));
    command.addAll(List.of(
        "-Dcassandra.config=" + yaml.toUri(),
        "-Dcassandra.storagedir=" + dir,
        "-Dcassandra.logdir=" + logsDir,
        "-Dlogback.configurationFile=" + logback,
        "-Dcassandra-foreground=yes",
        // One node: nothing to gossip with, no ring to wait for, no superuser to create later.
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        "-Dcassandra.ring_delay_ms=1000",
        "-Dcassandra.superuser_setup_delay_ms=0",
        // Nor peers to tell of a shutdown: the default waits 2 s of every stop for them.
        "-Dcassandra.shutdown_announce_in_ms=0",
        "-Dcassandra.initial_token=0",
        // Identifies this server's JVM in /proc, for the stale-process check.
        marker));
    command.addAll(options.jvmArgs());
    command.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, classpath),
        "org.apache.cassandra.service.CassandraDaemon"));
    Process process = Processes.launchInOwnSession("Cassandra server JVM", command, dir,
        logsDir.resolve("cassandra.out"));
    EmbeddedCassandra cassandra = new EmbeddedCassandra(dir, port, storagePort, process, classArchive,
        System.currentTimeMillis());
    Processes.writePidFile(cassandra.pidFile, process.pid());
    cassandra.shutdownHook = Processes.addShutdownHook("trackpipe-cassandra-stop", cassandra::close);
    try {
      cassandra.awaitReady(systemLog, logOffset, options.startTimeout());
    } catch (RuntimeException e) {
      cassandra.close();
      throw e;
    }
    LOG.info("Cassandra server ready at {} (pid {}, data {}, {} start) in {} ms", cassandra.contactPoint(), process.pid(),
        dir, resumed ? "resumed" : "first", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return cassandra;
  }

  static List<String> serverClasspath() {
    return Processes.recordedClasspath("Cassandra server", CLASSPATH_PROPERTY, CLASSPATH_RESOURCE,
        "trackpipe-embedded-cassandra-runtime");
  }

  /** The server JVM's class archive, for its jars. jamm only measures objects, so its agent may run while it is written. */
  static Optional<ClassArchive> classArchive(List<String> classpath) {
    return ClassArchive.of("cassandra", classpath, jamm(classpath).isPresent());
  }

  private static Optional<String> jamm(List<String> classpath) {
    return classpath.stream().filter(jar -> Path.of(jar).getFileName().toString().startsWith("jamm-")).findFirst();
  }

  /**
   * One server per JVM for tests, started on first use in a fresh temporary folder on a free port, and stopped and
   * deleted when the JVM exits. Callers must not close it; they use their own keyspaces with unique names.
   */
  public static EmbeddedCassandra shared() {
    EmbeddedCassandra current = shared;
    if (current != null) {
      return current;
    }
    synchronized (SHARED_LOCK) {
      if (shared == null) {
        shared = Processes.startInTemporaryFolder("cassandra", dir -> start(dir, defaultOptions()));
      }
      return shared;
    }
  }

  /** "127.0.0.1:PORT", a driver's contact point. */
  public String contactPoint() {
    return Processes.LOOPBACK + ":" + port;
  }

  /** The CQL (native transport) port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The inter-node port (unused by clients), kept per data folder. */
  public int storagePort() {
    return storagePort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The server JVM's process id. */
  public long pid() {
    return process.pid();
  }

  /** The caller stops the server itself, in its own order: see {@link EmbeddedStack#leaveShutdownToCaller()}. */
  void dropShutdownHook() {
    Processes.removeShutdownHook(shutdownHook);
  }

  /** Why the server is no longer running, when it stopped without being closed. */
  synchronized Optional<String> unexpectedExit() {
    return Processes.unexpectedExit("Cassandra server", process, closed, dataDir.resolve("logs").resolve("system.log"));
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** Peak resident memory of the server JVM so far (VmHWM), in bytes; -1 when unknown. */
  public long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("Cannot read the memory of pid {}", process.pid(), e);
    }
    return -1;
  }

  /** Stops the server gracefully (SIGTERM: Cassandra drains and flushes; up to 30 s, then SIGKILL). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean stopped = Processes.stopChild("Cassandra server", process, shutdownHook, pidFile, 30);
    classArchive.ifPresent(archive -> archive.afterExit(stopped));
  }


  @Override
  public String toString() {
    return "EmbeddedCassandra[" + contactPoint() + ", pid " + process.pid() + ", " + dataDir + "]";
  }

  private void awaitReady(Path systemLog, long logOffset, Duration timeout) {
    Processes.awaitLogLineAndPort(process, "Cassandra server", systemLog, logOffset, READY_LINE, port, timeout, 200,
        () -> diagnostics(systemLog, logOffset));
  }


  /** This start's ERROR lines and "Caused by" lines, and the tails of both logs. */
  private String diagnostics(Path systemLog, long logOffset) {
    String nl = System.lineSeparator();
    List<String> errors = Processes.readSince(systemLog, logOffset).lines()
        .filter(line -> line.startsWith("Caused by: ") || line.startsWith("ERROR "))
        .distinct()
        .limit(15)
        .toList();
    return nl + "--- errors logged by this start ---" + nl + String.join(nl, errors)
        + nl + "--- tail of logs/system.log ---" + nl + Processes.tail(systemLog, TAIL_LINES)
        + nl + "--- tail of logs/cassandra.out ---" + nl + Processes.tail(dataDir.resolve("logs").resolve("cassandra.out"),
        TAIL_LINES);
  }

  private static String marker(Path dir) {
    return "-Dtrackpipe.embedded.cassandra=" + dir;
  }

  /** The storage port of earlier starts on this folder if it is free, else a new free one (then remembered). */
  private static int storagePort(Path dir, int cqlPort) {
    Path file = dir.resolve("ports.properties");
    Properties ports = new Properties();
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        ports.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file, e);
      }
    }
    String kept = ports.getProperty("storage_port");
    if (kept != null) {
      int port = Integer.parseInt(kept.trim());
      if (port != cqlPort && !Processes.isPortOpen(port)) {
        return port;
      }
      LOG.warn("Storage port {} of the earlier start is in use; picking another", port);
    }
    int port = Processes.freePort(cqlPort);
    Processes.writeAtomically(file, "# Written by trackpipe: the node's inter-node port, kept between starts.\n"
        + "storage_port=" + port + "\n");
    return port;
  }

  private static void writeYaml(Path file, Path dir, int port, int storagePort) {
    String text = String.join("\n",
        "# Written by trackpipe at every start; edit EmbeddedCassandra instead.",
        "cluster_name: trackpipe",
        "num_tokens: 1",
        "initial_token: 0",
        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
        "endpoint_snitch: SimpleSnitch",
        "seed_provider:",
        "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
        "    parameters:",
        "      - seeds: \"" + Processes.LOOPBACK + ":" + storagePort + "\"",
        "listen_address: " + Processes.LOOPBACK,
        "rpc_address: " + Processes.LOOPBACK,
        "storage_port: " + storagePort,
        "native_transport_port: " + port,
        "start_native_transport: true",
        "data_file_directories:",
        "  - " + dir.resolve("data"),
        "commitlog_directory: " + dir.resolve("commitlog"),
        "hints_directory: " + dir.resolve("hints"),
        "saved_caches_directory: " + dir.resolve("saved_caches"),
        "cdc_raw_directory: " + dir.resolve("cdc_raw"),
        "commitlog_sync: periodic",
        "commitlog_sync_period: 10000ms",
        "authenticator: AllowAllAuthenticator",
        "authorizer: AllowAllAuthorizer",
        "role_manager: CassandraRoleManager",
        // One machine shared with Spark, Kafka and MariaDB: few background threads, small caches.
        "concurrent_compactors: 1",
        // The machine is shared with Spark, Kafka and MariaDB: give a busy node time before a write counts as failed.
        "write_request_timeout: 10000ms",
        "concurrent_reads: 8",
        "concurrent_writes: 16",
        "concurrent_counter_writes: 4",
        "file_cache_size: 64MiB",
        "key_cache_size: 16MiB",
        // Memtables off the heap: with them on a small heap, a burst of writes ended in OutOfMemoryError.
        "memtable_allocation_type: offheap_objects",
        "memtable_heap_space: 64MiB",
        "memtable_offheap_space: 192MiB",
        "# Spark's connector and the raw store batch rows by partition; allow moderately large batches quietly.",
        "batch_size_warn_threshold: 64KiB",
        "batch_size_fail_threshold: 1024KiB",
        "");
    Processes.writeAtomically(file, text);
  }

  /** Server logs go to logs/system.log at INFO (rolled at 20 MB, 5 kept); the console gets nothing. */
  private static void writeLogbackConfig(Path file, Path logsDir) {
    String systemLog = logsDir.resolve("system.log").toString();
    String text = String.join("\n",
        "<!-- Written by trackpipe at every start. -->",
        "<configuration scan=\"false\">",
        "  <appender name=\"FILE\" class=\"ch.qos.logback.core.rolling.RollingFileAppender\">",
        "    <file>" + systemLog + "</file>",
        "    <rollingPolicy class=\"ch.qos.logback.core.rolling.FixedWindowRollingPolicy\">",
        "      <fileNamePattern>" + systemLog + ".%i</fileNamePattern>",
        "      <minIndex>1</minIndex>",
        "      <maxIndex>5</maxIndex>",
        "    </rollingPolicy>",
        "    <triggeringPolicy class=\"ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy\">",
        "      <maxFileSize>20MB</maxFileSize>",
        "    </triggeringPolicy>",
        "    <encoder>",
        "      <pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern>",
        "    </encoder>",
        "  </appender>",
        "  <root level=\"INFO\">",
        "    <appender-ref ref=\"FILE\"/>",
        "  </root>",
        "</configuration>",
        "");
    Processes.writeAtomically(file, text);
  }
}
