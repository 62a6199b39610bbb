package io.trackpipe.warehouse.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.session.PageView;
import io.trackpipe.session.SessionFigures;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.fact.BatchRange;
import io.trackpipe.warehouse.fact.ExactlyOnceWriter;
import io.trackpipe.warehouse.fact.KafkaOffsets;
import io.trackpipe.warehouse.rollup.RollupTables;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLTransactionRollbackException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The session stage against a real MariaDB: each warehouse in its own database. */
class SessionStageIT {
  static final String DOMAIN = """
      name: visits
      fields:
        - {name: user_id, type: text, required: true}
        - {name: timestamp, type: timestamp, required: true}
        - {name: url, type: text, required: true}
        - {name: country, type: text}
        - {name: device, type: text}
      id: {hash-of: [user_id, timestamp, url]}
      time: {field: timestamp}
      partition-key: [user_id]
      sessions: {user: user_id, page: url, gap: 30m, dimensions: [country, device]}
      """;
  private static final ZoneId ZONE = ZoneId.of("Asia/Ho_Chi_Minh");
  private static final Duration LATENESS = Duration.ofHours(2);
  private static final long MINUTE = 60_000;
  /** 21:00 local on 2026-12-04: three hours of views cross midnight. */
  private static final long START = LocalDate.of(2026, 12, 4).atTime(21, 0).atZone(ZONE).toInstant().toEpochMilli();

  private final Domain domain = DomainCatalog.parse("visits.yaml", DOMAIN);

  /** A stage over a fresh database with its tables created. */
  private record Installation(Warehouse warehouse, SessionStage stage, ExactlyOnceWriter writer) {
    List<String> rows(String table) throws Exception {
      List<String> rows = new ArrayList<>();
      try (Connection c = warehouse.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder row = new StringBuilder();
          // All but latest_update_time, the database's clock.
          for (int i = 1; i < n; i++) row.append(rs.getString(i)).append('|');
          rows.add(row.toString());
        }
      }
      Collections.sort(rows);
      return rows;
    }

    long stateRows() throws Exception {
      try (Connection c = warehouse.connect(); ResultSet rs = c.createStatement().executeQuery(
          "SELECT COUNT(*) FROM visits__session_views")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private Installation install() throws Exception {
    EmbeddedStack stack = EmbeddedStack.shared();
    String name = "sess_" + UUID.randomUUID().toString().substring(0, 8);
    stack.mariaDb().createDatabase(name);
    Warehouse warehouse = new Warehouse(WarehouseConfig.unencrypted(stack.mariaDb().jdbcUrl(name), stack.mariaDb().user(),
        stack.mariaDb().password()));
    warehouse.migrate();
    SessionTables tables = SessionTables.of(domain);
    new RollupTables(warehouse).ensure(tables.targets());
    SessionStage stage = new SessionStage(tables, ZONE, LATENESS);
    stage.ensureStateTable(warehouse);
    return new Installation(warehouse, stage, new ExactlyOnceWriter(warehouse));
  }

  private static BatchRange range(long n) {
    return new BatchRange(KafkaOffsets.parse("{\"visits\":{\"0\":" + 10 * n + "}}"), KafkaOffsets.parse("{\"visits\":{\"0\":" + 10 * (n + 1) + "}}"));
  }

  /** Views of 6 users over five hours across local midnight, some at equal times, some within a gap, some not. */
  private List<PageView> views(SessionStage stage, int count, long seed) {
    Random random = new Random(seed);
    List<PageView> views = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long time = START + random.nextInt(300) * MINUTE + (random.nextInt(4) == 0 ? 0 : random.nextInt(60_000));
      views.add(stage.view("user-" + random.nextInt(6), time, "event-" + i, "/page/" + random.nextInt(5),
          java.util.Arrays.asList(random.nextInt(5) == 0 ? null : "c" + random.nextInt(2), "d" + random.nextInt(2))));
    }
    return views;
  }

  /**
   * Commits {@code views} in batches of the given sizes, batch ids from {@code firstBatch}, all arriving at the start:
   * any order is then within the allowed lateness (a view the stream counts), and nothing is purged yet.
   */
  private static long commitInBatches(Installation at, List<PageView> views, List<Integer> sizes, long firstBatch) throws Exception {
    long batch = firstBatch;
    int from = 0;
    for (int size : sizes) {
      List<PageView> part = views.subList(from, from + size);
      at.writer().commit("visits-stream", "query", batch, range(batch), Instant.ofEpochMilli(START), List.of(),
          List.of(at.stage().step(part, "kafka")));
      batch++;
      from += size;
    }
    return batch;
  }

  @Test
  void theSameViewsInOtherBatchesAndAnotherOrderGiveTheSameTablesAsARecount() throws Exception {
    Installation together = install();
    List<PageView> views = views(together.stage(), 120, 11);
    commitInBatches(together, views, List.of(views.size()), 0);

    Installation split = install();
    List<PageView> shuffled = new ArrayList<>(views);
    Collections.shuffle(shuffled, new Random(3));
    commitInBatches(split, shuffled, List.of(1, 20, 7, 42, 25, 24, 1), 0);

    Installation reversed = install();
    List<PageView> backwards = new ArrayList<>(views);
    Collections.reverse(backwards);
    commitInBatches(reversed, backwards, List.of(60, 60), 0);

    // The recount: the pure figures of all views at once, as rows (every row's ratios from its own counters).
    SessionFigures all = together.stage().sessionizer().figures(views);
    assertThat(all.sessions().keySet()).as("sessions on both days").extracting(k -> k.get(0)).contains(
        LocalDate.of(2026, 12, 4), LocalDate.of(2026, 12, 5));
    assertThat(all.sessions().values().stream().mapToLong(v -> v[0]).sum()).as("sessions").isGreaterThan(12);
    List<String> pages = together.rows("page_time_daily");
    List<String> sessions = together.rows("sessions_daily");
    assertThat(pages).hasSize(all.pages().size());
    assertThat(sessions).hasSize(all.sessions().size());
    for (Installation other : List.of(split, reversed)) {
      assertThat(other.rows("page_time_daily")).isEqualTo(pages);
      assertThat(other.rows("sessions_daily")).isEqualTo(sessions);
    }
    assertThat(sessions).as("no row of zeros left by a retraction").noneMatch(r -> r.contains("|0|0|0|0.000|"));
  }

  @Test
  void aLateViewBridgingTwoSessionsRetractsTheirRowsAndDeletesARowThatComesBackToZero() throws Exception {
    Installation at = install();
    SessionStage stage = at.stage();
    PageView first = stage.view("u", START, "a", "/a", List.of("VN", "mobile"));
    PageView second = stage.view("u", START + 50 * MINUTE, "c", "/c", List.of("US", "desktop"));
    commitInBatches(at, List.of(first, second), List.of(2), 0);
    assertThat(at.rows("sessions_daily")).containsExactly(
        "2026-12-04|US|desktop|1|1|1|0.000|1.000000|1.000000|0.000000|kafka|",
        "2026-12-04|VN|mobile|1|1|1|0.000|1.000000|1.000000|0.000000|kafka|");

    commitInBatches(at, List.of(stage.view("u", START + 25 * MINUTE, "b", "/b", List.of("US", "desktop"))), List.of(1), 1);
    // One session of three views from the first view's (VN, mobile): the (US, desktop) row came back to 0 and is gone.
    assertThat(at.rows("sessions_daily")).containsExactly("2026-12-04|VN|mobile|1|3|0|3000.000|3.000000|0.000000|3000.000000|kafka|");
    assertThat(at.rows("page_time_daily")).containsExactly(
        "/a|2026-12-04|1|1|1500.000|1|0|1500.000000|0.000000|kafka|",
        "/b|2026-12-04|1|1|1500.000|0|0|1500.000000|0.000000|kafka|",
        "/c|2026-12-04|1|0|0.000|0|1|null|1.000000|kafka|");
  }

  @Test
  void aCommitRolledBackAndRunAgainCountsItsViewsOnce() throws Exception {
    Installation once = install();
    List<PageView> views = views(once.stage(), 120, 5);
    commitInBatches(once, views, List.of(60, 60), 0);

    Installation retried = install();
    commitInBatches(retried, views, List.of(60), 0);
    AtomicInteger attempts = new AtomicInteger();
    ExactlyOnceWriter.CommitStep real = retried.stage().step(views.subList(60, 120), "kafka");
    // The step stores its views and returns its rows, then the transaction fails as in a deadlock: rolled back, run again.
    ExactlyOnceWriter.CommitStep failingOnce = (c, arrivedUntil) -> {
      var rows = real.run(c, arrivedUntil);
      if (attempts.incrementAndGet() == 1) throw new SQLTransactionRollbackException("Deadlock found", "40001", 1213);
      return rows;
    };
    retried.writer().commit("visits-stream", "query", 1, range(1), Instant.ofEpochMilli(START), List.of(), List.of(failingOnce));
    assertThat(attempts.get()).isEqualTo(2);
    assertThat(retried.rows("page_time_daily")).isEqualTo(once.rows("page_time_daily"));
    assertThat(retried.rows("sessions_daily")).isEqualTo(once.rows("sessions_daily"));
    assertThat(retried.stateRows()).isEqualTo(once.stateRows()).isEqualTo(120);
    // And the batch committed again (a restart before Spark knew) changes nothing.
    retried.writer().commit("visits-stream", "query", 1, range(1), Instant.ofEpochMilli(START), List.of(), List.of(real));
    assertThat(retried.rows("sessions_daily")).isEqualTo(once.rows("sessions_daily"));
  }

  @Test
  void theStateHoldsOnlyRecentViewsOverALongRunAndTheTablesStillEqualTheRecount() throws Exception {
    Installation at = install();
    SessionStage stage = at.stage();
    Random random = new Random(9);
    List<PageView> all = new ArrayList<>();
    long maxState = 0;
    long batch = 0;
    // Four days of views, 40 users, an hour of arrivals per batch, each view arriving up to 30 minutes late.
    for (int hour = 0; hour < 96; hour++) {
      long hourStart = START + hour * 60 * MINUTE;
      List<PageView> part = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        long time = hourStart + random.nextInt(60) * MINUTE - random.nextInt(30) * MINUTE;
        part.add(stage.view("user-" + random.nextInt(40), time, "h" + hour + "-" + i, "/p" + random.nextInt(8),
            List.of("c" + random.nextInt(2), "d")));
      }
      all.addAll(part);
      at.writer().commit("visits-stream", "query", batch, range(batch), Instant.ofEpochMilli(hourStart + 60 * MINUTE), List.of(),
          List.of(stage.step(part, "kafka")));
      batch++;
      maxState = Math.max(maxState, at.stateRows());
    }
    // Kept: the views of about allowed lateness + 1 h + gap + margin (4.5 h of 60 an hour) and of the sessions still
    // open then, far fewer than the 5,760 views.
    assertThat(maxState).isLessThan(600);
    assertThat(at.stateRows()).isGreaterThan(0);
    Installation recount = install();
    commitInBatches(recount, all, List.of(all.size()), 0);
    assertThat(at.rows("page_time_daily")).isEqualTo(recount.rows("page_time_daily"));
    assertThat(at.rows("sessions_daily")).isEqualTo(recount.rows("sessions_daily"));
    System.out.printf("state table: at most %d of %d views stored, %d at the end%n", maxState, all.size(), at.stateRows());
  }
}
