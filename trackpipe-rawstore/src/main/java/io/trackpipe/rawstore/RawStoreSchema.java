package io.trackpipe.rawstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a domain's raw table, its arrivals index and its layout table when missing ({@link RawTable#createStatements()},
 * generated from the domain's schema), and checks that the table's recorded layout (buckets per hour) is the configured
 * one: readers and writers with different bucket counts would miss rows.
 */
public final class RawStoreSchema {
  private static final Logger log = LoggerFactory.getLogger(RawStoreSchema.class);

  private RawStoreSchema() {}

  /**
   * @throws IllegalStateException when the table was created with another bucket count
   * @throws RawStoreUnavailableException when Cassandra cannot be reached
   */
  public static void apply(CqlSession session, RawTable table) {
    RawStoreConfig config = table.store();
    for (String statement : table.createStatements()) {
      session.execute(SimpleStatement.newInstance(statement).setTimeout(config.requestTimeout().multipliedBy(3)));
    }
    // The layout row is named after the table (job ads: "tracking", as before domains).
    Row layout = session.execute("SELECT buckets_per_hour FROM " + table.qualifiedLayout() + " WHERE name = ?",
        table.name()).one();
    if (layout == null) {
      session.execute("INSERT INTO " + table.qualifiedLayout() + " (name, buckets_per_hour) VALUES (?, ?)",
          table.name(), config.bucketsPerHour());
    } else if (layout.getInt(0) != config.bucketsPerHour()) {
      throw new IllegalStateException("rawstore.buckets-per-hour is " + config.bucketsPerHour() + " but "
          + table.qualifiedName() + " was created with " + layout.getInt(0) + " buckets per hour; set it back to "
          + layout.getInt(0) + " (the bucket count cannot change once rows are stored)");
    }
    log.info("Raw store schema ready: {} ({} buckets per hour)", table.qualifiedName(), config.bucketsPerHour());
  }

  /** Opens a session of its own, applies the schema and closes it. */
  public static void apply(RawTable table) {
    try (CqlSession session = RawStoreSessions.open(table.store())) {
      apply(session, table);
    }
  }
}
