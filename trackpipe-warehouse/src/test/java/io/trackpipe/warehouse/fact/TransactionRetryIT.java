package io.trackpipe.warehouse.fact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hard faults in the middle of a stream commit, on a real MariaDB: a row lock held by another transaction until the
 * writer's lock wait times out, and the writer's connection killed while it waits. The commit is run again (it is
 * idempotent by batch id) and applied exactly once.
 */
class TransactionRetryIT {
  private static final String SINK = "retry-sink";
  private static final LocalDate DAY = LocalDate.of(2024, 5, 1);

  private final EmbeddedStack stack = EmbeddedStack.shared();
  private String database;

  private Warehouse warehouse(String urlOptions) {
    if (database == null) {
      database = "retry_" + UUID.randomUUID().toString().substring(0, 8);
      stack.mariaDb().createDatabase(database);
    }
    Warehouse warehouse = new Warehouse(WarehouseConfig.unencrypted(stack.mariaDb().jdbcUrl(database) + urlOptions,
        stack.mariaDb().user(), stack.mariaDb().password()));
    warehouse.migrate();
    return warehouse;
  }

  private static List<FactBatch> oneClick() {
    return List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(new Object[] {1L, DAY, 10, 2L, 3L, 4L, 1L, 0L, 0L, 0L,
        new BigDecimal("0.5"), new BigDecimal("0.5"), null, "kafka", LocalDateTime.of(2024, 5, 1, 10, 30)})));
  }

  /** A transaction of its own holding the lock on the fact row every commit here upserts. */
  private static Connection lockTheFactRow(Warehouse warehouse) throws SQLException {
    Connection locker = warehouse.connect();
    locker.setAutoCommit(false);
    try (Statement s = locker.createStatement()) {
      s.executeQuery("SELECT clicks FROM events WHERE job_id = 1 FOR UPDATE").close();
    }
    return locker;
  }

  private static long clicks(Warehouse warehouse) throws SQLException {
    try (Connection c = warehouse.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT SUM(clicks) FROM events")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void retriesACommitWhoseLockWaitTimedOutAndAppliesItOnceTheLockIsReleased() throws Exception {
    // The writer's sessions give up on a lock after 1 s (MariaDB error 1205); the lock is held for 3 s.
    Warehouse warehouse = warehouse("?sessionVariables=innodb_lock_wait_timeout=1");
    ExactlyOnceWriter writer = new ExactlyOnceWriter(warehouse);
    writer.commit(SINK, "q", 0, ExactlyOnceWriterIT.range(0), null, oneClick());

    long waited;
    ExactlyOnceWriter.Outcome outcome;
    LocalDateTime firstAttempt;
    try (Connection locker = lockTheFactRow(warehouse)) {
      firstAttempt = databaseNow(locker);
      long started = System.nanoTime();
      CompletableFuture<ExactlyOnceWriter.Outcome> commit = CompletableFuture.supplyAsync(() -> commit(writer, 1));
      Thread.sleep(3_000);
      assertThat(commit).as("still waiting while the lock is held, beyond one lock wait time-out").isNotDone();
      locker.rollback();
      outcome = commit.get(30, TimeUnit.SECONDS);
      waited = System.nanoTime() - started;
    }

    assertThat(outcome.applied()).isTrue();
    assertThat(Duration.ofNanos(waited)).isGreaterThan(Duration.ofSeconds(3));
    assertThat(clicks(warehouse)).as("batch 0 and batch 1, each once").isEqualTo(2);
    assertThat(writer.lastCommit(SINK).orElseThrow().batchId()).isEqualTo(1);
    try (Connection c = warehouse.connect();
        ResultSet rs = c.createStatement().executeQuery("SELECT latest_update_time FROM events")) {
      rs.next();
      // The rows carry a driver time of 2024; the stamp is the database's, taken by the attempt that committed (its
      // statement's start), so after the first attempt's 1 s lock wait ran out.
      assertThat(rs.getObject(1, LocalDateTime.class)).as("stamped by the database in the attempt that committed")
          .isAfterOrEqualTo(firstAttempt.plusSeconds(1));
    }
  }

  private static LocalDateTime databaseNow(Connection c) throws SQLException {
    try (ResultSet rs = c.createStatement().executeQuery("SELECT UTC_TIMESTAMP(3)")) {
      rs.next();
      return rs.getObject(1, LocalDateTime.class);
    }
  }

  @Test
  void retriesACommitWhoseConnectionWasKilledMidCommit() throws Exception {
    Warehouse warehouse = warehouse("");
    ExactlyOnceWriter writer = new ExactlyOnceWriter(warehouse);
    writer.commit(SINK, "q", 0, ExactlyOnceWriterIT.range(0), null, oneClick());

    ExactlyOnceWriter.Outcome outcome;
    try (Connection locker = lockTheFactRow(warehouse)) {
      CompletableFuture<ExactlyOnceWriter.Outcome> commit = CompletableFuture.supplyAsync(() -> commit(writer, 1));
      // The writer has locked stream_commit and now waits on the fact row: kill its connection there.
      long writerConnection = waitForBlockedUpsert(locker);
      try (Statement s = locker.createStatement()) {
        s.execute("KILL CONNECTION " + writerConnection);
      }
      locker.rollback();
      outcome = commit.get(30, TimeUnit.SECONDS);
    }

    assertThat(outcome.applied()).isTrue();
    assertThat(clicks(warehouse)).as("batch 0 and batch 1, each once").isEqualTo(2);
  }

  @Test
  void aFailedRollbackKeepsTheOriginalError() throws Exception {
    Warehouse warehouse = warehouse("");
    assertThatThrownBy(() -> warehouse.inTransaction(c -> {
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO stream_commit (sink, query_id, batch_id, committed_at) VALUES ('x', 'q', 0, NOW())");
      }
      try (Connection other = warehouse.connect(); Statement s = other.createStatement();
          ResultSet rs = c.createStatement().executeQuery("SELECT CONNECTION_ID()")) {
        rs.next();
        s.execute("KILL CONNECTION " + rs.getLong(1));
      }
      throw new SQLException("the work's own failure");
    }))
        .hasMessage("the work's own failure")
        .satisfies(e -> assertThat(e.getSuppressed()).as("the rollback's failure, attached").isNotEmpty());
  }

  private static ExactlyOnceWriter.Outcome commit(ExactlyOnceWriter writer, long batchId) {
    try {
      return writer.commit(SINK, "q", batchId, ExactlyOnceWriterIT.range(batchId), null, oneClick());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long waitForBlockedUpsert(Connection c) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try (PreparedStatement s = c.prepareStatement("SELECT id FROM information_schema.processlist"
        + " WHERE info LIKE 'INSERT INTO `events`%' AND id <> CONNECTION_ID()")) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) return rs.getLong(1);
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the writer never blocked on the locked fact row");
  }
}
