package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.generator.ClickstreamEventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * The built-in web clickstream streamed by a child JVM that is SIGKILLed twice mid-stream: afterwards every table and
 * view equals a plain-Java recount of the generated page views (duplicates, late, too late and malformed records
 * included), unique users exactly, and every bad record is a dead letter.
 */
class ClickstreamStreamIT {
  private static final long SEED = 20_261_207L;
  private static final int BACKLOG = 16_000;
  private static final int MORE_WHILE_DOWN = 4_000;
  private static final int RESENT = 300;
  private static final Duration ALLOWED_LATENESS = Duration.ofHours(2);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(180);
  /** Small batches, so that a kill is likely to land inside one. */
  private static final Map<String, String> SETTINGS = Map.of("stream.domains", DomainCatalog.CLICKSTREAM,
      "stream.max-events-per-batch", "2000");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @org.junit.jupiter.api.io.TempDir Path work;

  /** What was sent: the events in arrival order (copies included), and where each bad record landed. */
  private static final class Sent {
    final List<StreamFixture.Send> events = new ArrayList<>();
    final Set<String> badPositions = new HashSet<>();

    void add(StreamFixture f, String topic, List<StreamFixture.Send> sends, List<Boolean> bad) throws Exception {
      List<RecordMetadata> positions = f.produceAndGetOffsets(topic, sends);
      for (int i = 0; i < sends.size(); i++) {
        if (bad.get(i)) {
          RecordMetadata m = positions.get(i);
          badPositions.add(m.topic() + "/" + m.partition() + "/" + m.offset());
        } else {
          events.add(sends.get(i));
        }
      }
    }
  }

  @Test
  void everyClickstreamTableEqualsARecountWithExactUniqueUsersAfterTheStreamIsKilledTwice() throws Exception {
    StreamFixture f = StreamFixture.create("clicks", work);
    Domain clicks = DomainCatalog.load(List.of(), List.of()).domain(DomainCatalog.CLICKSTREAM).orElseThrow();
    String topic = clicks.topics().events();
    KafkaTopics.ensureExist(KafkaConfig.plaintext(f.kafka.bootstrapServers(), topic, clicks.topics().deadLetters(), 2, (short) 1));
    ClickstreamEventGenerator generator = new ClickstreamEventGenerator(clicks, GeneratorConfig.builder(SampleDimensions.generate(1))
        .seed(SEED).duplicateRatio(0.04).lateRatio(0.05).maxLateness(Duration.ofHours(4)).malformedRatio(0.01).build(),
        ZoneOffset.UTC);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Sent sent = new Sent();
    generate(f, topic, sent, generator, BACKLOG, now.minus(Duration.ofMinutes(50)), 150);

    try (StreamJobProcess run = StreamJobProcess.start(f, work, "run-1.log", SETTINGS)) {
      awaitCommit(f, clicks, run, 2, 20);
      run.kill();
    }
    long afterFirstKill = committed(f, clicks);
    assertThat(counted(f)).as("the first run counted part of the backlog").isPositive();

    // While the stream is down: more traffic, and copies of backlog views sent again long after the first.
    generate(f, topic, sent, generator, MORE_WHILE_DOWN, now.minus(Duration.ofMinutes(9)), 100);
    Random random = new Random(SEED);
    List<StreamFixture.Send> resent = new ArrayList<>();
    for (int i = 0; i < RESENT; i++) {
      StreamFixture.Send original = sent.events.get(random.nextInt(BACKLOG / 2));
      resent.add(new StreamFixture.Send(original.key(), original.value(), now.minus(Duration.ofMinutes(2)).toEpochMilli()));
    }
    sent.add(f, topic, resent, resent.stream().map(s -> false).toList());
    Recount expected = Recount.of(sent.events, ALLOWED_LATENESS);

    try (StreamJobProcess run = StreamJobProcess.start(f, work, "run-2.log", SETTINGS)) {
      // Polled as fast as the warehouse answers: the kill lands right after a commit, often before Spark's checkpoint.
      awaitCommit(f, clicks, run, afterFirstKill + 1, 0);
      run.kill();
    }
    assertThat(counted(f)).as("the second kill left views uncounted").isLessThan(expected.counted);

    try (StreamJobProcess run = StreamJobProcess.start(f, work, "run-3.log", SETTINGS)) {
      awaitCounted(f, run, expected.counted);
      run.stop();
    }

    assertThat(expected.counted).as("a meaningful test").isGreaterThan(15_000);
    assertThat(expected.tooLate).as("views too late to count").isGreaterThan(50);
    assertThat(expected.copies).as("copies dropped").isGreaterThan(600);
    // Visitors view several pages: the pages' unique users add up to far more than the site's, so a sum would be wrong.
    long siteUsers = expected.events.stream().map(e -> e.get("user_id").asText()).distinct().count();
    long pageUsers = expected.by(expected::url).stream().mapToLong(row -> Long.parseLong(row.substring(row.lastIndexOf('|') + 1))).sum();
    assertThat(pageUsers).as("users summed over pages").isGreaterThan(siteUsers + 1000);

    assertTable(f, "page_views_hourly", "dates, hours, url, country", expected.by(i -> expected.date(i) + "|"
        + expected.hour(i) + "|" + expected.url(i) + "|" + expected.text(i, "country")));
    assertTable(f, "url_hourly", "dates, hours, url", expected.by(i -> expected.date(i) + "|" + expected.hour(i) + "|"
        + expected.url(i)));
    assertTable(f, "url_daily", "url, dates", expected.by(i -> expected.url(i) + "|" + expected.date(i)));
    assertTable(f, "url_totals", "url", expected.by(expected::url));
    assertTable(f, "country_hourly", "dates, hours, country", expected.by(i -> expected.date(i) + "|" + expected.hour(i)
        + "|" + expected.text(i, "country")));
    assertTable(f, "country_daily", "country, dates", expected.by(i -> expected.text(i, "country") + "|" + expected.date(i)));
    assertTable(f, "country_totals", "country", expected.by(i -> expected.text(i, "country")));
    assertTable(f, "city_daily", "country, city, dates", expected.by(i -> expected.text(i, "country") + "|"
        + expected.text(i, "city") + "|" + expected.date(i)));
    assertTable(f, "technology_daily", "dates, device, os, browser", expected.by(i -> expected.date(i) + "|"
        + expected.text(i, "device") + "|" + expected.text(i, "os") + "|" + expected.text(i, "browser")));
    assertTable(f, "site_hourly", "dates, hours", expected.by(i -> expected.date(i) + "|" + expected.hour(i)));
    // The side table holds each (key, visitor) once: the users of the whole site in the hour.
    assertThat(f.query("SELECT COUNT(*) FROM site_hourly__unique_users")).containsExactly(
        Long.toString(expected.by(i -> expected.date(i) + "|" + expected.hour(i)).stream()
            .mapToLong(row -> Long.parseLong(row.substring(row.lastIndexOf('|') + 1))).sum()));

    Set<String> deadLetters = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : f.deadLettersToEnd(clicks.topics().deadLetters())) {
      deadLetters.add(new String(r.headers().lastHeader("trackpipe.source").value(), StandardCharsets.UTF_8));
    }
    assertThat(deadLetters).as("every bad record is a dead letter").containsExactlyInAnyOrderElementsOf(sent.badPositions);

    // The visits (the sessions: section), through the same two kills, against a recount of the counted views.
    List<SessionsStreamIT.View> views = new ArrayList<>();
    for (int i = 0; i < expected.events.size(); i++) {
      JsonNode e = expected.events.get(i);
      views.add(new SessionsStreamIT.View(e.get("user_id").asText(), expected.times.get(i).toInstant(ZoneOffset.UTC),
          e.get("url").asText(), e.hasNonNull("country") ? e.get("country").asText() : null,
          e.hasNonNull("device") ? e.get("device").asText() : ""));
    }
    SessionsStreamIT.Recount visits = SessionsStreamIT.Recount.of(views, Duration.ofMinutes(30));
    assertThat(visits.sessions()).as("visits in the data").hasSizeGreaterThan(10);
    assertThat(f.query("SELECT url, dates, views, timed_views, time_on_page, entrances, exits FROM page_time_daily"))
        .as("page_time_daily").containsExactlyInAnyOrderElementsOf(visits.pages());
    assertThat(f.query("SELECT dates, country, device, sessions, pageviews, bounces, duration FROM sessions_daily"))
        .as("sessions_daily").containsExactlyInAnyOrderElementsOf(visits.sessions());
  }

  private static void assertTable(StreamFixture f, String table, String keys, List<String> expected) throws Exception {
    assertThat(f.query("SELECT " + keys + ", page_views, unique_users FROM " + table)).as(table)
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  private static void generate(StreamFixture f, String topic, Sent sent, ClickstreamEventGenerator generator, int count,
      Instant from, long millisApart) throws Exception {
    List<StreamFixture.Send> sends = new ArrayList<>(count);
    List<Boolean> bad = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Instant arrival = from.plusMillis(i * millisApart);
      GeneratedRecord r = generator.next(arrival);
      sends.add(new StreamFixture.Send(r.key(), r.value(), arrival.toEpochMilli()));
      bad.add(r.kind() == GeneratedRecord.Kind.MALFORMED);
    }
    sent.add(f, topic, sends, bad);
  }

  private static long committed(StreamFixture f, Domain clicks) throws Exception {
    List<String> rows = f.query("SELECT batch_id FROM stream_commit WHERE sink = '" + clicks.sink() + "'");
    return rows.isEmpty() ? -1 : Long.parseLong(rows.get(0));
  }

  private static long counted(StreamFixture f) throws Exception {
    return Long.parseLong(f.query("SELECT COALESCE(SUM(page_views), 0) FROM site_hourly").get(0));
  }

  private static void awaitCommit(StreamFixture f, Domain clicks, StreamJobProcess run, long batch, long pollMillis)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (committed(f, clicks) < batch) {
      if (!run.isAlive()) fail("the stream died before committing batch " + batch + "\n" + run.logTail());
      if (System.nanoTime() > deadline) fail("no commit of batch " + batch + " within 150 s\n" + run.logTail());
      if (pollMillis > 0) Thread.sleep(pollMillis);
    }
  }

  /** Waits until the tables hold as many views as the recount counts; fails early on more. */
  private static void awaitCounted(StreamFixture f, StreamJobProcess run, long expected) throws Exception {
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    long counted = -1;
    while (System.nanoTime() < deadline) {
      counted = counted(f);
      assertThat(counted).as("views counted while draining").isLessThanOrEqualTo(expected);
      if (counted == expected) return;
      if (!run.isAlive()) fail("the stream died while draining\n" + run.logTail());
      Thread.sleep(500);
    }
    fail("not drained within " + DRAIN_TIMEOUT + ": " + counted + " of " + expected + " views counted\n" + run.logTail());
  }

  /** The clickstream's tables recounted in plain Java from the valid records in arrival order (UTC buckets). */
  private static final class Recount {
    long counted;
    long tooLate;
    long copies;
    final List<JsonNode> events = new ArrayList<>();
    final List<LocalDateTime> times = new ArrayList<>();

    static Recount of(List<StreamFixture.Send> records, Duration allowedLateness) throws Exception {
      Recount recount = new Recount();
      Set<String> seen = new HashSet<>();
      for (StreamFixture.Send record : records) {
        JsonNode e = JSON.readTree(record.value());
        LocalDateTime time = time(e.get("timestamp"));
        // A view is a visitor, an instant (as read) and a URL; copies count once.
        if (!seen.add(e.get("user_id").asText() + "|" + time + "|" + e.get("url").asText())) {
          recount.copies++;
          continue;
        }
        Instant countedUntil = time.truncatedTo(ChronoUnit.HOURS).plusHours(1).toInstant(ZoneOffset.UTC).plus(allowedLateness);
        if (Instant.ofEpochMilli(record.timestampMillis()).isAfter(countedUntil)) {
          recount.tooLate++;
          continue;
        }
        recount.counted++;
        recount.events.add(e);
        recount.times.add(time);
      }
      return recount;
    }

    private static LocalDateTime time(JsonNode timestamp) {
      if (timestamp.isNumber()) return LocalDateTime.ofInstant(Instant.ofEpochMilli(timestamp.asLong()), ZoneOffset.UTC);
      String text = timestamp.asText();
      return text.endsWith("Z") ? LocalDateTime.ofInstant(Instant.parse(text), ZoneOffset.UTC) : LocalDateTime.parse(text, LOCAL);
    }

    /** Per key: "key|page views|unique users", users counted as a set of visitors. */
    List<String> by(Function<Integer, String> key) {
      Map<String, Long> views = new TreeMap<>();
      Map<String, Set<String>> users = new HashMap<>();
      for (int i = 0; i < events.size(); i++) {
        String k = key.apply(i);
        views.merge(k, 1L, Long::sum);
        users.computeIfAbsent(k, x -> new HashSet<>()).add(events.get(i).get("user_id").asText());
      }
      return views.entrySet().stream().map(g -> g.getKey() + "|" + g.getValue() + "|" + users.get(g.getKey()).size()).toList();
    }

    String date(int i) {
      return times.get(i).toLocalDate().toString();
    }

    int hour(int i) {
      return times.get(i).getHour();
    }

    String url(int i) {
      return events.get(i).get("url").asText();
    }

    /** A location or technology field, 'unknown' when the tracker left it out (the rollups' default). */
    String text(int i, String field) {
      JsonNode value = events.get(i).get(field);
      return value == null ? "unknown" : value.asText();
    }
  }
}
