package io.trackpipe.serve;

import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.embedded.EmbeddedMariaDb;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.fact.BatchRange;
import io.trackpipe.warehouse.fact.ExactlyOnceWriter;
import io.trackpipe.warehouse.fact.FactBatch;
import io.trackpipe.warehouse.fact.FactColumn;
import io.trackpipe.warehouse.fact.FactColumn.Merge;
import io.trackpipe.warehouse.fact.FactTable;
import io.trackpipe.warehouse.fact.KafkaOffsets;
import io.trackpipe.warehouse.summary.DashboardTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real MariaDB for this test JVM (started once, stopped at exit) and, per test class, a migrated database of its
 * own holding the known facts below.
 */
final class TestWarehouse {
  private static EmbeddedMariaDb server;

  private TestWarehouse() {}

  static synchronized Warehouse createDatabase(String prefix) {
    Warehouse warehouse = createEmptyDatabase(prefix);
    warehouse.migrate();
    return warehouse;
  }

  /** A database of its own on the shared server, not migrated. */
  static synchronized Warehouse createEmptyDatabase(String prefix) {
    if (server == null) {
      try {
        Path dir = Files.createTempDirectory("trackpipe-serve-db-");
        server = EmbeddedMariaDb.start(dir, 0);
        EmbeddedMariaDb started = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          started.close();
          deleteRecursively(dir);
        }));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String name = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    server.createDatabase(name);
    return new Warehouse(WarehouseConfig.unencrypted(server.jdbcUrl(name), server.user(), server.password()));
  }

  /**
   * The account that may only read {@code warehouse}'s database ({@code GRANT SELECT}), as docs/dashboard.md tells
   * operators to create for {@code serve.warehouse.user}: the embedded server's read-only user.
   */
  static synchronized WarehouseConfig readOnlyAccount(Warehouse warehouse) {
    return warehouse.config().withCredentials(server.readerUser(), server.readerPassword());
  }

  /** Today for every test: Wednesday 4 March 2026, 10:15 UTC (facts in UTC). */
  static final java.time.Instant NOW = java.time.Instant.parse("2026-03-04T10:15:00Z");

  /**
   * Jobs 1 and 2 (company 10 Acme, group 100, campaign 1000), job 3 (company 20 Globex, group 200, campaign 2000);
   * publishers 1 JobBoard and 2 Social; five fact rows, four of them in the default range (26 Feb – 4 Mar).
   */
  static void insertKnownFacts(Warehouse warehouse) throws SQLException {
    insertKnownEvents(warehouse);
    fillDashboardTables(warehouse);
  }

  /** {@link #insertKnownFacts}, in {@code events} only (as an installation from before V7 holds them). */
  static void insertKnownEvents(Warehouse warehouse) throws SQLException {
    try (Connection c = warehouse.connect()) {
      exec(c, "INSERT INTO company (id, name) VALUES (10, 'Acme'), (20, 'Globex')");
      exec(c, "INSERT INTO master_publisher (id, name) VALUES (1, 'JobBoard'), (2, 'Social')");
      exec(c, "INSERT INTO job (id, company_id, group_id, campaign_id, title, industry) VALUES"
          + " (1, 10, 100, 1000, 'Data engineer', 'IT'), (2, 10, 100, 1000, 'Backend developer', 'IT'),"
          + " (3, 20, 200, 2000, 'Nurse', 'Health')");
      fact(c, 1, "2026-03-04", 9, 1, 1000, 100, 1000, 40, 4, 3, 1, "20.00", 10L);
      fact(c, 1, "2026-03-04", 10, 2, 1000, 100, 500, 10, 1, 1, 1, "8.00", 10L);
      fact(c, 2, "2026-03-03", 14, 1, 1000, 100, 0, 25, 5, 2, 2, "12.50", 10L);
      fact(c, 3, "2026-03-02", 9, 1, 2000, 200, 2000, 5, 0, 0, 0, "1.00", 20L);
      fact(c, 3, "2026-02-20", 9, 1, 2000, 200, 100, 100, 10, 5, 5, "50.00", 20L);
    }
  }

  /** The stream writes the dashboard's coarser tables with events; facts inserted into events are summed into them. */
  static void fillDashboardTables(Warehouse warehouse) throws SQLException {
    try (Connection c = warehouse.connect()) {
      DashboardTables.fillFromFinest(c, DomainCatalog.load(List.of(), List.of()).domains().get(0));
    }
  }

  /**
   * The signups test domain's table (as the stream creates it from {@code domains/signups.yaml}) and plan names, with
   * known rows: plans 1 Free and 2 Pro; countries 7 and 9; four rows in the default range (26 Feb – 4 Mar), one before.
   */
  static void insertSignups(Warehouse warehouse) throws SQLException {
    try (Connection c = warehouse.connect()) {
      exec(c, "CREATE TABLE signups_hourly (plan_id BIGINT NOT NULL, country_id BIGINT NOT NULL, dates DATE NOT NULL,"
          + " hours INT NOT NULL, signups BIGINT NOT NULL DEFAULT 0, revenue DECIMAL(30, 2) NOT NULL DEFAULT 0,"
          + " sources VARCHAR(32) NOT NULL, latest_update_time DATETIME(3) NOT NULL,"
          + " PRIMARY KEY (plan_id, country_id, dates, hours))");
      exec(c, "CREATE TABLE signup_plan (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL)");
      exec(c, "INSERT INTO signup_plan VALUES (1, 'Free'), (2, 'Pro')");
      exec(c, "INSERT INTO signups_hourly VALUES"
          + " (1, 7, '2026-03-04', 9, 30, 0, 'kafka', '2026-03-04 10:00:00'),"
          + " (2, 7, '2026-03-04', 9, 4, 196.00, 'kafka', '2026-03-04 10:00:00'),"
          + " (2, 9, '2026-03-02', 14, 6, 294.00, 'kafka', '2026-03-04 10:00:00'),"
          + " (1, 9, '2026-03-01', 20, 10, 0, 'kafka', '2026-03-04 10:00:00'),"
          + " (2, 7, '2026-02-10', 8, 50, 2450.00, 'kafka', '2026-03-04 10:00:00')");
    }
  }

  /** The subscriptions test domain's landing page that is longer than a text key keeps. */
  static final String LONG_PAGE = "/landing/" + "a".repeat(241);

  /**
   * The subscriptions test domain's table ({@code domains/subscriptions.yaml}) as the stream creates it (text keys
   * {@code VARCHAR(191)}, compared byte for byte), written by the stream's exactly-once writer, which cuts
   * {@link #LONG_PAGE} to its first 191 characters. In the default range (26 Feb – 4 Mar): VN 14 subscriptions (100 +
   * 80 revenue), vn 2 (20), DE 8 (0 + 50); one row before it.
   */
  static void insertSubscriptions(Warehouse warehouse) throws SQLException {
    String text = "VARCHAR(191) COLLATE utf8mb4_bin NOT NULL";
    FactTable table = new FactTable("subscriptions_hourly", List.of(
        FactColumn.of("type_of_event", Merge.KEY).withSqlType(text),
        FactColumn.of("country", Merge.KEY).withSqlType(text),
        FactColumn.of("page", Merge.KEY).withSqlType(text),
        FactColumn.of("dates", Merge.KEY).withSqlType("DATE NOT NULL"),
        FactColumn.of("hours", Merge.KEY).withSqlType("INT NOT NULL"),
        FactColumn.of("subscriptions", Merge.ADD).withSqlType("BIGINT NOT NULL DEFAULT 0"),
        FactColumn.of("revenue", Merge.ADD).withSqlType("DECIMAL(30, 2) NOT NULL DEFAULT 0"),
        FactColumn.of("sources", Merge.REPLACE).withSqlType("VARCHAR(32) NOT NULL"),
        FactColumn.of("latest_update_time", Merge.WRITE_TIME).withSqlType("DATETIME(3) NOT NULL")));
    try (Connection c = warehouse.connect()) {
      exec(c, table.createSql());
    }
    List<Object[]> rows = List.of(
        subscription("subscribe", "VN", "/pricing", "2026-03-04", 9, 10, "100.00"),
        subscription("renew", "VN", "/account", "2026-03-03", 14, 4, "80.00"),
        subscription("cancel", "DE", "/account", "2026-03-02", 8, 3, "0.00"),
        subscription("subscribe", "vn", "/pricing", "2026-03-01", 20, 2, "20.00"),
        subscription("subscribe", "DE", LONG_PAGE, "2026-03-04", 9, 5, "50.00"),
        subscription("renew", "VN", "/account", "2026-02-10", 8, 50, "1000.00"));
    BatchRange range = new BatchRange(KafkaOffsets.parse("{\"subscriptions-events\":{\"0\":0}}"),
        KafkaOffsets.parse("{\"subscriptions-events\":{\"0\":6}}"));
    new ExactlyOnceWriter(warehouse).commit("subscriptions-stream", "test", 0, range, null,
        List.of(new FactBatch(table, rows)));
  }

  private static Object[] subscription(String event, String country, String page, String date, int hour, long count,
      String revenue) {
    return new Object[] {event, country, page, LocalDate.parse(date), hour, count, new BigDecimal(revenue), "kafka", null};
  }

  private static void fact(Connection c, long job, String date, int hour, long publisher, long campaign, long group,
      long impressions, long clicks, long conversions, long qualified, long unqualified, String spend, Long company)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO events (job_id, dates, hours, publisher_id, campaign_id,"
        + " group_id, impressions, clicks, conversion, qualified_application, disqualified_application, bid_set,"
        + " spend_hour, company_id, sources, latest_update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test',"
        + " '2026-03-04 10:00:00')")) {
      st.setLong(1, job);
      st.setObject(2, LocalDate.parse(date));
      st.setInt(3, hour);
      st.setLong(4, publisher);
      st.setLong(5, campaign);
      st.setLong(6, group);
      st.setLong(7, impressions);
      st.setLong(8, clicks);
      st.setLong(9, conversions);
      st.setLong(10, qualified);
      st.setLong(11, unqualified);
      st.setBigDecimal(12, clicks == 0 ? null : new BigDecimal(spend).divide(BigDecimal.valueOf(clicks), 6,
          java.math.RoundingMode.HALF_UP));
      st.setBigDecimal(13, new BigDecimal(spend));
      st.setObject(14, company);
      st.executeUpdate();
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (var st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Best effort at exit.
    }
  }
}
