package io.trackpipe.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node OpenSearch 2.x server running in a child JVM, bound to 127.0.0.1, with its data in a folder: a restart
 * on the same folder resumes with its indices. For the search index's tests and the demo.
 *
 * <p>The server runs in its own JVM because its Jackson, Log4j, Netty and Lucene clash with Spark's. Its classpath is
 * the {@value #CLASSPATH_RESOURCE} resource written by trackpipe-embedded-opensearch-runtime's build (or the
 * {@value #CLASSPATH_PROPERTY} system property, which must then name the launcher's jar too) plus the jar or folder
 * that holds that resource, where the launcher {@value #MAIN_CLASS} is.
 *
 * <p>Layout of the data folder: {@code opensearch.pid}, {@code node_1/} (the node's {@code config/}, {@code data/} and
 * {@code logs/}), {@code logs/opensearch.out} (the JVM's output, where a failed start prints its cause).
 */
public final class EmbeddedOpenSearch implements AutoCloseable {

  /** Resource holding the server's runtime classpath (written by trackpipe-embedded-opensearch-runtime's build). */
  public static final String CLASSPATH_RESOURCE = "io/trackpipe/embedded/opensearch-server.classpath";
  /** System property that overrides the resource, for a packaged distribution that ships the server's jars. */
  public static final String CLASSPATH_PROPERTY = "trackpipe.opensearch.server.classpath";

  private static final String MAIN_CLASS = "io.trackpipe.embedded.opensearch.OpenSearchServerMain";
  /** Printed by {@value #MAIN_CLASS} once the node is up (kept equal to its READY_LINE). */
  private static final String READY_LINE = "trackpipe: OpenSearch node ready";
  private static final int TAIL_LINES = 40;
  private static final Object SHARED_LOCK = new Object();
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedOpenSearch.class);
  private static volatile EmbeddedOpenSearch shared;

  /** Free HTTP port, 512m heap, 120 s start timeout, no extra JVM arguments: suits one machine. */
  public static ChildJvmOptions defaultOptions() {
    return ChildJvmOptions.of("512m");
  }

  private final Path dataDir;
  private final int port;
  private final Process process;
  private final Path pidFile;
  private Thread shutdownHook;
  private boolean closed;

  private EmbeddedOpenSearch(Path dataDir, int port, Process process) {
    this.dataDir = dataDir;
    this.port = port;
    this.process = process;
    this.pidFile = dataDir.resolve("opensearch.pid");
  }

  /** Starts (or resumes) a server on {@code dataDir}; {@code port} 0 picks a free HTTP port. */
  public static EmbeddedOpenSearch start(Path dataDir, int port) {
    return start(dataDir, defaultOptions().withPort(port));
  }

  /** Starts (or resumes) a server on {@code dataDir} with the given options. */
  public static EmbeddedOpenSearch start(Path dataDir, ChildJvmOptions options) {
    long t0 = System.nanoTime();
    Path dir = Processes.createDirectories(dataDir);
    Path logsDir = Processes.createDirectories(dir.resolve("logs"));
    String marker = "-Dtrackpipe.embedded.opensearch=" + dir;
    Processes.stopStale("OpenSearch server", dir.resolve("opensearch.pid"), dir.toString(), marker);

    int port = options.port() == 0 ? Processes.freePort() : options.port();
    if (Processes.isPortOpen(port)) {
      throw new EmbeddedServerException("Cannot start OpenSearch on 127.0.0.1:" + port + ": the port is in use (pick "
          + "another, or 0 for a free one)");
    }
    int transportPort = Processes.freePort(port);
    boolean resumed = Files.isDirectory(dir.resolve("node_1").resolve("data").resolve("nodes"));
    List<String> classpath = Processes.launcherClasspath("OpenSearch server", CLASSPATH_PROPERTY, CLASSPATH_RESOURCE,
        "trackpipe-embedded-opensearch-runtime");
    Path out = logsDir.resolve("opensearch.out");
    long outOffset = Processes.fileSize(out);
    List<String> command = new ArrayList<>(List.of(Processes.javaCommand(),
        "-Xms" + options.maxHeap(), "-Xmx" + options.maxHeap(), "-Xss1m",
        "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true", "-Djava.net.preferIPv4Stack=true",
        "-Dfile.encoding=UTF-8", "-Dlog4j2.formatMsgNoLookups=true",
        // As OpenSearch's own jvm.options: no thread-locals caching in Netty, no JNA temp files outside the folder.
        "-Dio.netty.noUnsafe=true", "-Dio.netty.noKeySetOptimization=true", "-Dio.netty.recycler.maxCapacityPerThread=0",
        "-Djna.tmpdir=" + Processes.createDirectories(dir.resolve("tmp")),
        "-Djava.io.tmpdir=" + dir.resolve("tmp"),
        // Identifies this server's JVM in /proc, for the stale-process check.
        marker));
    command.addAll(options.jvmArgs());
    command.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, classpath), MAIN_CLASS,
        dir.toString(), Integer.toString(port), Integer.toString(transportPort)));
    Process process = Processes.launchInOwnSession("OpenSearch server JVM", command, dir, out);
    EmbeddedOpenSearch server = new EmbeddedOpenSearch(dir, port, process);
    Processes.writePidFile(server.pidFile, process.pid());
    server.shutdownHook = Processes.addShutdownHook("trackpipe-opensearch-stop", server::close);
    try {
      Processes.awaitLogLineAndPort(process, "OpenSearch server", out, outOffset, READY_LINE, port,
          options.startTimeout(), 200, () -> server.diagnostics(out, outOffset));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    LOG.info("OpenSearch server ready at {} (pid {}, data {}, {} start) in {} ms", server.url(), process.pid(), dir,
        resumed ? "resumed" : "first", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return server;
  }

  /**
   * One server per JVM for tests, started on first use in a fresh temporary folder on a free port, and stopped and
   * deleted when the JVM exits. Callers must not close it; they use their own index names.
   */
  public static EmbeddedOpenSearch shared() {
    EmbeddedOpenSearch current = shared;
    if (current != null) {
      return current;
    }
    synchronized (SHARED_LOCK) {
      if (shared == null) {
        shared = Processes.startInTemporaryFolder("opensearch", dir -> start(dir, defaultOptions()));
      }
      return shared;
    }
  }

  /** "http://127.0.0.1:PORT", the REST API's base URL. */
  public String url() {
    return "http://" + Processes.LOOPBACK + ":" + port;
  }

  /** The HTTP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The server JVM's process id. */
  public long pid() {
    return process.pid();
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** Why the server is no longer running, when it stopped without being closed. */
  public synchronized Optional<String> unexpectedExit() {
    return Processes.unexpectedExit("OpenSearch server", process, closed, dataDir.resolve("logs").resolve("opensearch.out"));
  }

  /** The caller stops the server itself, in its own order. */
  public void dropShutdownHook() {
    Processes.removeShutdownHook(shutdownHook);
  }

  /** Stops the server gracefully (SIGTERM: the node closes its shards; up to 30 s, then SIGKILL). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Processes.stopChild("OpenSearch server", process, shutdownHook, pidFile, 30);
  }

  @Override
  public String toString() {
    return "EmbeddedOpenSearch[" + url() + ", pid " + process.pid() + ", " + dataDir + "]";
  }

  /**
   * This start's failure lines ("trackpipe:", "Caused by") and the tail of the output. The node routes standard error
   * through its logger, so those lines carry a log prefix.
   */
  private String diagnostics(Path out, long offset) {
    String nl = System.lineSeparator();
    List<String> errors = Processes.readSince(out, offset).lines()
        .filter(line -> line.contains("trackpipe:") || line.contains("Caused by: ") || line.contains("[ERROR]"))
        .distinct()
        .limit(15)
        .toList();
    return nl + "--- errors printed by this start ---" + nl + String.join(nl, errors)
        + nl + "--- tail of " + out + " ---" + nl + Processes.tail(out, TAIL_LINES);
  }
}
