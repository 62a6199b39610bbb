package io.trackpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Cassandra starts; what clients do with it is tested where the driver is (trackpipe-rawstore). */
class EmbeddedCassandraIT {

  @Test
  void stopsAServerLeftRunningOnTheSameFolderAndResumesItsData(@TempDir Path dir) throws Exception {
    EmbeddedCassandra orphan = EmbeddedCassandra.start(dir, 0);
    long orphanPid = orphan.pid();
    assertThat(orphan.contactPoint()).startsWith("127.0.0.1:");
    assertThat(Files.readString(dir.resolve("cassandra.pid")).trim()).isEqualTo(Long.toString(orphanPid));
    assertThat(dir.resolve("data").resolve("system")).isDirectory();
    // The handle is dropped without close(), as after a SIGKILLed parent: the same port and folder must still work.
    try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(dir, orphan.port())) {
      assertThat(ProcessHandle.of(orphanPid)).isEmpty();
      assertThat(cassandra.pid()).isNotEqualTo(orphanPid);
      assertThat(cassandra.port()).isEqualTo(orphan.port());
      assertThat(cassandra.storagePort()).as("the node keeps its address").isEqualTo(orphan.storagePort());
      assertThat(Processes.isPortOpen(cassandra.port())).isTrue();
      assertThat(cassandra.peakRssBytes()).isPositive();
      orphan.close(); // harmless now, and must not touch the new server's pid file
      assertThat(Files.readString(dir.resolve("cassandra.pid")).trim()).isEqualTo(Long.toString(cassandra.pid()));
      assertThat(Files.readString(dir.resolve("logs").resolve("system.log"))).contains("Starting listening for CQL clients");
    }
    assertThat(dir.resolve("cassandra.pid")).doesNotExist();
    // A server stopped as usual leaves its classes archived (unless it mapped them from the archive already), its
    // object-sizing agent notwithstanding, and the next server maps them.
    Path classArchive = EmbeddedCassandra.classArchive(EmbeddedCassandra.serverClasspath()).orElseThrow().path();
    assertThat(classArchive).isRegularFile();
    try (EmbeddedCassandra cassandra = EmbeddedCassandra.start(dir, 0)) {
      assertThat(Files.readString(Path.of("/proc", Long.toString(cassandra.pid()), "maps")))
          .as("the server maps its class archive").contains(classArchive.toString());
    }
  }

  @Test
  void reportsTheServerLogWhenTheServerCannotStart(@TempDir Path dir) {
    // A later -D wins: point the server at a configuration file that does not exist.
    ChildJvmOptions options = EmbeddedCassandra.defaultOptions()
        .withStartTimeout(Duration.ofSeconds(60))
        .withJvmArgs("-Dcassandra.config=file:///nonexistent/cassandra.yaml");
    assertThatThrownBy(() -> EmbeddedCassandra.start(dir, options))
        .isInstanceOf(EmbeddedServerException.class)
        .hasMessageContaining("Cassandra server exited")
        .hasMessageContaining("nonexistent");
    assertThat(dir.resolve("cassandra.pid")).doesNotExist();
  }
}
