package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.domain.Domain;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.spark.batch.BatchConfig;
import io.trackpipe.spark.batch.BatchJob;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch path's recount of the session tables from the raw store (Cassandra) equals what the stream built from the
 * same views in several batches and another order.
 */
class SessionsBatchIT {
  private static final String PAGES = "SELECT url, dates, views, timed_views, time_on_page, entrances, exits, avg_time_on_page,"
      + " exit_rate FROM visit_page_time_daily ORDER BY url, dates";
  private static final String SESSIONS = "SELECT dates, country, device, sessions, pageviews, bounces, duration,"
      + " pages_per_session, bounce_rate, avg_session_duration FROM visit_sessions_daily ORDER BY dates, country, device";

  @TempDir Path work;

  @Test
  void aBackfillOfTheDayRecomputesTheStreamsSessionTablesExactly() throws Exception {
    StreamFixture f = StreamFixture.create("sessbatch", work);
    StreamConfig stream = SessionsStreamIT.visitsOnly(f, SessionsStreamIT.visitsFile(work));
    Domain visits = stream.domains().domains().get(0);
    RawStoreFixture raw = RawStoreFixture.create("sessbatch", EmbeddedCassandra.shared().contactPoint()).forDomain(visits);
    TrackingStreamJob job = new TrackingStreamJob(f.kafka, f.warehouseConfig, stream, raw.config);
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    List<SessionsStreamIT.View> views = new ArrayList<>(SessionsStreamIT.views(hour, 12, 33));
    Collections.shuffle(views, new Random(8));
    Instant arrival = hour.plus(Duration.ofMinutes(61));
    String topic = f.name + "-visits";
    int half = views.size() / 2;
    List<StreamFixture.Send> first = new ArrayList<>();
    views.subList(0, half).forEach(v -> first.add(v.send(arrival)));
    f.produce(topic, first);
    StreamFixture.runToEnd(job);
    List<StreamFixture.Send> second = new ArrayList<>();
    views.subList(half, views.size()).forEach(v -> second.add(v.send(arrival)));
    second.add(views.get(3).send(arrival)); // a copy, counted once by either path
    f.produce(topic, second);
    StreamFixture.runToEnd(job);

    List<String> streamedPages = f.query(PAGES);
    List<String> streamedSessions = f.query(SESSIONS);
    assertThat(streamedSessions).hasSizeGreaterThan(2);
    assertThat(f.query("SELECT DISTINCT sources FROM visit_sessions_daily")).containsExactly("kafka");

    // Three days later everything is settled: a backfill of the day recounts both tables from the raw store.
    BatchJob batch = BatchJob.prepare(StreamFixture.spark(), visits, f.warehouseConfig, raw.config, stream,
        new BatchConfig(Duration.ofMinutes(2), Duration.ofMinutes(10), MetricsEndpointConfig.off()),
        Clock.offset(Clock.systemUTC(), Duration.ofDays(3)));
    LocalDateTime day = LocalDateTime.ofInstant(hour, ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
    batch.backfill(day, day.plusDays(1), line -> { });
    assertThat(f.query("SELECT DISTINCT sources FROM visit_sessions_daily")).containsExactly("cassandra");
    assertThat(f.query("SELECT DISTINCT sources FROM visit_page_time_daily")).containsExactly("cassandra");
    assertThat(f.query(PAGES)).isEqualTo(streamedPages);
    assertThat(f.query(SESSIONS)).isEqualTo(streamedSessions);
    assertThat(batch.verify(day, day.plusDays(1), line -> { }).drifts()).isEmpty();
  }
}
