package io.trackpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Class archives written and mapped by real JVMs: Kafka's storage tool on the broker's classpath stands in for a server
 * (it ends by itself, so a test need not stop it).
 */
class ClassArchiveTest {

  @Test
  void theFirstRunWritesTheArchiveWhenItEndsAndTheNextRunMapsIt(@TempDir Path folder) throws Exception {
    List<String> classpath = EmbeddedKafka.brokerClasspath();
    Path earlierBuilds = Files.write(folder.resolve("storage-tool-0123456789abcdef.jsa"), new byte[16]);
    Path anotherServers = Files.write(folder.resolve("storage-tool-server-0123456789abcdef.jsa"), new byte[16]);
    ClassArchive archive = ClassArchive.in(folder, "storage-tool", classpath, false);
    assertThat(archive.jvmArgs()).anyMatch(arg -> arg.startsWith("-XX:ArchiveClassesAtExit="));

    Run first = storageTool(archive.jvmArgs(), classpath, "random-uuid");
    assertThat(first.exitCode()).as(first.output()).isZero();
    archive.afterExit(true);
    assertThat(archive.path()).isRegularFile();
    assertThat(ClassArchive.isComplete(archive.path())).isTrue();
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files).as("the archive replaced the earlier builds' one, and nothing is left pending")
          .containsExactlyInAnyOrder(archive.path(), anotherServers);
    }
    assertThat(earlierBuilds).doesNotExist();

    ClassArchive again = ClassArchive.in(folder, "storage-tool", classpath, false);
    assertThat(again.path()).isEqualTo(archive.path());
    assertThat(again.jvmArgs()).containsExactly("-XX:SharedArchiveFile=" + archive.path());
    // -Xshare:on: the JVM refuses to start unless it maps the archive.
    List<String> mapped = new ArrayList<>(again.jvmArgs());
    mapped.addAll(List.of("-Xshare:on", "-Xlog:class+load=info"));
    Run second = storageTool(mapped, classpath, "random-uuid");
    assertThat(second.exitCode()).as(second.output()).isZero();
    assertThat(second.output()).contains("kafka.tools.StorageTool source: shared objects file (top)");
  }

  @Test
  void aRunThatFailsLeavesNoArchive(@TempDir Path folder) throws Exception {
    List<String> classpath = EmbeddedKafka.brokerClasspath();
    ClassArchive archive = ClassArchive.in(folder, "storage-tool", classpath, false);

    Run failed = storageTool(archive.jvmArgs(), classpath, "no-such-command");
    assertThat(failed.exitCode()).as(failed.output()).isNotZero();
    archive.afterExit(false);
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files).as("no archive, nor the one the JVM wrote").isEmpty();
    }
    assertThat(ClassArchive.in(folder, "storage-tool", classpath, false).jvmArgs())
        .anyMatch(arg -> arg.startsWith("-XX:ArchiveClassesAtExit="));
  }

  @Test
  void aChangedJarOrClasspathNamesAnotherArchive(@TempDir Path folder, @TempDir Path jars) throws IOException {
    Path jar = Files.writeString(jars.resolve("app.jar"), "not really a jar");
    Path other = Files.writeString(jars.resolve("other.jar"), "another");
    Path archive = ClassArchive.in(folder, "app", List.of(jar.toString()), false).path();
    assertThat(ClassArchive.in(folder, "app", List.of(jar.toString()), false).path()).isEqualTo(archive);

    Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
    assertThat(ClassArchive.in(folder, "app", List.of(jar.toString()), false).path()).isNotEqualTo(archive);
    assertThat(ClassArchive.in(folder, "app", List.of(jar.toString(), other.toString()), false).path())
        .isNotEqualTo(archive);
  }

  @Test
  void anArchiveWithoutItsHeaderIsNotComplete(@TempDir Path folder) throws IOException {
    // The JVM writes the header last: a JVM killed while it wrote left zeros where the magic number goes.
    assertThat(ClassArchive.isComplete(Files.write(folder.resolve("cut.jsa"), new byte[4096]))).isFalse();
    assertThat(ClassArchive.isComplete(Files.write(folder.resolve("empty.jsa"), new byte[0]))).isFalse();
  }

  private record Run(int exitCode, String output) {}

  private static Run storageTool(List<String> jvmArgs, List<String> classpath, String toolCommand) throws Exception {
    List<String> command = new ArrayList<>(List.of(Processes.javaCommand(), "-Xmx128m", Processes.C1_ONLY));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, classpath), "kafka.tools.StorageTool",
        toolCommand));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
