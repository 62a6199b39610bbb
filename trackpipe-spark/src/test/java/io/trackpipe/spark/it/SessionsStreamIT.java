package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.StreamStatus;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clickstream domain with sessions (test resource {@code domains/visits.yaml}) through Kafka, in several batches:
 * views out of order across batches, copies, a view too late to count, a malformed record. The session tables must
 * equal a plain recount of the counted views, written here without the pipeline's code.
 */
class SessionsStreamIT {
  /** A shorter gap than the file's, through the domain's gap override (as {@code stream.session-gap} does). */
  private static final Duration GAP = Duration.ofMinutes(10);

  @TempDir Path work;

  static Path visitsFile(Path dir) throws Exception {
    try (InputStream in = SessionsStreamIT.class.getClassLoader().getResourceAsStream("domains/visits.yaml")) {
      return Files.write(dir.resolve("visits.yaml"), in.readAllBytes());
    }
  }

  /** The visits domain alone, on this test's topics, with the test's gap. */
  static StreamConfig visitsOnly(StreamFixture f, Path file) {
    Domain visits = f.onOwnTopics(DomainCatalog.load(List.of(file), List.of()).domain("visits").orElseThrow())
        .withSessionGap(GAP);
    return f.streamConfig().withDomains(new DomainCatalog(List.of(visits)));
  }

  /** One view as the tracker sends it. */
  record View(String user, Instant time, String url, String country, String device) {
    String json() {
      return "{\"user_id\":\"" + user + "\",\"timestamp\":\"" + time + "\",\"url\":\"" + url + "\","
          + (country == null ? "" : "\"country\":\"" + country + "\",") + "\"city\":\"Hanoi\",\"browser\":\"Firefox\","
          + "\"os\":\"Linux\",\"device\":\"" + device + "\"}";
    }

    StreamFixture.Send send(Instant arrival) {
      return new StreamFixture.Send(user, json().getBytes(StandardCharsets.UTF_8), arrival.toEpochMilli());
    }
  }

  /**
   * Views of 12 users within one UTC hour (one day, whatever the time the test runs): each user's views 0 to 15
   * minutes apart, at distinct milliseconds, so sessions both continue and end.
   */
  static List<View> views(Instant hour, int perUser, long seed) {
    Random random = new Random(seed);
    List<View> views = new ArrayList<>();
    for (int u = 0; u < 12; u++) {
      long t = hour.toEpochMilli() + random.nextInt(5 * 60_000);
      for (int i = 0; i < perUser && t < hour.toEpochMilli() + 3_590_000; i++) {
        views.add(new View("user-" + u, Instant.ofEpochMilli(t), "/page/" + random.nextInt(6),
            random.nextInt(6) == 0 ? null : random.nextBoolean() ? "VN" : "FR", random.nextBoolean() ? "mobile" : "desktop"));
        t += 1 + random.nextInt(15 * 60_000);
      }
    }
    return views;
  }

  @Test
  void theSessionTablesEqualARecountWhateverBatchesAndOrderTheViewsCameIn() throws Exception {
    StreamFixture f = StreamFixture.create("sessions", work);
    StreamConfig stream = visitsOnly(f, visitsFile(work));
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    List<View> views = views(hour, 14, 21);
    List<View> shuffled = new ArrayList<>(views);
    Collections.shuffle(shuffled, new Random(4));
    int third = shuffled.size() / 3;
    Instant arrival = hour.plus(Duration.ofMinutes(61));
    String topic = f.name + "-visits";

    // Batch 1: a third of the views in random order, one of them twice.
    List<StreamFixture.Send> first = new ArrayList<>();
    shuffled.subList(0, third).forEach(v -> first.add(v.send(arrival)));
    first.add(shuffled.get(0).send(arrival));
    f.produce(topic, first);
    StreamFixture.runToEnd(f.job(stream));

    // Batch 2: the next third (many earlier than batch 1's, in the middle of its sessions or between them), a copy of
    // a view of batch 1, a view too late to count (its hour ended more than the allowed lateness ago), bad JSON.
    List<StreamFixture.Send> second = new ArrayList<>();
    shuffled.subList(third, 2 * third).forEach(v -> second.add(v.send(arrival)));
    second.add(shuffled.get(1).send(arrival));
    View tooLate = new View("user-1", hour.minus(Duration.ofHours(4)), "/late", "VN", "mobile");
    second.add(tooLate.send(arrival));
    second.add(new StreamFixture.Send("user-2", "{\"user_id\":".getBytes(StandardCharsets.UTF_8), arrival.toEpochMilli()));
    f.produce(topic, second);
    StreamFixture.runToEnd(f.job(stream));

    // Batch 3: the rest.
    List<StreamFixture.Send> last = new ArrayList<>();
    shuffled.subList(2 * third, shuffled.size()).forEach(v -> last.add(v.send(arrival)));
    f.produce(topic, last);
    StreamStatus status = StreamFixture.runToEnd(f.job(stream));
    assertThat(status.eventsCounted()).as("counted in the last run").isEqualTo(shuffled.size() - 2 * third);

    Recount recount = Recount.of(views, GAP);
    assertThat(recount.sessions()).as("sessions in the data").hasSizeGreaterThan(2);
    assertThat(f.query("SELECT url, dates, views, timed_views, time_on_page, entrances, exits FROM visit_page_time_daily"
        + " ORDER BY url, dates")).containsExactlyInAnyOrderElementsOf(recount.pages());
    assertThat(f.query("SELECT dates, country, device, sessions, pageviews, bounces, duration FROM visit_sessions_daily"
        + " ORDER BY dates, country, device")).containsExactlyInAnyOrderElementsOf(recount.sessions());
    // Ratios are the row's own counters divided.
    assertThat(f.query("SELECT COUNT(*) FROM visit_sessions_daily WHERE bounce_rate <> ROUND(bounces / sessions, 6)"
        + " OR pages_per_session <> ROUND(pageviews / sessions, 6)")).containsExactly("0");
    assertThat(f.query("SELECT SUM(views) FROM visits_hourly")).containsExactly(String.valueOf(views.size()));
    assertThat(f.query("SELECT COUNT(*) FROM visits__session_views")).as("every counted view stored, none purged yet")
        .containsExactly(String.valueOf(views.size()));
  }

  /**
   * The two tables recounted from scratch, as rows of text: each user's views by time; a new session after more than
   * the gap or on another day; time on page to the next view in the session.
   */
  record Recount(List<String> pages, List<String> sessions) {
    static Recount of(List<View> views, Duration gap) {
      Map<String, long[]> pages = new TreeMap<>();
      Map<String, long[]> sessions = new TreeMap<>();
      Map<String, List<View>> byUser = new TreeMap<>();
      views.forEach(v -> byUser.computeIfAbsent(v.user(), u -> new ArrayList<>()).add(v));
      for (List<View> ofUser : byUser.values()) {
        ofUser.sort(Comparator.comparing(View::time));
        int start = 0;
        for (int i = 1; i <= ofUser.size(); i++) {
          boolean ends = i == ofUser.size()
              || Duration.between(ofUser.get(i - 1).time(), ofUser.get(i).time()).compareTo(gap) > 0
              || !day(ofUser.get(i - 1)).equals(day(ofUser.get(i)));
          if (!ends) continue;
          List<View> session = ofUser.subList(start, i);
          View entry = session.get(0);
          long[] s = sessions.computeIfAbsent(day(entry) + "|" + (entry.country() == null ? "" : entry.country()) + "|"
              + entry.device(), k -> new long[4]);
          s[0]++;
          s[1] += session.size();
          s[2] += session.size() == 1 ? 1 : 0;
          s[3] += Duration.between(entry.time(), session.get(session.size() - 1).time()).toMillis();
          for (int v = 0; v < session.size(); v++) {
            long[] p = pages.computeIfAbsent(session.get(v).url() + "|" + day(entry), k -> new long[5]);
            p[0]++;
            if (v < session.size() - 1) {
              p[1]++;
              p[2] += Duration.between(session.get(v).time(), session.get(v + 1).time()).toMillis();
            } else {
              p[4]++;
            }
            if (v == 0) p[3]++;
          }
          start = i;
        }
      }
      List<String> pageRows = new ArrayList<>();
      pages.forEach((k, p) -> pageRows.add(k + "|" + p[0] + "|" + p[1] + "|" + seconds(p[2]) + "|" + p[3] + "|" + p[4]));
      List<String> sessionRows = new ArrayList<>();
      sessions.forEach((k, s) -> sessionRows.add(k + "|" + s[0] + "|" + s[1] + "|" + s[2] + "|" + seconds(s[3])));
      return new Recount(pageRows, sessionRows);
    }

    private static LocalDate day(View v) {
      return LocalDate.ofInstant(v.time(), ZoneOffset.UTC);
    }

    private static String seconds(long millis) {
      return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString(); // as the query prints decimals
    }
  }
}
