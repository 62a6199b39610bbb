package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.rawstore.RawEventWriter;
import io.trackpipe.rawstore.RawStoreSchema;
import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.spark.batch.BatchConfig;
import io.trackpipe.spark.batch.BatchJob;
import io.trackpipe.spark.metrics.MetricsEndpoint;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.spark.stream.CheckpointLocation;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.StreamStatus;
import io.trackpipe.spark.stream.TrackingStreamJob;
import io.trackpipe.warehouse.fact.RangeOverwrite;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch job against real Cassandra and MariaDB (and Kafka with the stream): incremental cycles, the lookback,
 * idempotence, verify and backfill, and the stream and the batch writing the same tables.
 */
class BatchJobIT {
  private static final ZoneId ZONE = ZoneId.of("Asia/Ho_Chi_Minh");
  private static final Duration LATENESS = Duration.ofHours(2);
  private static final BatchConfig BATCH = new BatchConfig(Duration.ofMinutes(2), Duration.ofMinutes(10), MetricsEndpointConfig.off());
  private static final String EVENTS_METRICS = "job_id, dates, hours, publisher_id, campaign_id, group_id, impressions, clicks,"
      + " conversion, qualified_application, disqualified_application, spend_hour, bid_set";

  @TempDir Path work;

  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final AtomicInteger ids = new AtomicInteger();

  /** An event at local time {@code local} (in {@link #ZONE}). */
  private DecodedEvent event(String local, long job, long publisher, String track, Long bidMicros) {
    long millis = LocalDateTime.parse(local).atZone(ZONE).toInstant().toEpochMilli();
    return JobAdsEvents.event("ev-" + ids.incrementAndGet(), millis, job, publisher, 1L, 1L, bidMicros, track);
  }

  /** Writes events to the raw store as a writer whose clock reads {@code writtenAt}. */
  private static void write(RawStoreFixture raw, Instant writtenAt, List<DecodedEvent> events) {
    RawEventWriter writer = new RawEventWriter(RawStoreSessions.get(raw.config), raw.table, Clock.fixed(writtenAt, ZoneOffset.UTC));
    for (DecodedEvent e : events) writer.write(e, writtenAt.toEpochMilli());
    writer.flush();
  }

  private static StreamConfig stream(StreamFixture f, ZoneId zone, Duration lateness) {
    return new StreamConfig(CheckpointLocation.local(f.checkpointDir), "local[2]", Duration.ZERO, 200_000, 2, f.checkpointDir.resolve("dedup"), "earliest",
        zone, lateness, Duration.ofHours(1).plus(lateness).plus(EventLimits.DEFAULT.maxFutureSkew()),
        EventLimits.DEFAULT.maxFutureSkew(), Duration.ofMillis(500), StreamConfig.DEAD_LETTER_MAX_BYTES.defaultValue(), false,
        DomainCatalog.load(List.of(), List.of()));
  }

  @Test
  void cyclesRewriteExactlyTheSettledBucketsThatReceivedRowsAndVerifyFindsDrift() throws Exception {
    StreamFixture f = StreamFixture.create("batch", work);
    RawStoreFixture raw = RawStoreFixture.create("batch", EmbeddedCassandra.shared().contactPoint());
    // Noon local time (UTC+7); yesterday evening is settled, the current hour is not.
    Instant noon = LocalDateTime.parse("2026-11-20T12:00").atZone(ZONE).toInstant();
    TestClock clock = new TestClock(noon);
    RawStoreSchema.apply(RawStoreSessions.get(raw.config), raw.table);
    write(raw, noon.minusSeconds(600), List.of(
        event("2026-11-19T20:10", 1, 1, "click", 500_000L),
        event("2026-11-19T20:20", 1, 1, "click", 250_000L),
        event("2026-11-19T20:30", 1, 1, null, null),
        event("2026-11-19T21:05", 1, 2, "conversion", null),
        event("2026-11-19T21:06", 2, 1, "click", 1_000_000L),
        event("2026-11-20T11:30", 1, 1, "click", 500_000L)));
    BatchJob job = BatchJob.prepare(StreamFixture.spark(), RawStoreFixture.JOB_ADS, f.warehouseConfig, raw.config, stream(f, ZONE, LATENESS), BATCH, clock);

    BatchJob.CycleResult first = job.runCycle();
    assertThat(first.hourlyBuckets()).isEqualTo(2);
    assertThat(first.dailyBuckets()).isEqualTo(1);
    assertThat(f.query("SELECT " + EVENTS_METRICS + ", sources FROM events ORDER BY job_id, dates, hours, publisher_id"))
        .containsExactly(
            "1|2026-11-19|20|1|1|1|1|2|0|0|0|0.75|0.375|cassandra",
            "1|2026-11-19|21|2|1|1|0|0|1|0|0|0|null|cassandra",
            "2|2026-11-19|21|1|1|1|0|1|0|0|0|1|1|cassandra");
    assertThat(f.query("SELECT campaign_id, dates, impressions, clicks, conversions, spend, cpc FROM campaign_daily"))
        .containsExactly("1|2026-11-19|1|3|1|1.75|0.583333");
    // The current hour and today wait until they are settled.
    assertThat(new RangeOverwrite(f.warehouse).watermark(BatchJob.PIPELINE).orElseThrow().pending()).containsExactlyInAnyOrder(
        new RangeOverwrite.PendingBucket("HOURLY", LocalDateTime.parse("2026-11-20T11:00")),
        new RangeOverwrite.PendingBucket("DAILY", LocalDateTime.parse("2026-11-20T00:00")));

    // Nothing new: nothing in the facts changes, not even latest_update_time.
    List<String> before = f.query("SELECT *, latest_update_time FROM events ORDER BY job_id, dates, hours, publisher_id");
    List<String> dailyBefore = f.query("SELECT * FROM campaign_daily ORDER BY dates");
    clock.set(noon.plusSeconds(60));
    BatchJob.CycleResult idle = job.runCycle();
    assertThat(idle.wroteFacts()).isFalse();
    assertThat(f.query("SELECT *, latest_update_time FROM events ORDER BY job_id, dates, hours, publisher_id")).isEqualTo(before);
    assertThat(f.query("SELECT * FROM campaign_daily ORDER BY dates")).isEqualTo(dailyBefore);

    // A row arriving for yesterday's 20:00: only that hour (and its day) is rewritten; 21:00 keeps its rows untouched.
    clock.set(noon.plusSeconds(120));
    write(raw, noon.plusSeconds(110), List.of(event("2026-11-19T20:40", 1, 1, "click", 100_000L)));
    String untouched = f.query("SELECT latest_update_time FROM events WHERE hours = 21 AND job_id = 2").get(0);
    BatchJob.CycleResult late = job.runCycle();
    assertThat(late.hourlyBuckets()).isEqualTo(1);
    assertThat(f.query("SELECT clicks, spend_hour FROM events WHERE dates = '2026-11-19' AND hours = 20")).containsExactly("3|0.85");
    assertThat(f.query("SELECT latest_update_time FROM events WHERE hours = 21 AND job_id = 2")).containsExactly(untouched);
    assertThat(f.query("SELECT clicks FROM campaign_daily WHERE dates = '2026-11-19'")).containsExactly("4");

    // A write stamped before the watermark but stored after the cycle read the index (in flight): inside the lookback it
    // is picked up by the next cycle; one stamped further back than the lookback is not (verify reports it).
    Instant watermark = late.watermark();
    write(raw, watermark.minusSeconds(60), List.of(event("2026-11-19T21:30", 2, 1, "click", 1_000_000L)));
    write(raw, watermark.minusSeconds(600), List.of(event("2026-11-19T22:30", 3, 1, "click", 1_000_000L)));
    clock.set(noon.plusSeconds(180));
    job.runCycle();
    assertThat(f.query("SELECT clicks FROM events WHERE job_id = 2 AND hours = 21")).containsExactly("2");
    assertThat(f.query("SELECT COUNT(*) FROM events WHERE job_id = 3")).containsExactly("0");

    // verify: the row outside the lookback and an injected drift, named by table, bucket and column.
    execute(f, "UPDATE events SET clicks = clicks + 5 WHERE job_id = 1 AND dates = '2026-11-19' AND hours = 20");
    BatchJob.VerifyReport report = job.verify(LocalDateTime.parse("2026-11-19T00:00"), LocalDateTime.parse("2026-11-20T00:00"),
        line -> { });
    assertThat(report.drifts()).extracting(d -> d.table() + " " + d.bucket() + " " + d.column() + " " + d.warehouse() + " " + d.raw())
        .containsExactlyInAnyOrder("events hour 2026-11-19T20:00 clicks 8 3", "events hour 2026-11-19T22:00 clicks (no row) 1",
            // the 20:00 row's spend is right; the day's tables were rewritten by the 21:30 row's cycle (from all its rows)
            "events hour 2026-11-19T22:00 spend_hour (no row) 1", "traffic_hourly hour 2026-11-19T22:00 clicks (no row) 1",
            // the dashboard's hourly tables are rollups too: the same missing 22:00 row (the manual UPDATE touched events alone)
            "dashboard_hour hour 2026-11-19T22:00 clicks (no row) 1", "dashboard_hour hour 2026-11-19T22:00 spend_hour (no row) 1",
            "dashboard_hour_publisher hour 2026-11-19T22:00 clicks (no row) 1",
            "dashboard_hour_publisher hour 2026-11-19T22:00 spend_hour (no row) 1",
            "dashboard_hour_campaign hour 2026-11-19T22:00 clicks (no row) 1",
            "dashboard_hour_campaign hour 2026-11-19T22:00 spend_hour (no row) 1",
            "dashboard_hour_company hour 2026-11-19T22:00 clicks (no row) 1",
            "dashboard_hour_company hour 2026-11-19T22:00 spend_hour (no row) 1");

    // backfill repairs both; verify is then clean. A range with unsettled buckets is refused, writing nothing.
    assertThatThrownBy(() -> job.backfill(LocalDateTime.parse("2026-11-20T10:00"), LocalDateTime.parse("2026-11-20T12:00"),
        line -> { })).hasMessageContaining("hour 2026-11-20T10:00").hasMessageContaining("not settled");
    List<String> progress = new ArrayList<>();
    BatchJob.BackfillResult backfill = job.backfill(LocalDateTime.parse("2026-11-19T00:00"),
        LocalDateTime.parse("2026-11-20T00:00"), progress::add);
    assertThat(backfill.hourlyBuckets()).isEqualTo(24);
    assertThat(progress).hasSize(1);
    assertThat(job.verify(LocalDateTime.parse("2026-11-19T00:00"), LocalDateTime.parse("2026-11-20T00:00"), line -> { })
        .drifts()).isEmpty();

    // Once the current hour has settled, the next cycle writes it from the pending list.
    clock.set(LocalDateTime.parse("2026-11-20T14:15").atZone(ZONE).toInstant());
    BatchJob.CycleResult settled = job.runCycle();
    // 11:00, and once more yesterday 20:00: its last write is within the lookback before the watermark (same rows again).
    assertThat(settled.hourlyBuckets()).isEqualTo(2);
    assertThat(f.query("SELECT clicks FROM events WHERE dates = '2026-11-20' AND hours = 11")).containsExactly("1");
    assertThat(settled.pending()).isEqualTo(1); // today, until 02:10 tomorrow

    // The job's Prometheus metrics, on the stream's endpoint code.
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(new MetricsEndpointConfig("127.0.0.1", Optional.of(0)),
        job.metrics().registry()).orElseThrow()) {
      String scraped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint.url()).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(scraped).contains("trackpipe_batch_cycles_total 5.0", "trackpipe_batch_pending_buckets 1.0",
          "trackpipe_batch_hours_rewritten_total 7.0");
    }
  }

  @Test
  void streamAndBatchShareTheTablesWithoutCountingTwiceAndBackfillEqualsTheStream() throws Exception {
    StreamFixture f = StreamFixture.create("batchstream", work);
    RawStoreFixture raw = RawStoreFixture.create("batchstream", EmbeddedCassandra.shared().contactPoint());
    Duration lateness = Duration.ofMinutes(30);
    StreamConfig streamConfig = stream(f, ZoneId.of("UTC"), lateness);
    TrackingStreamJob streamJob = new TrackingStreamJob(f.kafka, f.warehouseConfig, streamConfig, raw.config);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    // Events three hours old are too late for the stream (its lateness is 30 min) but stored raw; recent ones count.
    List<StreamFixture.Send> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) sent.add(send(now.minus(Duration.ofHours(3)).plusSeconds(i), now, i));
    for (int i = 0; i < 300; i++) sent.add(send(now.minus(Duration.ofMinutes(10)).plusMillis(i * 100L), now, 1000 + i));
    sent.add(sent.get(305)); // a copy: counted once by either path
    f.produce(sent);
    StreamStatus status = StreamFixture.runToEnd(streamJob);
    assertThat(status.eventsTooLate()).isEqualTo(300);

    BatchConfig batch = new BatchConfig(Duration.ofMinutes(2), Duration.ofMinutes(1), MetricsEndpointConfig.off());
    BatchJob job = BatchJob.prepare(StreamFixture.spark(), RawStoreFixture.JOB_ADS, f.warehouseConfig, raw.config, streamConfig, batch, Clock.systemUTC());
    BatchJob.CycleResult cycle = job.runCycle();
    assertThat(cycle.pending()).isGreaterThan(0); // the recent hour stays the stream's
    // The stream adds more to the recent, unsettled hour; the next cycle leaves it alone.
    List<StreamFixture.Send> more = new ArrayList<>();
    for (int i = 0; i < 200; i++) more.add(send(now.minus(Duration.ofMinutes(5)).plusMillis(i * 100L), Instant.now(), 2000 + i));
    f.produce(more);
    StreamFixture.runToEnd(streamJob);
    job.runCycle();

    // Every event once: the stream's recent hours plus the old hour healed by the batch.
    List<StreamFixture.Send> all = new ArrayList<>(sent);
    all.addAll(more);
    assertThat(f.facts()).isEqualTo(Recount.of(all, Map.of(), Duration.ofDays(365)));
    assertThat(f.query("SELECT DISTINCT sources FROM events WHERE dates = '" + LocalDateTime.ofInstant(now.minus(Duration.ofHours(3)),
        ZoneOffset.UTC).toLocalDate() + "' AND hours = " + LocalDateTime.ofInstant(now.minus(Duration.ofHours(3)), ZoneOffset.UTC)
        .getHour())).containsExactly("cassandra");

    // Once everything is settled, a backfill of the whole range rewrites exactly what is there.
    List<String> streamed = f.query("SELECT " + EVENTS_METRICS + " FROM events ORDER BY job_id, dates, hours, publisher_id, campaign_id");
    List<String> daily = f.query("SELECT * FROM publisher_daily ORDER BY publisher_id, dates");
    BatchJob later = BatchJob.prepare(StreamFixture.spark(), RawStoreFixture.JOB_ADS, f.warehouseConfig, raw.config, streamConfig, batch,
        Clock.offset(Clock.systemUTC(), Duration.ofDays(3)));
    LocalDateTime from = LocalDateTime.ofInstant(now.minus(Duration.ofHours(4)), ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
    later.backfill(from, from.plusDays(2), line -> { });
    assertThat(f.query("SELECT " + EVENTS_METRICS + " FROM events ORDER BY job_id, dates, hours, publisher_id, campaign_id"))
        .isEqualTo(streamed);
    assertThat(f.query("SELECT COUNT(*) FROM events WHERE sources <> 'cassandra'")).containsExactly("0");
    assertThat(daily).isNotEmpty();
    assertThat(later.verify(from, from.plusDays(2), line -> { }).drifts()).isEmpty();
  }

  @Test
  void aBucketWaitsUntilTheStreamHasCommittedPastItsLatenessWhateverTheWallClockSays() throws Exception {
    StreamFixture f = StreamFixture.create("batchrace", work);
    RawStoreFixture raw = RawStoreFixture.create("batchrace", EmbeddedCassandra.shared().contactPoint());
    Duration lateness = Duration.ofMinutes(30);
    StreamConfig streamConfig = stream(f, ZoneId.of("UTC"), lateness);
    TrackingStreamJob streamJob = new TrackingStreamJob(f.kafka, f.warehouseConfig, streamConfig, raw.config);
    // An hour that ended three hours ago: by the wall clock settled long since (end + 30 min + 1 min).
    Instant hourStart = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(4));
    Instant hourEnd = hourStart.plus(Duration.ofHours(1));
    // The stream is behind (a raw-store outage, a backlog): it has committed what arrived until 10 min after the end.
    List<StreamFixture.Send> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) sent.add(send(hourStart.plusSeconds(30L * i), hourEnd.plus(Duration.ofMinutes(10)), i));
    f.produce(sent);
    StreamFixture.runToEnd(streamJob);

    BatchConfig batch = new BatchConfig(Duration.ofMinutes(2), Duration.ofMinutes(1), MetricsEndpointConfig.off());
    BatchJob job = BatchJob.prepare(StreamFixture.spark(), RawStoreFixture.JOB_ADS, f.warehouseConfig, raw.config, streamConfig, batch, Clock.systemUTC());
    BatchJob.CycleResult waiting = job.runCycle();
    assertThat(waiting.hourlyBuckets()).as("the hour is left to the stream, which may still add to it").isZero();
    assertThat(waiting.pending()).isGreaterThan(0);
    String hour = "dates = '" + LocalDateTime.ofInstant(hourStart, ZoneOffset.UTC).toLocalDate() + "' AND hours = "
        + LocalDateTime.ofInstant(hourStart, ZoneOffset.UTC).getHour();
    assertThat(f.query("SELECT DISTINCT sources FROM events WHERE " + hour)).containsExactly("kafka");

    // The stream catches up: more events that arrived in time for the hour, then one that arrived just now.
    List<StreamFixture.Send> more = new ArrayList<>();
    for (int i = 0; i < 50; i++) more.add(send(hourStart.plusSeconds(60L * i + 7), hourEnd.plus(Duration.ofMinutes(20)), 500 + i));
    more.add(send(Instant.now().minusSeconds(5), Instant.now(), 900));
    f.produce(more);
    StreamFixture.runToEnd(streamJob);
    BatchJob.CycleResult settled = job.runCycle();

    assertThat(settled.hourlyBuckets()).as("now past the hour's end + lateness: rewritten").isGreaterThanOrEqualTo(1);
    assertThat(f.query("SELECT DISTINCT sources FROM events WHERE " + hour)).containsExactly("cassandra");
    List<StreamFixture.Send> all = new ArrayList<>(sent);
    all.addAll(more);
    assertThat(f.facts()).as("every event once").isEqualTo(Recount.of(all, Map.of(), lateness));
  }

  @Test
  void recomputesAUsersDomainFromItsOwnRawTable() throws Exception {
    StreamFixture f = StreamFixture.create("batchsignups", work);
    Domain signups;
    try (var in = BatchJobIT.class.getClassLoader().getResourceAsStream("domains/signups.yaml")) {
      signups = DomainCatalog.parse("signups.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    RawStoreFixture raw = RawStoreFixture.create("batchsignups", EmbeddedCassandra.shared().contactPoint()).forDomain(signups);
    RawStoreSchema.apply(RawStoreSessions.get(raw.config), raw.table);
    Instant noon = Instant.parse("2026-11-20T12:00:00Z");
    EventDecoder decoder = new EventDecoder(signups.schema(), EventLimits.DEFAULT);
    List<DecodedEvent> events = new ArrayList<>();
    for (String json : List.of(
        "{\"account_id\":1,\"at\":\"2026-11-19T10:05:00Z\",\"plan\":\"pro\",\"amount\":12.5,\"confirmed\":true}",
        "{\"account_id\":1,\"at\":\"2026-11-19T10:05:00Z\",\"plan\":\"pro\",\"amount\":12.5,\"confirmed\":true}",
        "{\"account_id\":2,\"at\":\"2026-11-19T10:40:00Z\",\"plan\":\"free\",\"amount\":0,\"confirmed\":false}",
        "{\"account_id\":3,\"at\":\"2026-11-19T10:59:59Z\",\"plan\":\"pro\",\"amount\":7.25,\"confirmed\":true}",
        "{\"account_id\":4,\"at\":1795086900,\"plan\":\"free\",\"amount\":0,\"country\":\"VN\",\"confirmed\":true}")) {
      events.add(((DecodeResult.Accepted) decoder.decode(json, noon.toEpochMilli())).event());
    }
    RawEventWriter writer = new RawEventWriter(RawStoreSessions.get(raw.config), raw.table,
        Clock.fixed(noon.minusSeconds(600), ZoneOffset.UTC));
    for (DecodedEvent e : events) writer.write(e, noon.minusSeconds(600).toEpochMilli());
    writer.flush();
    assertThat(raw.rowsById()).as("the copy collapses onto its hashed id").hasSize(4);

    BatchJob job = BatchJob.prepare(StreamFixture.spark(), signups, f.warehouseConfig, raw.config,
        stream(f, ZoneId.of("UTC"), LATENESS), BATCH, new TestClock(noon));
    BatchJob.CycleResult cycle = job.runCycle();
    assertThat(cycle.hourlyBuckets()).isEqualTo(2);
    // By hand: 10:00 has two pro signups (12.50 + 7.25; the copy once) and one free; 11:00 (epoch seconds
    // 1795086900 = 11:15) one free.
    assertThat(f.query("SELECT plan, dates, hours, signups, revenue, sources FROM signups_daily ORDER BY dates, hours, plan"))
        .containsExactly(
            "free|2026-11-19|10|1|0|cassandra",
            "pro|2026-11-19|10|2|19.75|cassandra",
            "free|2026-11-19|11|1|0|cassandra");
    assertThat(new RangeOverwrite(f.warehouse).watermark("raw-to-warehouse:signups")).isPresent();
    assertThat(new RangeOverwrite(f.warehouse).watermark(BatchJob.PIPELINE)).as("job ads' watermark untouched").isEmpty();
    assertThat(job.verify(LocalDateTime.parse("2026-11-19T00:00"), LocalDateTime.parse("2026-11-20T00:00"), line -> { })
        .drifts()).isEmpty();
  }

  private static final String[] TRACKS = {"click", "click", "conversion", "qualified", "unqualified", ""};
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /** Event number {@code n} at {@code time}, arriving at {@code arrival}; its fields derived from n. */
  private static StreamFixture.Send send(Instant time, Instant arrival, int n) {
    String track = TRACKS[n % TRACKS.length];
    String json = "{\"create_time\":\"e-" + n + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":" + (1 + n % 4)
        + ",\"publisher_id\":" + (1 + n % 3) + ",\"campaign_id\":" + (1 + n % 2) + ",\"group_id\":1"
        + (track.isEmpty() ? "" : ",\"custom_track\":\"" + track + "\"") + ",\"bid\":" + (n % 7) / 4.0 + "}";
    return new StreamFixture.Send(null, json.getBytes(StandardCharsets.UTF_8), arrival.toEpochMilli());
  }

  private static void execute(StreamFixture f, String sql) throws Exception {
    try (Connection c = f.warehouse.connect(); Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }
}
