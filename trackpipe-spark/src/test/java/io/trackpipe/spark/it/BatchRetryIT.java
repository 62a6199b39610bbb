package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import io.trackpipe.spark.stream.StreamQueries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch whose warehouse commit fails is run again by Spark on restart, with the same input; the re-run must make
 * the same dedup decisions as the failed attempt. A deterministic stand-in for a crash between dedup and commit.
 */
class BatchRetryIT {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @TempDir Path work;



  @Test
  void dropsACopyWhenABatchIsRetriedAfterAFailedCommit() throws Exception {
    StreamFixture f = StreamFixture.create("retry", work);
    // Horizon 4h, lateness 2h. The copy arrives 2h30m after the original (within the horizon: must be dropped, and
    // still in time for its hour); a later event in the same batch moves the horizon past the original's hour.
    LocalDateTime first = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).minusHours(7).plusMinutes(10);
    LocalDateTime later = first.plusHours(5);
    String original = click("retry-a", first);
    f.produce(List.of(send(original, first)));
    StreamFixture.runToEnd(f.job(f.streamConfig()));

    f.produce(List.of(send(original, first.plusMinutes(150)), send(click("retry-b", later), later)));
    // A failing write (not a missing table: the job would create that at start).
    execute(f, "CREATE TRIGGER events_unavailable BEFORE INSERT ON events FOR EACH ROW"
        + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'events unavailable'");
    try {
      StreamQueries failing = f.job(f.streamConfig()).start(StreamFixture.spark());
      try {
        assertThatThrownBy(failing::processAllAvailable).as("the commit fails while events refuses writes")
            .hasStackTraceContaining("events");
      } finally {
        failing.stop();
      }
    } finally {
      execute(f, "DROP TRIGGER events_unavailable");
    }
    StreamFixture.runToEnd(f.job(f.streamConfig()));

    assertThat(f.facts().get(FactRow.key(1, first.toLocalDate(), first.getHour(), 2, 3, 4)).clicks())
        .as("the original, counted once; its copy dropped by the retried batch too").isEqualTo(1);
    assertThat(f.facts().get(FactRow.key(1, later.toLocalDate(), later.getHour(), 2, 3, 4)).clicks()).isEqualTo(1);
  }

  private static void execute(StreamFixture f, String sql) throws Exception {
    try (Connection c = f.warehouse.connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String click(String id, LocalDateTime time) {
    return "{\"create_time\":\"" + id + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":1,\"publisher_id\":2,"
        + "\"campaign_id\":3,\"group_id\":4,\"bid\":0.5,\"custom_track\":\"click\"}";
  }

  private static StreamFixture.Send send(String json, LocalDateTime arrival) {
    return new StreamFixture.Send("1", json.getBytes(StandardCharsets.UTF_8), arrival.toInstant(ZoneOffset.UTC).toEpochMilli());
  }
}
