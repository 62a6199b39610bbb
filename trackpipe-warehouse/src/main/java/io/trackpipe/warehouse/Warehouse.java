package io.trackpipe.warehouse;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The warehouse database: connections and schema migrations. Cheap to create; holds no open connection. */
public final class Warehouse {
  private static final Logger log = LoggerFactory.getLogger(Warehouse.class);

  /** Attempts of a retried transaction; with pauses of 0.2, 0.4 … 6.4 s, about 13 s in all (a failover, a restart). */
  public static final int TRANSACTION_ATTEMPTS = 7;
  private static final long FIRST_RETRY_PAUSE_MILLIS = 200;

  private final WarehouseConfig config;

  public Warehouse(WarehouseConfig config) {
    this.config = config;
  }

  public WarehouseConfig config() {
    return config;
  }

  /** A new connection with auto-commit on; callers own and close it. */
  public Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", config.user());
    props.setProperty("password", config.password());
    // UTC on the wire so DATE/DATETIME values are not shifted by the JVM's default zone.
    props.setProperty("connectionTimeZone", "UTC");
    props.setProperty("forceConnectionTimeZoneToSession", "true");
    // A batch of multi-row upserts is pipelined, not sent as the bulk command, which runs row by row (3x slower here).
    props.setProperty("useBulkStmtsForInserts", "false");
    try {
      return DriverManager.getConnection(config.connectionUrl(), props);
    } catch (SQLException e) {
      throw new SQLException("cannot connect to the warehouse at " + config.jdbcUrl() + " as " + config.user()
          + ": " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
    }
  }

  /** Work done inside one transaction. */
  @FunctionalInterface
  public interface TransactionWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in one READ COMMITTED transaction on a new connection: committed if it returns, rolled back if it
   * throws. When the rollback fails too (a lost connection), the work's error is thrown, with the rollback's attached.
   */
  public <T> T inTransaction(TransactionWork<T> work) throws SQLException {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException | RuntimeException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
    }
  }

  /**
   * Runs {@code work} as {@link #inTransaction} does, and again on a new connection while it fails with a
   * {@link TransientSqlErrors transient} error, with growing pauses, up to {@value #TRANSACTION_ATTEMPTS} attempts.
   * {@code work} must be safe to run again: after a lost connection the previous attempt may have committed, so it has
   * to find out (for example by a batch id written in the same transaction).
   *
   * @param what what the transaction does, for the log
   */
  public <T> T inRetriedTransaction(String what, TransactionWork<T> work) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return inTransaction(work);
      } catch (SQLException e) {
        if (attempt >= TRANSACTION_ATTEMPTS || !TransientSqlErrors.isTransient(e)) throw e;
        long pause = FIRST_RETRY_PAUSE_MILLIS << (attempt - 1);
        log.warn("{}: attempt {} of {} failed ({}); trying again in {} ms", what, attempt, TRANSACTION_ATTEMPTS,
            e.getMessage(), pause);
        try {
          Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          e.addSuppressed(interrupted);
          throw e;
        }
      }
    }
  }

  /** Brings the schema to the newest version (Flyway migrations under {@code db/migration}). */
  public void migrate() {
    MigrateResult result = Flyway.configure()
        .dataSource(config.connectionUrl(), config.user(), config.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    if (result.migrationsExecuted > 0) {
      log.info("Warehouse schema migrated to version {} ({} migrations)", result.targetSchemaVersion, result.migrationsExecuted);
    }
  }
}
