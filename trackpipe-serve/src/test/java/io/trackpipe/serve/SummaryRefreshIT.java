package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.serve.query.ConnectionPool;
import io.trackpipe.serve.query.FactFilter;
import io.trackpipe.serve.query.FactQueries;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.summary.SummaryRefresher;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The summaries follow events: a full build first, then only the hours written since, and a reset empties them. */
class SummaryRefreshIT {

  @Test
  void recomputesOnlyTheHoursWrittenSinceTheLastRun() throws Exception {
    Warehouse warehouse = TestWarehouse.createDatabase("summary");
    TestWarehouse.insertKnownFacts(warehouse);
    SummaryRefresher refresher = new SummaryRefresher(warehouse, Duration.ofMinutes(2));
    assertThat(refresher.ready()).isFalse();

    SummaryRefresher.Run build = refresher.refresh();
    assertThat(build.hours()).isEqualTo(5);
    assertThat(build.days()).isEqualTo(4);
    assertThat(refresher.ready()).isTrue();
    FactFilter all = FactFilter.dates(LocalDate.parse("2026-01-01"), LocalDate.parse("2026-03-31"));
    try (ConnectionPool pool = new ConnectionPool(warehouse, 1)) {
      FactQueries summaries = new FactQueries(pool, Duration.ofSeconds(10), () -> true);
      assertThat(summaries.totals(all).clicks()).isEqualTo(180);

      // The test facts were written "at" 2026-03-04 10:00, long before now: only the row written now counts as new.
      exec(warehouse, "UPDATE events SET clicks = clicks + 5, latest_update_time = UTC_TIMESTAMP(3)"
          + " WHERE job_id = 2 AND dates = '2026-03-03' AND hours = 14");
      SummaryRefresher.Run next = refresher.refresh();
      assertThat(next.hours()).isEqualTo(1);
      assertThat(next.days()).isEqualTo(1);
      assertThat(summaries.totals(all).clicks()).isEqualTo(185);

      exec(warehouse, "DELETE FROM events");
      refresher.refresh();
      assertThat(summaries.totals(all).clicks()).isZero();
    }
  }

  private static void exec(Warehouse warehouse, String sql) throws Exception {
    try (Connection c = warehouse.connect(); Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }
}
