package io.trackpipe.spark.it;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.rawstore.RawTable;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw store of one test (its own keyspace), a domain's table in it (job ads unless told), and an independent reader: it finds the event hours through the arrivals
 * index, then reads each hour's buckets — the reads the batch job will do, with no scan.
 */
public final class RawStoreFixture {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  public static final Domain JOB_ADS = DomainCatalog.load(java.util.List.of(), java.util.List.of()).jobAds();

  public final RawStoreConfig config;
  public final RawTable table;

  private RawStoreFixture(RawTable table) {
    this.config = table.store();
    this.table = table;
  }

  /** A fresh keyspace on the Cassandra server at {@code contactPoint}. */
  public static RawStoreFixture create(String prefix, String contactPoint) {
    return new RawStoreFixture(RawTable.of(JOB_ADS, RawStoreConfig.defaults(contactPoint, prefix + "_"
        + COUNTER.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000, 36)).withBucketsPerHour(4)));
  }

  public RawStoreFixture withConfig(RawStoreConfig changed) {
    return new RawStoreFixture(new RawTable(changed, table.name(), table.schema()));
  }

  /** The same keyspace, the table of {@code domain}. */
  public RawStoreFixture forDomain(Domain domain) {
    return new RawStoreFixture(RawTable.of(domain, config));
  }

  /** Every stored event by id (the id column); fails on a second row for the same id. */
  public Map<String, Row> rowsById() {
    CqlSession session = RawStoreSessions.get(config);
    TreeSet<Instant> hours = new TreeSet<>();
    for (Row arrival : session.execute("SELECT event_hour FROM " + table.qualifiedArrivals())) {
      hours.add(arrival.getInstant(0)); // the whole (small) index: fine for a test's few arrival hours
    }
    Map<String, Row> rows = new HashMap<>();
    for (Instant hour : hours) {
      for (int bucket = 0; bucket < config.bucketsPerHour(); bucket++) {
        for (Row row : session.execute("SELECT * FROM " + table.qualifiedName() + " WHERE event_hour = ? AND bucket = ?",
            hour, bucket)) {
          Row earlier = rows.put(row.getString(table.idColumn()), row);
          if (earlier != null) throw new AssertionError("two rows for event " + row.getString(table.idColumn()));
        }
      }
    }
    return rows;
  }

  /** Rows in the table, counted without the index (a full count: test-sized tables only). */
  public long countAll() {
    return RawStoreSessions.get(config).execute("SELECT count(*) FROM " + table.qualifiedName()).one().getLong(0);
  }
}
