package io.trackpipe.embedded;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HDFS on 127.0.0.1 (a name node and one data node: Hadoop's mini cluster) in a child JVM, with its storage in a folder:
 * a restart on the same folder resumes with its files. For the tests of a stream whose checkpoint is on HDFS.
 *
 * <p>The server runs in its own JVM because the mini cluster's Jetty, Guava and Protobuf would clash with Spark's. Its
 * classpath is the {@value #CLASSPATH_RESOURCE} resource written by trackpipe-embedded-hdfs-runtime's build (or the
 * {@value #CLASSPATH_PROPERTY} system property, which must then name the launcher's jar too) plus the jar or folder that
 * holds that resource, where the launcher {@value #MAIN_CLASS} is.
 *
 * <p>Layout of the folder: {@code hdfs.pid}, {@code data/} (the name and data nodes' storage), {@code hdfs.out} (the
 * JVM's output, where a failed start prints its cause).
 */
public final class EmbeddedHdfs implements AutoCloseable {

  /** Resource holding the server's runtime classpath (written by trackpipe-embedded-hdfs-runtime's build). */
  public static final String CLASSPATH_RESOURCE = "io/trackpipe/embedded/hdfs-server.classpath";
  /** System property that overrides the resource. */
  public static final String CLASSPATH_PROPERTY = "trackpipe.hdfs.server.classpath";

  private static final String MAIN_CLASS = "io.trackpipe.embedded.hdfs.HdfsServerMain";
  /** Printed by {@value #MAIN_CLASS} once the cluster is up (kept equal to its READY_LINE). */
  private static final String READY_LINE = "trackpipe: HDFS ready";
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedHdfs.class);

  /** A free name node port, 384m heap, 120 s start timeout. */
  public static ChildJvmOptions defaultOptions() {
    return ChildJvmOptions.of("384m");
  }

  private final Path dir;
  private final int port;
  private final Process process;
  private final Thread shutdownHook;
  private boolean closed;

  private EmbeddedHdfs(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
    this.shutdownHook = Processes.addShutdownHook("trackpipe-hdfs-stop", this::close);
  }

  /** Starts (or resumes) HDFS on {@code dir} with the given options. */
  public static EmbeddedHdfs start(Path dir, ChildJvmOptions options) {
    long t0 = System.nanoTime();
    Processes.createDirectories(dir);
    String marker = "-Dtrackpipe.embedded.hdfs=" + dir;
    Path pidFile = dir.resolve("hdfs.pid");
    Processes.stopStale("HDFS", pidFile, dir.toString(), marker);
    int port = options.port() == 0 ? Processes.freePort() : options.port();
    List<String> classpath = Processes.launcherClasspath("HDFS", CLASSPATH_PROPERTY, CLASSPATH_RESOURCE,
        "trackpipe-embedded-hdfs-runtime");
    Path out = dir.resolve("hdfs.out");
    long outOffset = Processes.fileSize(out);
    List<String> command = new ArrayList<>(List.of(Processes.javaCommand(), "-Xmx" + options.maxHeap(),
        "-XX:+ExitOnOutOfMemoryError", "-Djava.net.preferIPv4Stack=true", "-Djava.io.tmpdir=" + Processes.createDirectories(dir.resolve("tmp")),
        // Identifies this server's JVM in /proc, for the stale-process check.
        marker));
    command.addAll(options.jvmArgs());
    command.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, classpath), MAIN_CLASS,
        dir.resolve("data").toString(), Integer.toString(port)));
    Process process = Processes.launchInOwnSession("HDFS JVM", command, dir, out);
    Processes.writePidFile(pidFile, process.pid());
    EmbeddedHdfs hdfs = new EmbeddedHdfs(dir, port, process);
    try {
      Processes.awaitLogLineAndPort(process, "HDFS", out, outOffset, READY_LINE, port, options.startTimeout(), 200,
          () -> System.lineSeparator() + "--- tail of " + out + " ---" + System.lineSeparator() + Processes.tail(out, 40));
    } catch (RuntimeException e) {
      hdfs.close();
      throw e;
    }
    LOG.info("HDFS ready at {} (pid {}, data {}) in {} ms", hdfs.uri(), process.pid(), dir,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return hdfs;
  }

  /** "hdfs://127.0.0.1:PORT", the file system's URI. */
  public String uri() {
    return "hdfs://" + Processes.LOOPBACK + ":" + port;
  }

  /** The server JVM's process id. */
  public long pid() {
    return process.pid();
  }

  /** Stops HDFS (SIGTERM: the nodes shut down; up to 30 s, then SIGKILL). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    Processes.stopChild("HDFS", process, shutdownHook, dir.resolve("hdfs.pid"), 30);
  }

  @Override
  public String toString() {
    return "EmbeddedHdfs[" + uri() + ", pid " + process.pid() + ", " + dir + "]";
  }
}
