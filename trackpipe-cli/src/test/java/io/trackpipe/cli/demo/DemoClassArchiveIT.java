package io.trackpipe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/trackpipe demo} as the README runs it, on a machine without class archives (a cache folder of its own):
 * the first demo, stopped with Ctrl-C, archives the classes it loaded, and so do its servers; the next demo maps them.
 */
class DemoClassArchiveIT {
  private static final Duration START_LIMIT = Duration.ofMinutes(4);
  private static final Path LAUNCHER = Path.of("..", "bin", "trackpipe").toAbsolutePath().normalize();

  @TempDir Path work;

  @AfterEach
  void leaveNothingRunning() {
    DemoProcess.killServersOn(work.resolve("data"));
  }

  @Test
  void theFirstDemoArchivesItsClassesAndTheNextMapsThem() throws Exception {
    Path archives = work.resolve("cache").resolve("trackpipe").resolve("class-archives");

    Process first = launch(work.resolve("first.log"));
    awaitOutput(first, work.resolve("first.log"), DemoProcess.RUNNING);
    // Ctrl-C as a terminal sends it: SIGINT to the launcher's whole process group.
    signalGroup(first, "-INT");
    assertThat(first.waitFor(3, TimeUnit.MINUTES)).as("the first demo stopped").isTrue();
    String firstOutput = Files.readString(work.resolve("first.log"));
    assertThat(firstOutput).contains("Stopped in").contains("Archiving the classes this run loaded");
    assertThat(first.exitValue()).as(firstOutput).isEqualTo(143);
    List<String> written = names(archives);
    assertThat(written).as("archives, and no pending one left").noneMatch(name -> name.endsWith(".pending"))
        .anyMatch(name -> name.startsWith("trackpipe-demo-"))
        .anyMatch(name -> name.startsWith("kafka-broker-"))
        .anyMatch(name -> name.startsWith("kafka-storage-format-"));

    Process second = launch(work.resolve("second.log"));
    awaitOutput(second, work.resolve("second.log"), DemoProcess.RUNNING);
    // The launcher execs the JVM: the process is the demo's JVM.
    assertThat(mappedArchives(second.pid())).as("the demo's JVM maps its archive").anyMatch(name -> name.startsWith("trackpipe-demo-"));
    assertThat(DemoProcess.serversOn(work.resolve("data")).stream().flatMap(p -> mappedArchives(p.pid()).stream()))
        .as("the broker maps its archive").anyMatch(name -> name.startsWith("kafka-broker-"));
    second.destroy();
    assertThat(second.waitFor(2, TimeUnit.MINUTES)).as("the second demo stopped").isTrue();
    assertThat(Files.readString(work.resolve("second.log"))).contains("Stopped in").doesNotContain("Archiving the classes");
    assertThat(names(archives)).as("nothing archived again").containsExactlyInAnyOrderElementsOf(written);
  }

  private Process launch(Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of("setsid", LAUNCHER.toString(), "demo", "--no-cassandra",
        "--no-generate", "--set", "demo.data-dir=" + work.resolve("data")));
    for (String setting : List.of("demo.kafka-port=0", "demo.mariadb-port=0", "collector.http.port=0",
        "serve.http.port=0", "stream.metrics-port=0")) {
      command.add("--set");
      command.add(setting);
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(name -> name.startsWith("TRACKPIPE_"));
    builder.environment().put("XDG_CACHE_HOME", work.resolve("cache").toString());
    return builder.start();
  }

  private static void awaitOutput(Process process, Path log, String text) throws Exception {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (!Files.readString(log).contains(text)) {
      if (!process.isAlive()) fail("the demo exited with code " + process.exitValue() + ":\n" + Files.readString(log));
      if (System.nanoTime() > deadline) fail("the demo did not start in " + START_LIMIT + ":\n" + Files.readString(log));
      Thread.sleep(250);
    }
  }

  private static void signalGroup(Process leader, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", signal, "--", "-" + leader.pid()).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(file -> file.getFileName().toString()).toList();
    }
  }

  /** The class archives a process has mapped, by file name. */
  private static List<String> mappedArchives(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"), StandardCharsets.UTF_8).stream()
          .filter(line -> line.endsWith(".jsa"))
          .map(line -> Path.of(line.substring(line.indexOf('/'))).getFileName().toString())
          .distinct().toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
