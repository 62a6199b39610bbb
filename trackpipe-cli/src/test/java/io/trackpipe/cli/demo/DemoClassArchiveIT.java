package io.trackpipe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

  @TempDir Path work;

  @AfterEach
  void leaveNothingRunning() {
    DemoProcess.killServersOn(work.resolve("data"));
  }

  @Test
  void theFirstDemoArchivesItsClassesAndTheNextMapsThem() throws Exception {
    Map<String, String> cache = Map.of("XDG_CACHE_HOME", work.resolve("cache").toString());
    Path archives = work.resolve("cache").resolve("trackpipe").resolve("class-archives");
    Path data = work.resolve("data");

    List<String> written;
    try (DemoProcess first = DemoProcess.startWithLauncher(cache, data, work.resolve("first.log"), "--no-cassandra",
        "--no-generate")) {
      first.awaitOutput(DemoProcess.RUNNING, START_LIMIT);
      // Ctrl-C as a terminal sends it: SIGINT to the launcher's whole process group.
      first.interruptGroup();
      assertThat(first.output()).contains("Stopped in").contains("Archiving the classes this run loaded");
      assertThat(first.exitValue()).as(first.output()).isEqualTo(143);
      written = names(archives);
      assertThat(written).as("archives, and no pending one left").noneMatch(name -> name.endsWith(".pending"))
          .anyMatch(name -> name.startsWith("trackpipe-demo-"))
          .anyMatch(name -> name.startsWith("kafka-broker-"))
          .anyMatch(name -> name.startsWith("kafka-storage-format-"));
    }

    try (DemoProcess second = DemoProcess.startWithLauncher(cache, data, work.resolve("second.log"), "--no-cassandra",
        "--no-generate")) {
      second.awaitOutput(DemoProcess.RUNNING, START_LIMIT);
      // The launcher execs the JVM: the process is the demo's JVM.
      assertThat(mappedArchives(second.pid())).as("the demo's JVM maps its archive")
          .anyMatch(name -> name.startsWith("trackpipe-demo-"));
      assertThat(DemoProcess.serversOn(data).stream().flatMap(p -> mappedArchives(p.pid()).stream()))
          .as("the broker maps its archive").anyMatch(name -> name.startsWith("kafka-broker-"));
      second.terminate();
      assertThat(second.output()).contains("Stopped in").doesNotContain("Archiving the classes");
    }
    assertThat(names(archives)).as("nothing archived again").containsExactlyInAnyOrderElementsOf(written);

    // A flight recording next to a dynamic archive crashes JDK 17 (SIGSEGV): the launcher starts such a demo without it.
    ProcessBuilder recorded = new ProcessBuilder(DemoProcess.LAUNCHER.toString(), "demo", "--help")
        .redirectErrorStream(true).redirectOutput(work.resolve("recorded.log").toFile());
    recorded.environment().putAll(cache);
    recorded.environment().put("TRACKPIPE_JAVA_OPTS", "-XX:StartFlightRecording=filename=" + work.resolve("demo.jfr"));
    Process help = recorded.start();
    assertThat(help.waitFor(2, TimeUnit.MINUTES)).as("demo --help ends").isTrue();
    String helpOutput = Files.readString(work.resolve("recorded.log"));
    assertThat(help.exitValue()).as(helpOutput).isZero();
    assertThat(helpOutput).contains("Usage: trackpipe demo").doesNotContain("SIGSEGV");
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
