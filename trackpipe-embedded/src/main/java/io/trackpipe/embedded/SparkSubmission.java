package io.trackpipe.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code spark-submit} against an {@link EmbeddedSparkCluster}: {@code org.apache.spark.deploy.SparkSubmit} in a child
 * JVM on Spark's jars, with the cluster's SPARK_HOME, as the {@code bin/spark-submit} script would run it (a Maven-built
 * SPARK_HOME has no scripts). Its output goes to a log file.
 *
 * <p>In client mode this JVM is the driver: kill it to kill the driver. In cluster mode it only hands the driver to
 * the master and exits, with code 0 even when the driver fails later: read the driver's state from the master
 * ({@link EmbeddedSparkCluster#driverState}) with the id this submission printed ({@link #driverId()}).
 */
public final class SparkSubmission implements AutoCloseable {
  private static final Pattern DRIVER_ID = Pattern.compile("Driver successfully submitted as (driver-[0-9]+-[0-9]+)");

  private final Process process;
  private final Path log;

  private SparkSubmission(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * @param arguments spark-submit's arguments: {@code --master}, {@code --deploy-mode}, {@code --class}, {@code
   *     --conf}s, the application jar and its arguments
   * @param driverHeap this JVM's -Xmx: the driver's heap in client mode (spark-submit cannot resize its own JVM)
   */
  static SparkSubmission start(EmbeddedSparkCluster cluster, List<String> arguments, String driverHeap, Path log) {
    List<String> main = new ArrayList<>();
    main.add("org.apache.spark.deploy.SparkSubmit");
    main.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(cluster.javaCommand(driverHeap, main))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    cluster.configureEnvironment(builder.environment());
    try {
      return new SparkSubmission(builder.start(), log);
    } catch (IOException e) {
      throw new EmbeddedServerException("Cannot launch spark-submit", e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for spark-submit to exit; its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new EmbeddedServerException("spark-submit (pid " + process.pid() + ") still running after "
            + timeout.toSeconds() + " s" + System.lineSeparator() + logTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("Interrupted while waiting for spark-submit", e);
    }
    return process.exitValue();
  }

  /** The id the master gave a cluster-mode driver, as spark-submit printed it. */
  public Optional<String> driverId() {
    Matcher m = DRIVER_ID.matcher(Processes.readSince(log, 0));
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** SIGKILL: no shutdown hook runs; in client mode the driver dies mid-batch. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM (a driver stops its queries from its shutdown hooks), then SIGKILL after 30 s. */
  public void stop() {
    Processes.terminate(process.toHandle(), 30);
  }

  public Path log() {
    return log;
  }

  /** The last lines of the log, for failure messages. */
  public String logTail() {
    return "--- last lines of " + log.getFileName() + " ---" + System.lineSeparator() + Processes.tail(log, 40);
  }

  /** The whole log. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) kill();
  }
}
