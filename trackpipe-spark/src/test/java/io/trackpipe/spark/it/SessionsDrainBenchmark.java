package io.trackpipe.spark.it;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.StreamStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not part of the suite (no IT suffix): the stream's drain of a clickstream backlog with sessions on and off, and the
 * state table's size during the run. Run it by name:
 * {@code mvn -pl trackpipe-spark -am verify -Dtest=none -Dit.test=SessionsDrainBenchmark -Dsessions.views=300000 …}.
 */
class SessionsDrainBenchmark {
  @TempDir Path work;

  @Test
  void drainsABacklogWithAndWithoutSessions() throws Exception {
    int count = Integer.getInteger("sessions.views", 300_000);
    int hours = Integer.getInteger("sessions.hours", 12);
    Path withSessions = SessionsStreamIT.visitsFile(work);
    String text = Files.readString(withSessions);
    Path without = Files.writeString(work.resolve("visits-plain.yaml"), text.substring(0, text.indexOf("\nsessions:") + 1));
    List<StreamFixture.Send> sends = views(count, hours, 17);
    System.out.printf("%,d views of %d hours%n", count, hours);
    run("sessions off", without, sends, false);
    run("sessions on", withSessions, sends, true);
  }

  private void run(String label, Path file, List<StreamFixture.Send> sends, boolean sessions) throws Exception {
    StreamFixture f = StreamFixture.create("sessbench", work);
    Domain visits = f.onOwnTopics(DomainCatalog.load(List.of(file), List.of()).domain("visits").orElseThrow());
    StreamConfig base = f.streamConfig();
    StreamConfig stream = new StreamConfig(base.checkpointDir(), base.sparkMaster(), base.triggerInterval(), 50_000,
        base.shufflePartitions(), base.dedupStoreDir(), base.startingOffsets(), base.timeZone(), base.allowedLateness(),
        base.dedupHorizon(), base.maxFutureSkew(), base.dimensionRefresh(), base.deadLetterMaxBytes(), base.acceptDedupStoreLoss(),
        new DomainCatalog(List.of(visits)));
    f.produce(f.name + "-visits", sends);
    AtomicLong maxState = new AtomicLong();
    ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor();
    if (sessions) {
      poll.scheduleWithFixedDelay(() -> {
        try {
          maxState.accumulateAndGet(Long.parseLong(f.query("SELECT COUNT(*) FROM visits__session_views").get(0)), Math::max);
        } catch (Exception e) {
          // the table is created when the query starts
        }
      }, 0, 500, TimeUnit.MILLISECONDS);
    }
    long started = System.nanoTime();
    StreamStatus status = StreamFixture.runToEnd(f.job(stream));
    double seconds = (System.nanoTime() - started) / 1e9;
    poll.shutdownNow();
    System.out.printf("%s: %,d counted in %.1f s (start included): %,.0f views/s%n", label, status.eventsCounted(), seconds,
        status.eventsCounted() / seconds);
    if (sessions) {
      System.out.printf("  state table: at most %,d rows during the run, %,d at the end; %s sessions, %s page rows%n", maxState.get(),
          Long.parseLong(f.query("SELECT COUNT(*) FROM visits__session_views").get(0)),
          f.query("SELECT SUM(sessions) FROM visit_sessions_daily").get(0), f.query("SELECT COUNT(*) FROM visit_page_time_daily").get(0));
    }
  }

  /**
   * {@code count} views of 8,000 users over the last {@code hours} hours, in time order, each arriving a minute after
   * its time: a backlog whose arrivals advance, so the purge runs as it would live.
   */
  private static List<StreamFixture.Send> views(int count, int hours, long seed) {
    Random random = new Random(seed);
    Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(hours));
    long span = Duration.ofHours(hours).toMillis() - 120_000;
    long[] times = new long[count];
    for (int i = 0; i < count; i++) times[i] = start.toEpochMilli() + (long) (random.nextDouble() * span);
    java.util.Arrays.sort(times);
    List<StreamFixture.Send> sends = new ArrayList<>(count);
    String[] countries = {"VN", "FR", "US", "DE", "JP"};
    String[] devices = {"desktop", "mobile", "tablet"};
    for (int i = 0; i < count; i++) {
      String user = "user-" + random.nextInt(8_000);
      String json = "{\"user_id\":\"" + user + "\",\"timestamp\":\"" + Instant.ofEpochMilli(times[i]) + "\",\"url\":\"/page/"
          + random.nextInt(200) + "\",\"country\":\"" + countries[random.nextInt(5)] + "\",\"city\":\"c\",\"browser\":\"b\","
          + "\"os\":\"o\",\"device\":\"" + devices[random.nextInt(3)] + "\"}";
      sends.add(new StreamFixture.Send(user, json.getBytes(StandardCharsets.UTF_8), Math.min(times[i] + 60_000, System.currentTimeMillis())));
    }
    return sends;
  }
}
