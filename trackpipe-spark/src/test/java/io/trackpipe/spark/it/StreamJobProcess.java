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
public final class StreamJobProcess implements AutoCloseable {
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
    set(command, "kafka.bootstrap-servers", f.kafka.bootstrapServers());
    set(command, "kafka.topic.events", f.kafka.eventsTopic());
    set(command, "kafka.topic.dead-letter", f.kafka.deadLetterTopic());
    set(command, "warehouse.jdbc-url", f.warehouseConfig.jdbcUrl());
    set(command, "warehouse.user", f.warehouseConfig.user());
    set(command, "warehouse.password", f.warehouseConfig.password());
    set(command, "stream.checkpoint-dir", f.checkpointDir.toAbsolutePath().toString());
    set(command, "stream.spark-master", "local[2]");
    if (!settings.containsKey("stream.domains")) set(command, "stream.domains", DomainCatalog.JOB_ADS); // fast by default
    settings.forEach((key, value) -> set(command, key, value));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The child is configured by --set alone, whatever the developer's shell exports.
    builder.environment().keySet().removeIf(name -> name.startsWith("TRACKPIPE_"));
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return new StreamJobProcess(builder.start(), log);
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

  boolean isAlive() {
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
  String logTail() {
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
