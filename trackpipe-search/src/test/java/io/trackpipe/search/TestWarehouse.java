package io.trackpipe.search;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.embedded.EmbeddedMariaDb;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.summary.DashboardTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Random;
import java.util.UUID;

/**
 * A real MariaDB for this test JVM (started once, stopped at exit) and, per test, a migrated database of its own whose
 * job-ads {@code events} table is filled with seeded rows and whose dashboard tables are summed from them, as the stream
 * keeps them.
 */
final class TestWarehouse {
  static final Domain JOB_ADS = DomainCatalog.load(java.util.List.of(), java.util.List.of()).jobAds();
  private static EmbeddedMariaDb server;

  private TestWarehouse() {}

  static synchronized Warehouse createDatabase(String prefix) {
    if (server == null) {
      try {
        Path dir = Files.createTempDirectory("trackpipe-search-db-");
        server = EmbeddedMariaDb.start(dir, 0);
        EmbeddedMariaDb started = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> started.close()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String name = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    server.createDatabase(name);
    Warehouse warehouse = new Warehouse(WarehouseConfig.unencrypted(server.jdbcUrl(name), server.user(), server.password()));
    warehouse.migrate();
    return warehouse;
  }

  /**
   * {@code rows} distinct hourly fact rows for jobs, days, hours and publishers drawn from {@code seed}, written a day
   * ago; about one in ten without clicks (bid_set NULL) and one in twenty with an unknown job (company_id NULL).
   */
  static void insertEvents(Warehouse warehouse, int rows, long seed) throws SQLException {
    Random random = new Random(seed);
    LocalDateTime written = LocalDateTime.now(java.time.ZoneOffset.UTC).minusDays(1).withNano(123_000_000);
    try (Connection c = warehouse.connect(); PreparedStatement s = c.prepareStatement("INSERT IGNORE INTO events (job_id,"
        + " dates, hours, publisher_id, campaign_id, group_id, impressions, clicks, conversion, qualified_application,"
        + " disqualified_application, bid_set, spend_hour, company_id, sources, latest_update_time)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < rows; i++) {
        long job = i / 48 + 1;
        long clicks = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(40);
        BigDecimal spend = BigDecimal.valueOf(clicks * (10 + random.nextInt(290)), 2);
        s.setLong(1, job);
        s.setObject(2, LocalDate.of(2026, 11, 28).plusDays((i / 24) % 2));
        s.setInt(3, i % 24);
        s.setLong(4, 1 + (job % 3));
        s.setLong(5, 1000 + job % 7);
        s.setLong(6, 100 + job % 5);
        s.setLong(7, clicks * 9 + random.nextInt(9));
        s.setLong(8, clicks);
        s.setLong(9, clicks / 4);
        s.setLong(10, clicks / 8);
        s.setLong(11, clicks / 10);
        s.setBigDecimal(12, clicks == 0 ? null : spend.divide(BigDecimal.valueOf(clicks), 6, RoundingMode.HALF_UP));
        s.setBigDecimal(13, spend);
        if (job % 20 == 0) {
          s.setNull(14, java.sql.Types.BIGINT);
        } else {
          s.setLong(14, 10 + job % 11);
        }
        s.setString(15, i % 3 == 0 ? "kafka,batch" : "kafka");
        s.setObject(16, written.plusSeconds(i));
        s.addBatch();
        if (i % 500 == 499) s.executeBatch();
      }
      s.executeBatch();
      c.commit();
    }
    sumDashboardTables(warehouse);
  }

  /** The dashboard tables summed again from {@code events}: every row rewritten, rows of vanished groups gone. */
  static void sumDashboardTables(Warehouse warehouse) throws SQLException {
    try (Connection c = warehouse.connect()) {
      DashboardTables.fillFromFinest(c, JOB_ADS);
    }
  }

  static int execute(Warehouse warehouse, String sql) throws SQLException {
    try (Connection c = warehouse.connect(); Statement s = c.createStatement()) {
      return s.executeUpdate(sql);
    }
  }
}
