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
    try {
      return DriverManager.getConnection(config.jdbcUrl(), props);
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
   * throws.
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
        c.rollback();
        throw e;
      }
    }
  }

  /** Brings the schema to the newest version (Flyway migrations under {@code db/migration}). */
  public void migrate() {
    MigrateResult result = Flyway.configure()
        .dataSource(config.jdbcUrl(), config.user(), config.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    if (result.migrationsExecuted > 0) {
      log.info("Warehouse schema migrated to version {} ({} migrations)", result.targetSchemaVersion, result.migrationsExecuted);
    }
  }
}
