package io.trackpipe.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Spark standalone cluster on 127.0.0.1: one master and a few workers, each a child JVM started from Spark's jars as
 * Maven resolved them (recorded by trackpipe-embedded-spark-runtime), with a {@code SPARK_HOME} folder whose
 * {@code jars/} links to them: a worker builds its executors' and drivers' classpath from there.
 *
 * <p>Layout of the cluster folder: {@code spark-home/jars/}, {@code master.pid}, {@code worker-N.pid},
 * {@code logs/} ({@code master.out}, {@code worker-N.out}), {@code worker-N/} (each worker's work folder: an
 * application's executors under {@code app-…/}, a cluster-mode driver under {@code driver-…/}, each with its
 * {@code stdout} and {@code stderr}).
 *
 * <p>Every JVM of the cluster, and every {@code spark-submit} started through {@link #submit}, carries the pid of the
 * JVM that started it: a later start stops those whose starter is gone (a test run killed with SIGKILL). {@link
 * #close()} (also run by a shutdown hook) stops the workers, which stop their executors and drivers, then the master.
 */
public final class EmbeddedSparkCluster implements AutoCloseable {

  /** Resource holding Spark's runtime classpath (written by trackpipe-embedded-spark-runtime's build). */
  public static final String CLASSPATH_RESOURCE = "io/trackpipe/embedded/spark.classpath";
  /** Resource holding the JVM flags Spark needs on Java 17 (the parent POM's {@code spark.jvm.flags}). */
  public static final String JVM_FLAGS_RESOURCE = "io/trackpipe/embedded/spark-jvm.options";
  /** System property that overrides the classpath resource. */
  public static final String CLASSPATH_PROPERTY = "trackpipe.spark.classpath";
  /** The Scala version of Spark's jars: a worker cannot tell it from a SPARK_HOME without a distribution's layout. */
  static final String SCALA_VERSION = "2.13";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSparkCluster.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Names the JVM that started a cluster process, for {@link Processes#stopOrphans}. */
  static final String OWNER_MARKER = "-Dtrackpipe.embedded.spark.owner=";
  private static final int TAIL_LINES = 40;

  /**
   * Tunables of the cluster; {@link #defaults()} suits one machine.
   *
   * @param workers how many workers
   * @param workerCores cores each worker offers (scheduling slots, not a limit on CPU use)
   * @param workerMemory memory each worker offers to its executors and drivers, e.g. "1536m"
   * @param daemonHeap the master's and each worker's own -Xmx
   */
  public record Options(int workers, int workerCores, String workerMemory, String daemonHeap, Duration startTimeout) {
    public Options {
      if (workers < 1) throw new IllegalArgumentException("workers must be at least 1: " + workers);
      if (workerCores < 1) throw new IllegalArgumentException("workerCores must be at least 1: " + workerCores);
      Objects.requireNonNull(workerMemory, "workerMemory");
      Objects.requireNonNull(daemonHeap, "daemonHeap");
      Objects.requireNonNull(startTimeout, "startTimeout");
    }

    /** Two workers of 2 cores and 1536 MB each (room for a driver and an executor), 256 MB daemons, 90 s to start. */
    public static Options defaults() {
      return new Options(2, 2, "1536m", "256m", Duration.ofSeconds(90));
    }

    public Options withWorkers(int count) {
      return new Options(count, workerCores, workerMemory, daemonHeap, startTimeout);
    }
  }

  /** A daemon JVM of the cluster: the master or a worker. */
  private record Daemon(String name, Process process, Path log) {}

  private final Path dir;
  private final Path sparkHome;
  private final Options options;
  private final List<String> jvmFlags;
  private final String javaCommand;
  private final int masterPort;
  private final int masterWebPort;
  private Daemon master;
  private final Daemon[] workers;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NORMAL).build();
  private Thread shutdownHook;
  private boolean closed;

  private EmbeddedSparkCluster(Path dir, Path sparkHome, Options options, List<String> jvmFlags, int masterPort,
      int masterWebPort) {
    this.dir = dir;
    this.sparkHome = sparkHome;
    this.options = options;
    this.jvmFlags = jvmFlags;
    this.javaCommand = Processes.javaCommand();
    this.masterPort = masterPort;
    this.masterWebPort = masterWebPort;
    this.workers = new Daemon[options.workers()];
  }

  /** Starts a master and {@link Options#workers()} workers in {@code clusterDir}, and waits until all registered. */
  public static EmbeddedSparkCluster start(Path clusterDir, Options options) {
    long t0 = System.nanoTime();
    Processes.stopOrphans("Spark cluster process", OWNER_MARKER);
    Path dir = Processes.createDirectories(clusterDir);
    Processes.createDirectories(dir.resolve("logs"));
    Path sparkHome = linkSparkHome(dir.resolve("spark-home"), sparkClasspath());
    int masterPort = Processes.freePort();
    int webPort = Processes.freePort(masterPort);
    EmbeddedSparkCluster cluster = new EmbeddedSparkCluster(dir, sparkHome, options, jvmFlags(), masterPort, webPort);
    Processes.stopStale("Spark cluster process", dir.resolve("master.pid"), dir.toString(), cluster.marker());
    cluster.shutdownHook = Processes.addShutdownHook("trackpipe-spark-cluster-stop", cluster::close);
    try {
      cluster.master = cluster.launch("master", List.of("org.apache.spark.deploy.master.Master",
          "--host", Processes.LOOPBACK, "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(webPort)));
      cluster.awaitLogLine(cluster.master, "I have been elected leader", masterPort);
      for (int i = 1; i <= options.workers(); i++) {
        cluster.startWorker(i);
      }
      cluster.awaitAliveWorkers(options.workers());
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    LOG.info("Spark standalone cluster ready at {} (web UI {}, {} workers) in {} ms", cluster.masterUrl(),
        cluster.masterWebUi(), options.workers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return cluster;
  }

  /** {@code spark://127.0.0.1:PORT}, for {@code --master}. */
  public String masterUrl() {
    return "spark://" + Processes.LOOPBACK + ":" + masterPort;
  }

  /** The master's web UI; its {@code /json} tells the workers, applications and drivers. */
  public URI masterWebUi() {
    return URI.create("http://" + Processes.LOOPBACK + ":" + masterWebPort);
  }

  /** The folder that plays SPARK_HOME for the workers and spark-submit. */
  public Path sparkHome() {
    return sparkHome;
  }

  /** The flags Spark needs on Java 17: give them to a cluster-mode driver ({@code spark.driver.extraJavaOptions}). */
  public List<String> sparkJvmFlags() {
    return jvmFlags;
  }

  /** Whether worker {@code number} (1-based) runs. */
  public synchronized boolean isWorkerRunning(int number) {
    return worker(number).process().isAlive();
  }

  /** Worker {@code number} (1-based)'s work folder: executors' and cluster-mode drivers' folders and logs. */
  public Path workerDir(int number) {
    return dir.resolve("worker-" + number);
  }

  /** Starts {@code spark-submit} with these arguments; see {@link SparkSubmission}. */
  public SparkSubmission submit(List<String> arguments, String driverHeap, Path log) {
    return SparkSubmission.start(this, arguments, driverHeap, log);
  }

  /**
   * Kills worker {@code number} (1-based) and every process it started (its executors, a driver) with SIGKILL, as
   * when its machine goes down. {@link #restartWorker} brings it back.
   */
  public synchronized void killWorker(int number) {
    Daemon worker = worker(number);
    List<ProcessHandle> children = worker.process().descendants().toList();
    worker.process().destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    awaitExit(worker.process().toHandle());
    children.forEach(EmbeddedSparkCluster::awaitExit);
    Processes.deletePidFile(pidFile(number), worker.process().pid());
    LOG.info("Killed Spark worker {} (pid {}) and {} processes it started", number, worker.process().pid(),
        children.size());
  }

  /** Starts worker {@code number} again (after {@link #killWorker}) and waits until the master counts it alive. */
  public synchronized void restartWorker(int number) {
    if (worker(number).process().isAlive()) throw new IllegalStateException("worker " + number + " is running");
    startWorker(number);
    awaitAliveWorkers(options.workers());
  }

  /** The master's view ({@code /json}): workers, applications, drivers. */
  public JsonNode masterState() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(masterWebUi().resolve("/json/"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new EmbeddedServerException("Spark master's /json answered " + response.statusCode());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Spark master's state at " + masterWebUi(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("Interrupted while reading the Spark master's state", e);
    }
  }

  /** How many workers the master counts ALIVE. */
  public int aliveWorkers() {
    int alive = 0;
    for (JsonNode worker : masterState().path("workers")) {
      if ("ALIVE".equals(worker.path("state").asText())) alive++;
    }
    return alive;
  }

  /**
   * A cluster-mode driver's state as the master reports it (SUBMITTED, RUNNING, RELAUNCHING, FINISHED, FAILED, KILLED,
   * ERROR), empty if the master does not know the id.
   */
  public Optional<String> driverState(String driverId) {
    JsonNode state = masterState();
    for (String list : List.of("activedrivers", "completeddrivers")) {
      for (JsonNode driver : state.path(list)) {
        if (driverId.equals(driver.path("id").asText())) return Optional.of(driver.path("state").asText());
      }
    }
    return Optional.empty();
  }

  /** The pid of a cluster-mode driver's JVM, if one runs now (a worker started it; its command names the driver). */
  public OptionalLong driverPid(String driverId) {
    for (Daemon worker : workers) {
      if (worker == null || !worker.process().isAlive()) continue;
      Optional<ProcessHandle> driver = worker.process().descendants()
          .filter(p -> Processes.commandLine(p.pid()).stream().anyMatch(a -> a.contains(driverId)))
          .filter(p -> Processes.commandLine(p.pid()).contains("org.apache.spark.deploy.worker.DriverWrapper"))
          .findFirst();
      if (driver.isPresent()) return OptionalLong.of(driver.get().pid());
    }
    return OptionalLong.empty();
  }

  /**
   * A cluster-mode driver's folder on the worker that ran it last: its {@code stdout}, and its {@code stderr} where
   * Spark logs.
   */
  public Optional<Path> driverDir(String driverId) {
    return Stream.iterate(1, i -> i + 1).limit(workers.length)
        .map(i -> workerDir(i).resolve(driverId))
        .filter(d -> Files.isRegularFile(d.resolve("stderr")))
        .max((a, b) -> Long.compare(a.resolve("stderr").toFile().lastModified(), b.resolve("stderr").toFile().lastModified()));
  }

  /**
   * Asks the master to kill a driver (the web UI's kill, which ends it for good even when supervised): its worker
   * sends the driver's JVM SIGTERM, and SIGKILL if it is still there after 10 s.
   */
  public void killDriver(String driverId) {
    HttpRequest request = HttpRequest.newBuilder(masterWebUi().resolve("/driver/kill/"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("id=" + driverId + "&terminate=true"))
        .timeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() >= 400) {
        throw new EmbeddedServerException("The Spark master refused to kill " + driverId + ": HTTP "
            + response.statusCode());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot ask the Spark master to kill " + driverId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("Interrupted while killing " + driverId, e);
    }
  }

  /** Stops the workers (which stop their executors and drivers), then the master. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    Processes.removeShutdownHook(shutdownHook);
    for (int i = 0; i < workers.length; i++) {
      Daemon worker = workers[i];
      if (worker == null) continue;
      List<ProcessHandle> children = worker.process().descendants().toList();
      Processes.stopChild("Spark worker " + (i + 1), worker.process(), null, pidFile(i + 1), 15);
      // A worker stops its children on SIGTERM; one that was killed leaves none, but a forced stop could.
      children.stream().filter(ProcessHandle::isAlive).forEach(p -> Processes.terminate(p, 10));
    }
    if (master != null) {
      Processes.stopChild("Spark master", master.process(), null, dir.resolve("master.pid"), 15);
    }
  }

  @Override
  public String toString() {
    return "EmbeddedSparkCluster[" + masterUrl() + ", " + workers.length + " workers, " + dir + "]";
  }

  /** The environment of every cluster JVM and spark-submit: Spark's home, its Scala version, loopback only. */
  void configureEnvironment(Map<String, String> environment) {
    // Configured here alone, whatever the developer's shell exports.
    environment.keySet().removeIf(name -> name.startsWith("TRACKPIPE_") || name.startsWith("SPARK_")
        || name.equals("HADOOP_CONF_DIR") || name.equals("YARN_CONF_DIR"));
    environment.put("SPARK_HOME", sparkHome.toString());
    environment.put("SPARK_SCALA_VERSION", SCALA_VERSION);
    environment.put("SPARK_LOCAL_IP", Processes.LOOPBACK);
    // Block-manager and shuffle folders in the cluster's folder, not the system temp folder (a SIGKILL leaves them).
    environment.put("SPARK_LOCAL_DIRS", dir.resolve("local").toString());
    environment.put("JAVA_HOME", System.getProperty("java.home"));
  }

  /** {@code java} with Spark's flags, the owner marker and this cluster's marker, on Spark's jars. */
  List<String> javaCommand(String heap, List<String> more) {
    List<String> command = new ArrayList<>();
    command.add(javaCommand);
    command.addAll(jvmFlags);
    command.add("-Xmx" + heap);
    command.add(OWNER_MARKER + ProcessHandle.current().pid());
    command.add(marker());
    command.add("-cp");
    command.add(sparkHome.resolve("jars").resolve("*").toString());
    command.addAll(more);
    return command;
  }

  private String marker() {
    return "-Dtrackpipe.embedded.spark=" + dir;
  }

  private Path pidFile(int number) {
    return dir.resolve("worker-" + number + ".pid");
  }

  private Daemon worker(int number) {
    if (number < 1 || number > workers.length) {
      throw new IllegalArgumentException("no worker " + number + " (1.." + workers.length + ")");
    }
    return workers[number - 1];
  }

  private void startWorker(int number) {
    Path workDir = Processes.createDirectories(workerDir(number));
    Daemon worker = launch("worker-" + number, List.of("org.apache.spark.deploy.worker.Worker",
        "--host", Processes.LOOPBACK, "--webui-port", "0", "--cores", String.valueOf(options.workerCores()),
        "--memory", options.workerMemory(), "--work-dir", workDir.toString(), masterUrl()));
    workers[number - 1] = worker;
    awaitLogLine(worker, "Successfully registered with master", 0);
  }

  private Daemon launch(String name, List<String> mainAndArguments) {
    Path log = dir.resolve("logs").resolve(name + ".out");
    List<String> command = javaCommand(options.daemonHeap(), mainAndArguments);
    Process process = Processes.launchInOwnSession("Spark " + name + " JVM", command, dir, log,
        this::configureEnvironment);
    Processes.writePidFile(dir.resolve(name + ".pid"), process.pid());
    return new Daemon(name, process, log);
  }

  /** Waits for a line in the daemon's log (this start's part of it) and, when {@code port} is not 0, its port. */
  private void awaitLogLine(Daemon daemon, String line, int port) {
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (!daemon.process().isAlive()) {
        throw new EmbeddedServerException("Spark " + daemon.name() + " exited with code "
            + daemon.process().exitValue() + " during start-up:" + System.lineSeparator()
            + Processes.tail(daemon.log(), TAIL_LINES));
      }
      if (Processes.readSince(daemon.log(), 0).contains(line) && (port == 0 || Processes.isPortOpen(port))) {
        return;
      }
      Processes.sleep(200);
    }
    throw new EmbeddedServerException("Spark " + daemon.name() + " not ready within "
        + options.startTimeout().toSeconds() + " s (no \"" + line + "\" in " + daemon.log() + "):"
        + System.lineSeparator() + Processes.tail(daemon.log(), TAIL_LINES));
  }

  private void awaitAliveWorkers(int count) {
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    int alive = 0;
    while (System.nanoTime() < deadline) {
      alive = aliveWorkers();
      if (alive >= count) return;
      Processes.sleep(200);
    }
    throw new EmbeddedServerException("The Spark master counts " + alive + " of " + count + " workers alive after "
        + options.startTimeout().toSeconds() + " s");
  }

  private static void awaitExit(ProcessHandle process) {
    try {
      process.onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      throw new EmbeddedServerException("pid " + process.pid() + " still alive 30 s after SIGKILL", e);
    }
  }

  /** {@code jars/} of a SPARK_HOME: a link to each of Spark's jars (made anew at every start). */
  private static Path linkSparkHome(Path home, List<String> classpath) {
    Path jars = home.resolve("jars");
    Processes.deleteRecursively(jars);
    Processes.createDirectories(jars);
    Set<String> names = new HashSet<>();
    try {
      for (String entry : classpath) {
        Path jar = Path.of(entry);
        if (!Files.isRegularFile(jar)) continue; // a build's classes folder: not part of a distribution
        String name = jar.getFileName().toString();
        if (!names.add(name)) name = names.size() + "-" + name;
        Files.createSymbolicLink(jars.resolve(name), jar.toAbsolutePath());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot link Spark's jars into " + jars, e);
    }
    return home;
  }

  /** Spark's jars: from the system property if set, else from the build-written resource. */
  static List<String> sparkClasspath() {
    return Processes.recordedClasspath("Spark", CLASSPATH_PROPERTY, CLASSPATH_RESOURCE,
        "trackpipe-embedded-spark-runtime");
  }

  /** Spark's Java 17 flags, from the build-written resource. */
  static List<String> jvmFlags() {
    try (InputStream in = EmbeddedSparkCluster.class.getClassLoader().getResourceAsStream(JVM_FLAGS_RESOURCE)) {
      if (in == null) {
        throw new EmbeddedServerException("No resource " + JVM_FLAGS_RESOURCE + " (built by trackpipe-embedded-spark-runtime)");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return Arrays.stream(text.split("\\s+")).filter(s -> !s.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + JVM_FLAGS_RESOURCE, e);
    }
  }
}
