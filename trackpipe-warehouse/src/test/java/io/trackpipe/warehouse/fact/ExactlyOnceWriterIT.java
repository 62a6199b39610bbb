package io.trackpipe.warehouse.fact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The exactly-once upsert against a real MariaDB: each test in its own database. */
class ExactlyOnceWriterIT {
  private static final String SINK = "test-sink";
  private static final LocalDate DAY = LocalDate.of(2024, 5, 1);
  private Warehouse warehouse;
  private ExactlyOnceWriter writer;

  @BeforeEach
  void createDatabase() {
    EmbeddedStack stack = EmbeddedStack.shared();
    String name = "wh_" + UUID.randomUUID().toString().substring(0, 8);
    stack.mariaDb().createDatabase(name);
    warehouse = new Warehouse(WarehouseConfig.unencrypted(stack.mariaDb().jdbcUrl(name), stack.mariaDb().user(), stack.mariaDb().password()));
    warehouse.migrate();
    writer = new ExactlyOnceWriter(warehouse);
  }

  /** One {@code events} row: job 1, 2024-05-01 10:00, publisher 2, campaign 3, group 4. */
  private static Object[] row(long clicks, long conversions, String spend, Long companyId) {
    BigDecimal spent = new BigDecimal(spend);
    BigDecimal bidSet = clicks == 0 ? null : spent.divide(BigDecimal.valueOf(clicks), 6, java.math.RoundingMode.HALF_UP);
    return new Object[] {1L, DAY, 10, 2L, 3L, 4L, clicks, conversions, 0L, 0L, spent, bidSet, companyId, "kafka",
        LocalDateTime.of(2024, 5, 1, 10, 30)};
  }

  /** Batch {@code n} of a one-partition topic: offsets 10n to 10(n + 1). */
  static BatchRange range(long n) {
    return range(10 * n, 10 * (n + 1));
  }

  static BatchRange range(long from, long to) {
    return new BatchRange(KafkaOffsets.parse("{\"events\":{\"0\":" + from + "}}"), KafkaOffsets.parse("{\"events\":{\"0\":" + to + "}}"));
  }

  private List<Object> stored() throws Exception {
    try (Connection c = warehouse.connect(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT clicks, conversion, spend_hour, bid_set, company_id FROM events")) {
      assertThat(rs.next()).as("one row").isTrue();
      List<Object> values = new ArrayList<>();
      for (int i = 1; i <= 5; i++) values.add(rs.getObject(i));
      assertThat(rs.next()).as("only one row").isFalse();
      return values;
    }
  }

  @Test
  void addsEachBatchOnceAndSkipsARerunOfACommittedBatch() throws Exception {
    ExactlyOnceWriter.Outcome first = writer.commit(SINK, "query-a", 0, range(0), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(2, 1, "1.50", null)))));
    ExactlyOnceWriter.Outcome rerun = writer.commit(SINK, "query-a", 0, range(0), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(2, 1, "1.50", null)))));
    ExactlyOnceWriter.Outcome second = writer.commit(SINK, "query-a", 1, range(1), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(1, 0, "0.25", 77L)))));

    assertThat(first.applied()).isTrue();
    assertThat(rerun.applied()).as("batch 0 again, as Spark re-runs it after a crash").isFalse();
    assertThat(second.applied()).isTrue();
    List<Object> values = stored();
    assertThat(values.get(0)).as("clicks").isEqualTo(3L);
    assertThat(values.get(1)).as("conversion").isEqualTo(1L);
    assertThat((BigDecimal) values.get(2)).as("spend_hour").isEqualByComparingTo("1.75");
    assertThat((BigDecimal) values.get(3)).as("bid_set, recomputed from the merged sums").isEqualByComparingTo("0.583333");
    assertThat(values.get(4)).as("company_id filled in by a later batch").isEqualTo(77L);
    assertThat(writer.lastCommit(SINK)).contains(new StreamCommit(SINK, "query-a", 1, range(1), null));
  }

  @Test
  void refusesABatchThatDoesNotContinueTheLastCommitExactly() throws Exception {
    writer.commit(SINK, "q", 0, range(0, 10), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(1, 0, "1", null)))));
    writer.commit(SINK, "q", 1, range(10, 20), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(1, 0, "1", null)))));
    List<FactBatch> more = List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(5, 0, "5", null))));

    assertThatThrownBy(() -> writer.commit(SINK, "q", 1, range(10, 25), null, more)).as("batch 1 re-planned over more offsets")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("planned again").hasMessageContaining("--fresh");
    assertThatThrownBy(() -> writer.commit(SINK, "q", 2, range(25, 30), null, more)).as("a gap after the last commit")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("events/0: gap, offsets 20 to 24");
    assertThatThrownBy(() -> writer.commit(SINK, "q", 2, range(15, 30), null, more)).as("an overlap with the last commit")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("events/0: overlap, offsets 15 to 19 would be counted twice");
    assertThatThrownBy(() -> writer.commit(SINK, "q", 0, range(0, 10), null, more)).as("a checkpoint that went back")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("went back");
    assertThat(writer.commit(SINK, "q", 1, range(10, 20), null, more).applied()).as("the same batch again: skipped").isFalse();
    assertThat(stored().get(0)).as("nothing of the refused batches written").isEqualTo(2L);
    assertThat(writer.commit(SINK, "q", 2, range(20, 30), null, more).applied()).as("the batch that continues").isTrue();
    assertThat(stored().get(0)).isEqualTo(7L);
  }

  @Test
  void recordsTheNewestArrivalCommittedAndNeverMovesItBack() throws Exception {
    Instant newest = Instant.parse("2026-12-04T10:15:30.123Z");
    List<FactBatch> none = List.of();
    writer.commit(SINK, "q", 0, range(0), newest, none);
    writer.commit(SINK, "q", 1, range(1), newest.minusSeconds(600), none);
    writer.commit(SINK, "q", 2, range(2), null, none);

    assertThat(writer.lastCommit(SINK).orElseThrow().arrivedUntil()).as("a later batch with older records, then an empty one")
        .isEqualTo(newest);
    writer.commit(SINK, "q", 3, range(3), newest.plusMillis(1), none);
    assertThat(writer.lastCommit(SINK).orElseThrow().arrivedUntil()).isEqualTo(newest.plusMillis(1));
  }

  @Test
  void keepsAKnownCompanyWhenALaterBatchDoesNotKnowIt() throws Exception {
    writer.commit(SINK, "q", 0, range(0), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(1, 0, "1", 55L)))));
    writer.commit(SINK, "q", 1, range(1), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(0, 1, "0", null)))));

    List<Object> values = stored();
    assertThat(values.get(4)).isEqualTo(55L);
    assertThat((BigDecimal) values.get(3)).as("no new clicks: the average stays").isEqualByComparingTo("1");
  }

  @Test
  void refusesCommitsFromAnotherCheckpointAndWritesNothing() throws Exception {
    writer.commit(SINK, "query-a", 5, range(5), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(1, 0, "1", null)))));

    assertThatThrownBy(() -> writer.commit(SINK, "query-b", 0, range(0), null,
        List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(9, 9, "9", null))))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("query-a").hasMessageContaining("--fresh");
    assertThat(stored().get(0)).as("the refused batch left no trace").isEqualTo(1L);
  }

  @Test
  void upsertsManyRowsInChunksInOneTransaction() throws Exception {
    List<Object[]> rows = new ArrayList<>();
    for (long job = 1200; job > 0; job--) {
      rows.add(new Object[] {job, DAY, (int) (job % 24), 2L, 3L, 4L, 1L, 0L, 0L, 0L, new BigDecimal("0.1"),
          new BigDecimal("0.1"), null, "kafka", LocalDateTime.of(2024, 5, 1, 0, 0)});
    }
    writer.commit(SINK, "q", 0, range(0), null, List.of(new FactBatch(FactTables.EVENTS, rows)));
    writer.commit(SINK, "q", 1, range(1), null, List.of(new FactBatch(FactTables.EVENTS, rows)));

    try (Connection c = warehouse.connect(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT COUNT(*), SUM(clicks), SUM(spend_hour) FROM events")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1200);
      assertThat(rs.getLong(2)).isEqualTo(2400);
      assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("240");
    }
  }

  @Test
  void resetForgetsTheSinkAndItsFacts() throws Exception {
    writer.commit(SINK, "query-a", 3, range(3), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(1, 0, "1", null)))));

    writer.reset(SINK, List.of(FactTables.EVENTS.name()));

    assertThat(writer.lastCommit(SINK)).isEmpty();
    assertThat(writer.commit(SINK, "query-b", 0, range(0), null, List.of(new FactBatch(FactTables.EVENTS, List.<Object[]>of(row(2, 0, "2", null)))))
        .applied()).isTrue();
    assertThat(stored().get(0)).isEqualTo(2L);
  }
}
