package io.trackpipe.rawstore;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the keyspace and tables of {@value #CQL_RESOURCE} when missing, and checks that the table's recorded layout
 * (buckets per hour) is the configured one: readers and writers with different bucket counts would miss rows.
 */
public final class RawStoreSchema {
  /** The schema, in the repository at {@code trackpipe-rawstore/src/main/resources/cql/tracking.cql}. */
  public static final String CQL_RESOURCE = "cql/tracking.cql";
  private static final Logger log = LoggerFactory.getLogger(RawStoreSchema.class);
  private static final String LAYOUT_NAME = "tracking";

  private RawStoreSchema() {}

  /**
   * @throws IllegalStateException when the table was created with another bucket count
   * @throws RawStoreUnavailableException when Cassandra cannot be reached
   */
  public static void apply(CqlSession session, RawStoreConfig config) {
    for (String statement : statements(config)) {
      session.execute(SimpleStatement.newInstance(statement).setTimeout(config.requestTimeout().multipliedBy(3)));
    }
    Row layout = session.execute("SELECT buckets_per_hour FROM " + config.qualifiedLayoutTable() + " WHERE name = ?",
        LAYOUT_NAME).one();
    if (layout == null) {
      session.execute("INSERT INTO " + config.qualifiedLayoutTable() + " (name, buckets_per_hour) VALUES (?, ?)",
          LAYOUT_NAME, config.bucketsPerHour());
    } else if (layout.getInt(0) != config.bucketsPerHour()) {
      throw new IllegalStateException("rawstore.buckets-per-hour is " + config.bucketsPerHour() + " but "
          + config.qualifiedTable() + " was created with " + layout.getInt(0) + " buckets per hour; set it back to "
          + layout.getInt(0) + " (the bucket count cannot change once rows are stored)");
    }
    log.info("Raw store schema ready: {} ({} buckets per hour)", config.qualifiedTable(), config.bucketsPerHour());
  }

  /** Opens a session of its own, applies the schema and closes it. */
  public static void apply(RawStoreConfig config) {
    try (CqlSession session = RawStoreSessions.open(config)) {
      apply(session, config);
    }
  }

  /** The CQL file's statements with the keyspace, table and replication filled in. */
  static List<String> statements(RawStoreConfig config) {
    String text;
    try (InputStream in = RawStoreSchema.class.getClassLoader().getResourceAsStream(CQL_RESOURCE)) {
      if (in == null) throw new IllegalStateException("resource " + CQL_RESOURCE + " is missing");
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + CQL_RESOURCE, e);
    }
    StringBuilder withoutComments = new StringBuilder();
    for (String line : text.split("\n")) {
      int comment = line.indexOf("--");
      withoutComments.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
    }
    List<String> statements = new ArrayList<>();
    for (String statement : withoutComments.toString().split(";")) {
      String trimmed = statement.trim();
      if (trimmed.isEmpty()) continue;
      statements.add(trimmed.replace("${keyspace}", config.keyspace()).replace("${table}", config.table())
          .replace("${replication}", config.replication()));
    }
    return statements;
  }
}
