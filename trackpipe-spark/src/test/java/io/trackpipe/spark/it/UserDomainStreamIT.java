package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own domain (test resource {@code domains/signups.yaml}: several field types, an id hashed from fields, an
 * event-time field, a derived column, a cross-field rule, two rollups) streamed next to job ads in the same Spark
 * application, each its own query: valid, duplicated, late, malformed and rule-breaking events of both, through Kafka.
 */
class UserDomainStreamIT {
  private static final DateTimeFormatter JOB_ADS_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final String REASON = "trackpipe.reason";

  @TempDir Path work;

  private static Path signupsFile(Path dir) throws Exception {
    try (InputStream in = UserDomainStreamIT.class.getClassLoader().getResourceAsStream("domains/signups.yaml")) {
      return Files.write(dir.resolve("signups.yaml"), in.readAllBytes());
    }
  }

  /** Job ads on the fixture's topics, signups on topics of this test's own. */
  private static StreamConfig withSignups(StreamFixture f, Path file) {
    DomainCatalog catalog = DomainCatalog.load(List.of(file), List.of());
    List<Domain> domains = catalog.only(List.of(DomainCatalog.JOB_ADS, "signups")).domains().stream()
        .map(d -> d.name().equals("signups") ? f.onOwnTopics(d) : d)
        .toList();
    return f.streamConfig().withDomains(new DomainCatalog(domains));
  }

  @Test
  void streamsAUsersDomainNextToJobAdsEachIntoItsOwnTables() throws Exception {
    StreamFixture f = StreamFixture.create("userdomain", work);
    StreamConfig stream = withSignups(f, signupsFile(work));
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).minusHours(1);
    LocalDateTime old = hour.minusHours(3); // ends at hour - 2; with 2 h lateness it closes at hour

    String pro = signup(2, hour.plusMinutes(10), "pro", "12.50", "\"FR\"", true);
    f.produce(f.name + "-signups", List.of(
        send(signup(1, hour.plusMinutes(5), "free", "0", "\"DE\"", true), hour.plusMinutes(6)),
        send(pro, hour.plusMinutes(11)),
        send(pro, hour.plusMinutes(20)), // a copy: same account, time and plan, so the same hashed id
        send(signup(3, hour.plusMinutes(15), "pro", "7.25", "\"DE\"", false), hour.plusMinutes(16)),
        send(signup(6, hour.plusMinutes(25), "free", "0", "null", true).replace("}", ",\"referrer\":\"x\"}"),
            hour.plusMinutes(26)), // an unknown field, ignored as the domain says; no country
        send(signup(4, old.plusMinutes(10), "pro", "99", "\"DE\"", true), hour.plusMinutes(30)), // too late
        send(signup(5, hour.plusMinutes(20), "pro", "0", "\"DE\"", true), hour.plusMinutes(21)), // breaks pro_pays
        send("{\"account_id\":7,", hour.plusMinutes(22)), // malformed
        send(signup(8, hour.plusMinutes(23), "gold", "1", "\"DE\"", true), hour.plusMinutes(23)))); // not a plan
    String click = jobAdsEvent("u-1", hour.plusMinutes(5), "click", 0.4);
    f.produce(List.of(
        send(click, hour.plusMinutes(5)),
        send(click, hour.plusMinutes(7)),
        send(jobAdsEvent("u-2", hour.plusMinutes(8), "click", 0.6), hour.plusMinutes(8)),
        send(jobAdsEvent("u-3", hour.plusMinutes(9), "conversion", 0), hour.plusMinutes(9)),
        send(jobAdsEvent("u-4", old.plusMinutes(9), "click", 5.0), hour.plusMinutes(30)), // too late
        send("{\"job_id\":", hour.plusMinutes(10))));

    TrackingStreamJob job = f.job(stream);
    StreamFixture.runToEnd(job);

    String date = hour.toLocalDate().toString();
    assertThat(f.query("SELECT plan, dates, hours, signups, revenue FROM signups_daily ORDER BY plan"))
        .containsExactly("free|" + date + "|" + hour.getHour() + "|2|0", "pro|" + date + "|" + hour.getHour() + "|2|19.75");
    assertThat(f.query("SELECT country, dates, signups, paid_signups, revenue FROM signups_by_country ORDER BY country"))
        .containsExactly("??|" + date + "|1|0|0", "DE|" + date + "|2|1|7.25", "FR|" + date + "|1|1|12.5");
    var signups = job.metrics("signups").status();
    assertThat(signups.recordsRead()).isEqualTo(9);
    assertThat(signups.eventsCounted()).isEqualTo(4);
    assertThat(signups.droppedDuplicates()).isEqualTo(1);
    assertThat(signups.eventsTooLate()).isEqualTo(1);
    assertThat(signups.rejectedByReason()).containsExactlyInAnyOrderEntriesOf(
        Map.of("rule:pro_pays", 1L, "malformed_json", 1L, "invalid_value", 1L));
    assertThat(reasons(f.deadLettersToEnd(f.name + "-signups-dead")))
        .isEqualTo(Map.of("rule:pro_pays", 1L, "malformed_json", 1L, "invalid_value", 1L));

    // Job ads at the same time, in their own tables, with their own counters and dead letters.
    FactRow row = f.facts().get(FactRow.key(1, hour.toLocalDate(), hour.getHour(), 2, 3, 4));
    assertThat(row.clicks()).isEqualTo(2);
    assertThat(row.conversion()).isEqualTo(1);
    assertThat(row.spend()).isEqualByComparingTo("1.0");
    assertThat(f.facts()).hasSize(1);
    var jobAds = job.metrics(DomainCatalog.JOB_ADS).status();
    assertThat(jobAds.eventsCounted()).isEqualTo(3);
    assertThat(jobAds.droppedDuplicates()).isEqualTo(1);
    assertThat(jobAds.eventsTooLate()).isEqualTo(1);
    assertThat(reasons(f.deadLettersToEnd())).isEqualTo(Map.of("malformed_json", 1L));
    assertThat(f.query("SELECT sink, batch_id >= 0 FROM stream_commit ORDER BY sink"))
        .containsExactly(StreamFixture.JOB_ADS_SINK + "|1", "signups-stream|1");

    // A restart counts nothing twice: each domain resumes from its own checkpoint and dedup store.
    f.produce(f.name + "-signups", List.of(send(pro, hour.plusMinutes(40)),
        send(signup(9, hour.plusMinutes(41), "pro", "1.00", "\"FR\"", true), hour.plusMinutes(41))));
    TrackingStreamJob again = f.job(stream);
    StreamFixture.runToEnd(again);
    assertThat(f.query("SELECT plan, signups, revenue FROM signups_daily ORDER BY plan"))
        .containsExactly("free|2|0", "pro|3|20.75");
    assertThat(again.metrics("signups").status().droppedDuplicates()).isEqualTo(1);
    assertThat(f.facts().get(FactRow.key(1, hour.toLocalDate(), hour.getHour(), 2, 3, 4)).clicks()).isEqualTo(2);
  }

  @Test
  void refusesADerivedColumnOrRollupThatDoesNotResolveNamingTheDomainAndFile() throws Exception {
    StreamFixture f = StreamFixture.create("baddomain", work);
    Path file = Files.writeString(work.resolve("signups.yaml"), Files.readString(signupsFile(work))
        .replace("expression: \"amount > 0\"", "expression: \"amont > 0\"")
        .replace("of: amount}\n  - name: signups_by_country", "of: amount_eur}\n  - name: signups_by_country"));
    assertThatThrownBy(() -> f.job(withSignups(f, file)).start(StreamFixture.spark()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .allMatch(p -> p.startsWith(file + " (domain 'signups')"))
            .anyMatch(p -> p.contains("derived column 'paid': 'amont > 0' does not resolve"))
            .anyMatch(p -> p.contains("rollup 'signups_daily', metric 'revenue', of: 'amount_eur' does not resolve")));
  }

  private static Map<String, Long> reasons(List<ConsumerRecord<byte[], byte[]>> deadLetters) {
    return deadLetters.stream().collect(Collectors.groupingBy(
        r -> new String(r.headers().lastHeader(REASON).value(), StandardCharsets.UTF_8), TreeMap::new, Collectors.counting()));
  }

  private static String signup(long account, LocalDateTime at, String plan, String amount, String country, boolean confirmed) {
    return "{\"account_id\":" + account + ",\"at\":\"" + at.toInstant(ZoneOffset.UTC) + "\",\"plan\":\"" + plan
        + "\",\"amount\":" + amount + ",\"country\":" + country + ",\"confirmed\":" + confirmed + "}";
  }

  private static String jobAdsEvent(String id, LocalDateTime time, String track, double bid) {
    return "{\"create_time\":\"" + id + "\",\"ts\":\"" + JOB_ADS_TS.format(time) + "\",\"job_id\":1,\"publisher_id\":2,"
        + "\"campaign_id\":3,\"group_id\":4,\"bid\":" + bid + ",\"custom_track\":\"" + track + "\"}";
  }

  private static StreamFixture.Send send(String json, LocalDateTime arrival) {
    return new StreamFixture.Send("k", json.getBytes(StandardCharsets.UTF_8), arrival.toInstant(ZoneOffset.UTC).toEpochMilli());
  }
}
