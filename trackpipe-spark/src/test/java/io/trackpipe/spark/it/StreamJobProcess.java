package io.trackpipe.spark.it;

import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.spark.stream.StreamMain;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The streaming job ({@link StreamMain}) in a child JVM on a fixture's topics, database and checkpoint, so that a test
 * can kill it the hard way (SIGKILL) and start it again, like a crashed driver. Output goes to a log file.
 */
public final class StreamJobProcess implements RunningJob, AutoCloseable {
  private final Process process;
  private final Path log;

  private StreamJobProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * @param workDir holds the child's log and temporary files (Spark's local dirs survive a SIGKILL)
   * @param settings further {@code --set} overrides, e.g. {@code stream.max-events-per-batch}
   */
  static StreamJobProcess start(StreamFixture f, Path workDir, String logName, Map<String, String> settings)
      throws IOException {
    Path tmp = Files.createDirectories(workDir.resolve("child-tmp"));
    Path log = workDir.resolve(logName);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(sparkJvmFlags());
    command.add("-Xmx1g");
    command.add("-Djava.io.tmpdir=" + tmp);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(StreamMain.class.getName());
    command.addAll(arguments(f, settings));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The child is configured by --set alone, whatever the developer's shell exports.
    builder.environment().keySet().removeIf(name -> name.startsWith("TRACKPIPE_"));
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return new StreamJobProcess(builder.start(), log);
  }

  /**
   * StreamMain's arguments for a fixture: its topics, database and checkpoint (the dedup store inside it), job ads only
   * unless {@code settings} name the domains, then {@code settings}. A local Spark master of 2 cores, unless spark-submit
   * provides the session.
   */
  public static List<String> arguments(StreamFixture f, Map<String, String> settings) {
    List<String> arguments = new ArrayList<>();
    set(arguments, "kafka.bootstrap-servers", f.kafka.bootstrapServers());
    set(arguments, "kafka.topic.events", f.kafka.eventsTopic());
    set(arguments, "kafka.topic.dead-letter", f.kafka.deadLetterTopic());
    set(arguments, "warehouse.jdbc-url", f.warehouseConfig.jdbcUrl());
    set(arguments, "warehouse.user", f.warehouseConfig.user());
    set(arguments, "warehouse.password", f.warehouseConfig.password());
    set(arguments, "stream.checkpoint-dir", f.checkpointDir.toAbsolutePath().toString());
    set(arguments, "stream.spark-master", "local[2]");
    if (!settings.containsKey("stream.domains")) set(arguments, "stream.domains", DomainCatalog.JOB_ADS); // fast by default
    settings.forEach((key, value) -> set(arguments, key, value));
    return arguments;
  }

  /** The flags Spark needs on Java 17, as this (Failsafe-configured) JVM was given them: for child JVMs that run Spark. */
  public static List<String> sparkJvmFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")
            || a.equals("-XX:+IgnoreUnrecognizedVMOptions") || a.startsWith("-Djdk.reflect"))
        .toList();
  }

  private static void set(List<String> command, String key, String value) {
    command.add("--set");
    command.add(key + "=" + value);
  }

  @Override
  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL on Linux: no shutdown hooks, no clean query stop, whatever the job was doing. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child JVM " + process.pid() + " survived SIGKILL for 30 s");
    }
  }

  /** SIGTERM (the job stops its query from a shutdown hook), then SIGKILL if it takes too long. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) kill();
  }

  /** The end of the child's output, for failure messages. */
  @Override
  public String logTail() {
    try {
      List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      return "--- last lines of " + log.getFileName() + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }
}
