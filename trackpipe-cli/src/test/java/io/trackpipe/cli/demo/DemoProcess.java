package io.trackpipe.cli.demo;

import static org.assertj.core.api.Assertions.fail;

import io.trackpipe.cli.Trackpipe;
import io.trackpipe.spark.it.StreamJobProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code trackpipe demo} as a user runs it: a JVM of its own (or {@code bin/trackpipe}, which runs one), leading its own
 * process group (under {@code setsid}, as a shell's foreground job), so that a test can stop it with SIGTERM, with Ctrl-C the way a terminal sends it (SIGINT
 * to the whole group), or kill it the hard way (SIGKILL of the demo alone: its servers are orphaned).
 */
final class DemoProcess implements AutoCloseable {
  /** Every port picked free: tests must not collide with a demo running on the machine. */
  private static final List<String> FREE_PORTS = List.of("demo.kafka-port=0", "demo.mariadb-port=0",
      "demo.cassandra-port=0", "collector.http.port=0", "serve.http.port=0", "stream.metrics-port=0");
  static final String RUNNING = "trackpipe demo is running.";
  private static final Pattern MARIADB = Pattern.compile("MariaDB +(jdbc:mariadb://\\S+) +user (\\S+) +password (\\S+)");
  private static final Pattern KAFKA = Pattern.compile("Kafka +(127\\.0\\.0\\.1:\\d+) +events topic");
  /** bin/trackpipe of this checkout (tests run in their module's folder). */
  static final Path LAUNCHER = Path.of("..", "bin", "trackpipe").toAbsolutePath().normalize();

  private final Process process;
  private final Path log;
  private final long logOffset;

  private DemoProcess(Process process, Path log, long logOffset) {
    this.process = process;
    this.log = log;
    this.logOffset = logOffset;
  }

  /** Starts {@code trackpipe demo} on {@code dataDir}, its output appended to {@code log}. */
  static DemoProcess start(Path dataDir, Path log, String... args) throws IOException {
    List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    java.addAll(StreamJobProcess.sparkJvmFlags());
    // The heap bin/trackpipe gives it: the demo is tested as it ships.
    java.addAll(List.of("-Xmx768m", "-cp", System.getProperty("java.class.path"), Trackpipe.class.getName()));
    return start(java, Map.of(), dataDir, log, args);
  }

  /**
   * Starts {@code bin/trackpipe demo} as the README runs it, with {@code environment} added to the launcher's (which
   * execs the demo's JVM, or runs it as its child while it has no class archive).
   */
  static DemoProcess startWithLauncher(Map<String, String> environment, Path dataDir, Path log, String... args)
      throws IOException {
    return start(List.of(LAUNCHER.toString()), environment, dataDir, log, args);
  }

  private static DemoProcess start(List<String> trackpipe, Map<String, String> environment, Path dataDir, Path log,
      String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("setsid"));
    command.addAll(trackpipe);
    command.addAll(List.of("demo", "--set", "demo.data-dir=" + dataDir));
    for (String setting : FREE_PORTS) {
      command.add("--set");
      command.add(setting);
    }
    command.addAll(List.of(args));
    long offset = Files.exists(log) ? Files.size(log) : 0;
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // Configured by --set alone, whatever the developer's shell exports.
    builder.environment().keySet().removeIf(name -> name.startsWith("TRACKPIPE_"));
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().putAll(environment);
    return new DemoProcess(builder.start(), log, offset);
  }

  /** The demo's JVM, or the launcher that runs it as its child. */
  long pid() {
    return process.pid();
  }

  /** Its exit code, once it has exited. */
  int exitValue() {
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What this run printed so far. */
  String output() {
    try {
      byte[] all = Files.readAllBytes(log);
      return new String(all, (int) logOffset, all.length - (int) logOffset, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** Waits until the demo prints {@code text}; fails (with its output) if it exits first or takes too long. */
  void awaitOutput(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive()) {
        fail("the demo exited with code " + process.exitValue() + " before printing \"" + text + "\":\n" + output());
      }
      if (System.nanoTime() > deadline) {
        fail("the demo did not print \"" + text + "\" within " + timeout.toSeconds() + " s:\n" + output());
      }
      Thread.sleep(250);
    }
  }

  /** A connection to the demo's warehouse, as its connection help prints it. */
  Connection warehouse() throws SQLException {
    Matcher m = MARIADB.matcher(output());
    if (!m.find()) fail("no MariaDB line in the demo's output:\n" + output());
    return DriverManager.getConnection(m.group(1), m.group(2), m.group(3));
  }

  /** The demo's Kafka, as its connection help prints it. */
  String bootstrapServers() {
    Matcher m = KAFKA.matcher(output());
    if (!m.find()) fail("no Kafka line in the demo's output:\n" + output());
    return m.group(1);
  }

  /** SIGTERM, as a service manager stops it; the time until the demo's JVM has exited. */
  Duration terminate() throws InterruptedException {
    long t0 = System.nanoTime();
    process.destroy();
    return awaitExit(t0);
  }

  /** Ctrl-C in a terminal: SIGINT to the whole foreground process group; the time until the demo's JVM has exited. */
  Duration interruptGroup() throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    // The demo leads its group (setsid), so the group id is its pid.
    Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + process.pid()).inheritIO().start();
    if (kill.waitFor() != 0) fail("kill -INT -" + process.pid() + " failed");
    return awaitExit(t0);
  }

  /** SIGKILL of the demo's JVM alone: no shutdown hooks; its servers keep running, orphaned. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) fail("the demo survived SIGKILL for 30 s");
  }

  private Duration awaitExit(long t0) throws InterruptedException {
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("the demo did not stop within 120 s:\n" + output());
    }
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  /** The processes whose command line names {@code dataDir}: the servers a demo on that folder started. */
  static List<ProcessHandle> serversOn(Path dataDir) {
    String folder = dataDir.toAbsolutePath().toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != ProcessHandle.current().pid())
        .filter(p -> commandLine(p.pid()).contains(folder))
        .toList();
  }

  /** Whatever a failed test left running on {@code dataDir}, killed, so that nothing outlives the test. */
  static void killServersOn(Path dataDir) {
    serversOn(dataDir).forEach(ProcessHandle::destroyForcibly);
  }

  private static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      // Leave nothing behind for the next test: an ordered stop, else the hard way.
      process.destroy();
      if (!process.waitFor(120, TimeUnit.SECONDS)) kill();
    }
  }
}
