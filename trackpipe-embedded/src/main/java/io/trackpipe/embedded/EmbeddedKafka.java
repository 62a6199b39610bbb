package io.trackpipe.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker (broker and controller in one process) running in a child JVM, bound to
 * 127.0.0.1, with its data in a folder: a restart on the same folder resumes with its topics and records.
 *
 * <p>The broker runs in its own JVM because Kafka 4 and Spark 3.5 clash on kafka-clients, Scala and Jackson; its
 * classpath comes from the {@value #CLASSPATH_RESOURCE} resource written by the build (or the
 * {@value #CLASSPATH_PROPERTY} system property).
 *
 * <p>Layout of the data folder: {@code server.properties}, {@code log4j2.properties}, {@code cluster.id},
 * {@code kafka.pid}, {@code data/} (the log dir), {@code logs/} ({@code server.log}, {@code kafka.out}).
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** Resource holding the broker's runtime classpath (written by trackpipe-embedded-kafka-runtime's build). */
  public static final String CLASSPATH_RESOURCE = "io/trackpipe/embedded/kafka-broker.classpath";
  /** System property that overrides the resource, for a packaged distribution that ships the broker's jars. */
  public static final String CLASSPATH_PROPERTY = "trackpipe.kafka.broker.classpath";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String READY_LINE = "Kafka Server started";
  private static final int TAIL_LINES = 40;

  /**
   * Tunables of the broker; {@link #defaults()} suits one machine.
   *
   * @param saslPlainUsers user → password; when not empty, the broker also listens with SASL_PLAINTEXT (mechanism
   *     PLAIN) for these users, on {@link #saslBootstrapServers()}
   */
  public record Options(int port, String maxHeap, Duration startTimeout, Map<String, String> brokerProperties,
      List<String> jvmArgs, Map<String, String> saslPlainUsers) {

    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      Objects.requireNonNull(maxHeap, "maxHeap");
      Objects.requireNonNull(startTimeout, "startTimeout");
      brokerProperties = Map.copyOf(brokerProperties);
      jvmArgs = List.copyOf(jvmArgs);
      saslPlainUsers = Map.copyOf(saslPlainUsers);
    }

    /** Free port, 512 MB heap, 60 s start timeout, no extra broker properties or JVM arguments. */
    public static Options defaults() {
      return new Options(0, "512m", Duration.ofSeconds(60), Map.of(), List.of(), Map.of());
    }

    /** Broker port; 0 picks a free one. */
    public Options withPort(int newPort) {
      return new Options(newPort, maxHeap, startTimeout, brokerProperties, jvmArgs, saslPlainUsers);
    }

    /** Child JVM's -Xmx value, e.g. "512m". */
    public Options withMaxHeap(String newMaxHeap) {
      return new Options(port, newMaxHeap, startTimeout, brokerProperties, jvmArgs, saslPlainUsers);
    }

    public Options withStartTimeout(Duration newTimeout) {
      return new Options(port, maxHeap, newTimeout, brokerProperties, jvmArgs, saslPlainUsers);
    }

    /** Adds or overrides one server.properties key. */
    public Options withBrokerProperty(String key, String value) {
      Map<String, String> merged = new LinkedHashMap<>(brokerProperties);
      merged.put(key, value);
      return new Options(port, maxHeap, startTimeout, merged, jvmArgs, saslPlainUsers);
    }

    /** A second listener with SASL_PLAINTEXT and mechanism PLAIN, for these users (user → password). */
    public Options withSaslPlainUsers(Map<String, String> users) {
      return new Options(port, maxHeap, startTimeout, brokerProperties, jvmArgs, users);
    }

    /** Extra arguments for the broker's JVM; they come last, so they win over the defaults (C1 only, G1). */
    public Options withJvmArgs(String... args) {
      List<String> merged = new ArrayList<>(jvmArgs);
      merged.addAll(List.of(args));
      return new Options(port, maxHeap, startTimeout, brokerProperties, merged, saslPlainUsers);
    }
  }

  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  /** 0 without a SASL listener. */
  private final int saslPort;
  private final String clusterId;
  private final Process process;
  private final Optional<ClassArchive> classArchive;
  private final Path pidFile;
  private Thread shutdownHook;
  private boolean closed;

  private EmbeddedKafka(Path dataDir, int port, int controllerPort, int saslPort, String clusterId, Process process,
      Optional<ClassArchive> classArchive) {
    this.dataDir = dataDir;
    this.classArchive = classArchive;
    this.port = port;
    this.controllerPort = controllerPort;
    this.saslPort = saslPort;
    this.clusterId = clusterId;
    this.process = process;
    this.pidFile = dataDir.resolve("kafka.pid");
  }

  /** Starts (or resumes) a broker on {@code dataDir}; {@code port} 0 picks a free port. */
  public static EmbeddedKafka start(Path dataDir, int port) {
    return start(dataDir, Options.defaults().withPort(port));
  }

  /** Starts (or resumes) a broker on {@code dataDir} with the given options. */
  public static EmbeddedKafka start(Path dataDir, Options options) {
    long t0 = System.nanoTime();
    Path dir = Processes.createDirectories(dataDir);
    Path logDir = Processes.createDirectories(dir.resolve("data"));
    Path logsDir = Processes.createDirectories(dir.resolve("logs"));
    String marker = marker(dir);
    Processes.stopStale("Kafka broker", dir.resolve("kafka.pid"), dir.toString(), marker);

    int port = options.port() == 0 ? Processes.freePort() : options.port();
    int controllerPort = Processes.freePort(port);
    int saslPort = options.saslPlainUsers().isEmpty() ? 0 : Processes.freePort(port, controllerPort);
    String clusterId = clusterId(dir, logDir);
    Path serverProperties = dir.resolve("server.properties");
    writeServerProperties(serverProperties, logDir, port, controllerPort, saslPort, options.saslPlainUsers(),
        options.brokerProperties());
    Path log4jConfig = dir.resolve("log4j2.properties");
    writeLog4jConfig(log4jConfig, logsDir);
    List<String> classpath = brokerClasspath();
    String javaCmd = Processes.javaCommand();

    boolean formatted = Files.isRegularFile(logDir.resolve("meta.properties"));
    if (!formatted) {
      format(javaCmd, classpath, log4jConfig, serverProperties, clusterId, logsDir, options.startTimeout());
    }

    Path serverLog = logsDir.resolve("server.log");
    long logOffset = Processes.fileSize(serverLog);
    List<String> command = new ArrayList<>(List.of(javaCmd,
        "-Xmx" + options.maxHeap(),
        "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:+ExplicitGCInvokesConcurrent", Processes.C1_ONLY,
        "-Djava.awt.headless=true",
        // Kafka stops log4j itself; log4j's own hook only warns when first used during shutdown.
        "-Dlog4j2.shutdownHookEnabled=false",
        "-Dlog4j2.configurationFile=" + log4jConfig,
        // Identifies this broker's JVM in /proc, for the stale-process check.
        marker));
    Optional<ClassArchive> classArchive = brokerClassArchive(classpath);
    classArchive.ifPresent(archive -> command.addAll(archive.jvmArgs()));
    command.addAll(options.jvmArgs());
    command.addAll(List.of(
        "-cp", String.join(java.io.File.pathSeparator, classpath),
        "kafka.Kafka", serverProperties.toString()));
    Process process = Processes.launchInOwnSession("Kafka broker JVM", command, dir, logsDir.resolve("kafka.out"));
    EmbeddedKafka kafka = new EmbeddedKafka(dir, port, controllerPort, saslPort, clusterId, process, classArchive);
    Processes.writePidFile(kafka.pidFile, process.pid());
    kafka.shutdownHook = Processes.addShutdownHook("trackpipe-kafka-stop", kafka::close);
    try {
      kafka.awaitReady(serverLog, logOffset, options.startTimeout());
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    LOG.info("Kafka broker {} ready at {} (pid {}, data {}, {} start) in {} ms", clusterId, kafka.bootstrapServers(),
        process.pid(), dir, formatted ? "resumed" : "first", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return kafka;
  }

  /** "127.0.0.1:PORT", for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return Processes.LOOPBACK + ":" + port;
  }

  public int port() {
    return port;
  }

  /** "127.0.0.1:PORT" of the SASL_PLAINTEXT listener (mechanism PLAIN), when started with SASL users. */
  public String saslBootstrapServers() {
    if (saslPort == 0) throw new IllegalStateException("this broker was started without SASL users");
    return Processes.LOOPBACK + ":" + saslPort;
  }

  /** The KRaft controller's port (also on 127.0.0.1). */
  public int controllerPort() {
    return controllerPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The cluster id, generated at the first start and kept in the data folder. */
  public String clusterId() {
    return clusterId;
  }

  /** The broker JVM's process id. */
  public long pid() {
    return process.pid();
  }

  /** The caller stops the broker itself, in its own order: see {@link EmbeddedStack#leaveShutdownToCaller()}. */
  void dropShutdownHook() {
    Processes.removeShutdownHook(shutdownHook);
  }

  /** Why the broker is no longer running, when it stopped without being closed. */
  synchronized Optional<String> unexpectedExit() {
    return Processes.unexpectedExit("Kafka broker", process, closed, dataDir.resolve("logs").resolve("server.log"));
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** Stops the broker gracefully (SIGTERM, up to 20 s, then SIGKILL). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean stopped = Processes.stopChild("Kafka broker", process, shutdownHook, pidFile, 20);
    classArchive.ifPresent(archive -> archive.afterExit(stopped));
  }


  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers() + ", pid " + process.pid() + ", " + dataDir + "]";
  }

  private void awaitReady(Path serverLog, long logOffset, Duration timeout) {
    Processes.awaitLogLineAndPort(process, "Kafka broker", serverLog, logOffset, READY_LINE, port, timeout, 100,
        () -> diagnostics(serverLog, logOffset));
  }


  /** This start's ERROR and "Caused by" lines (the cause, without stack traces), and the tails of both logs. */
  private String diagnostics(Path serverLog, long logOffset) {
    Path logs = dataDir.resolve("logs");
    String nl = System.lineSeparator();
    List<String> errors = Processes.readSince(serverLog, logOffset).lines()
        .filter(line -> line.startsWith("Caused by: ")
            || line.startsWith("[") && (line.contains("] ERROR ") || line.contains("] FATAL ")))
        .distinct()
        .limit(15)
        .toList();
    return nl + "--- errors logged by this start ---" + nl + String.join(nl, errors)
        + nl + "--- tail of logs/server.log ---" + nl + Processes.tail(serverLog, TAIL_LINES)
        + nl + "--- tail of logs/kafka.out ---" + nl + Processes.tail(logs.resolve("kafka.out"), TAIL_LINES);
  }

  private static String marker(Path dir) {
    return "-Dtrackpipe.embedded.kafka=" + dir;
  }

  /**
   * The cluster id kept in {@code cluster.id}; if that file is missing but the storage is formatted, the id is taken
   * from the storage so the two never disagree.
   */
  private static String clusterId(Path dir, Path logDir) {
    Path idFile = dir.resolve("cluster.id");
    try {
      if (Files.isRegularFile(idFile)) {
        String id = Files.readString(idFile, StandardCharsets.US_ASCII).trim();
        if (!id.isEmpty()) {
          return id;
        }
      }
      String id = null;
      Path meta = logDir.resolve("meta.properties");
      if (Files.isRegularFile(meta)) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
          props.load(in);
        }
        id = props.getProperty("cluster.id");
      }
      if (id == null) {
        id = newClusterId();
      }
      Processes.writeAtomically(idFile, id + "\n");
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or write " + idFile, e);
    }
  }

  /** 22-char base64url of a random UUID, like Kafka's Uuid; never starting with '-', which the CLI would misparse. */
  static String newClusterId() {
    while (true) {
      UUID uuid = UUID.randomUUID();
      ByteBuffer bytes = ByteBuffer.allocate(16);
      bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
      String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }

  private static void writeServerProperties(Path file, Path logDir, int port, int controllerPort, int saslPort,
      Map<String, String> saslPlainUsers, Map<String, String> overrides) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + Processes.LOOPBACK + ":" + controllerPort);
    p.put("listeners", "PLAINTEXT://" + Processes.LOOPBACK + ":" + port + ",CONTROLLER://" + Processes.LOOPBACK + ":"
        + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + Processes.LOOPBACK + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    if (saslPort != 0) {
      // Clients only: the controller and the broker itself keep talking over PLAINTEXT.
      String sasl = "SASL_PLAINTEXT://" + Processes.LOOPBACK + ":" + saslPort;
      p.put("listeners", p.get("listeners") + "," + sasl);
      p.put("advertised.listeners", p.get("advertised.listeners") + "," + sasl);
      p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
      p.put("sasl.enabled.mechanisms", "PLAIN");
      StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
      saslPlainUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password)
          .append('"'));
      p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
    }
    p.put("log.dirs", logDir.toString());
    p.put("num.partitions", "4");
    p.put("auto.create.topics.enable", "false");
    // One broker: internal topics cannot have more than one replica.
    p.put("offsets.topic.replication.factor", "1");
    // 50 partitions (the default) make the first consumer group's start slow for no gain on one machine.
    p.put("offsets.topic.num.partitions", "8");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "8");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.retention.hours", "168");
    p.putAll(overrides);
    String text = p.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n", "# Written by trackpipe at every start; edit EmbeddedKafka instead.\n", "\n"));
    Processes.writeAtomically(file, text);
  }

  /** Broker logs go to logs/server.log at WARN, plus the INFO line that signals readiness. */
  private static void writeLog4jConfig(Path file, Path logsDir) {
    String serverLog = logsDir.resolve("server.log").toString();
    String text = String.join("\n",
        "# Written by trackpipe at every start.",
        "status = warn",
        "appender.file.type = RollingFile",
        "appender.file.name = file",
        "appender.file.fileName = " + serverLog,
        "appender.file.filePattern = " + serverLog + ".%i",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = [%d] %p %m (%c)%n",
        "appender.file.policies.type = Policies",
        "appender.file.policies.size.type = SizeBasedTriggeringPolicy",
        "appender.file.policies.size.size = 20MB",
        "appender.file.strategy.type = DefaultRolloverStrategy",
        "appender.file.strategy.max = 5",
        "rootLogger.level = warn",
        "rootLogger.appenderRef.file.ref = file",
        "logger.started.name = kafka.server.KafkaRaftServer",
        "logger.started.level = info",
        "");
    Processes.writeAtomically(file, text);
  }

  private static void format(String javaCmd, List<String> classpath, Path log4jConfig, Path serverProperties,
      String clusterId, Path logsDir, Duration timeout) {
    long t0 = System.nanoTime();
    Path out = logsDir.resolve("format.out");
    // Short-lived: C1 only saves about half its CPU time.
    List<String> command = new ArrayList<>(List.of(javaCmd, "-Xmx256m", Processes.C1_ONLY));
    // An archive of its own: it loads a few of the broker's classes, and the broker's archive must hold them all.
    Optional<ClassArchive> classArchive = ClassArchive.of("kafka-storage-format", classpath, false);
    classArchive.ifPresent(archive -> command.addAll(archive.jvmArgs()));
    command.addAll(List.of("-Dlog4j2.configurationFile=" + log4jConfig,
        "-cp", String.join(java.io.File.pathSeparator, classpath),
        "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", serverProperties.toString(), "--ignore-formatted"));
    try {
      Process p = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .start();
      boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) p.destroyForcibly().waitFor();
      classArchive.ifPresent(archive -> archive.afterExit(finished && p.exitValue() == 0));
      if (!finished) {
        throw new EmbeddedServerException("Kafka storage format did not finish within " + timeout.toSeconds()
            + " s:" + System.lineSeparator() + Processes.tail(out, TAIL_LINES));
      }
      if (p.exitValue() != 0) {
        throw new EmbeddedServerException("Kafka storage format failed with exit code " + p.exitValue() + ":"
            + System.lineSeparator() + Processes.tail(out, TAIL_LINES));
      }
    } catch (IOException e) {
      throw new EmbeddedServerException("Cannot run the Kafka storage format tool", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("Interrupted while formatting Kafka storage", e);
    }
    LOG.info("Formatted Kafka storage (cluster id {}) in {} ms", clusterId,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  /** The broker JVM's class archive, for its jars ({@link #brokerClasspath}). */
  static Optional<ClassArchive> brokerClassArchive(List<String> classpath) {
    return ClassArchive.of("kafka-broker", classpath, false);
  }

  /** The broker's jars: from the system property if set, else from the build-written resource. */
  static List<String> brokerClasspath() {
    return Processes.recordedClasspath("Kafka broker", CLASSPATH_PROPERTY, CLASSPATH_RESOURCE,
        "trackpipe-embedded-kafka-runtime");
  }
}
