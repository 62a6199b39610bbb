package io.trackpipe.rawstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventField;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The schema, the writer and the arrivals index against a real Cassandra server. */
class RawStoreIT {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Instant HOUR = Instant.parse("2024-05-01T10:00:00Z");

  private static final Domain JOB_ADS = DomainCatalog.load(List.of(), List.of()).jobAds();

  private static RawTable freshKeyspace(Domain domain) {
    return RawTable.of(domain, RawStoreConfig.defaults(EmbeddedCassandra.shared().contactPoint(),
        "rawstore_it_" + COUNTER.incrementAndGet()).withBucketsPerHour(4));
  }

  @Test
  void storesEveryFieldOnceAndFindsHoursByArrival() {
    RawTable table = freshKeyspace(JOB_ADS);
    try (CqlSession session = RawStoreSessions.open(table.store())) {
      RawStoreSchema.apply(session, table);
      RawStoreSchema.apply(session, table); // idempotent
      EventDecoder decoder = new EventDecoder(JOB_ADS.schema(), EventLimits.DEFAULT);
      DecodedEvent full = decode(decoder, "{\"create_time\":\"full-1\",\"ts\":\"2024-05-01 10:15:30\",\"job_id\":7,"
          + "\"publisher_id\":2,\"campaign_id\":3,\"group_id\":4,\"bid\":0.123456,\"custom_track\":\"click\","
          + "\"bn\":\"Chrome 124\",\"cd\":24,\"ed\":true,\"ua\":\"Mozilla/5.0\",\"utm_source\":\"news\",\"vp\":\"1905x982\"}");
      DecodedEvent bare = decode(decoder, "{\"create_time\":\"bare-1\",\"ts\":\"2024-05-01 11:59:59\"}");
      List<DecodedEvent> many = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        many.add(decode(decoder, "{\"create_time\":\"" + UUID.randomUUID() + "\",\"ts\":\"2024-05-01 10:"
            + String.format("%02d:%02d", i / 60 % 60, i % 60) + "\",\"job_id\":" + i + ",\"custom_track\":\"click\"}"));
      }
      Instant writtenAt = Instant.parse("2024-05-01T12:30:00Z");
      RawEventWriter writer = new RawEventWriter(session, table, Clock.fixed(writtenAt, ZoneOffset.UTC));
      long receivedAt = HOUR.plusSeconds(2 * 3600).toEpochMilli();
      writer.write(full, receivedAt);
      writer.write(full, receivedAt); // a copy collapses
      writer.write(bare, receivedAt);
      many.forEach(e -> writer.write(e, receivedAt));
      many.forEach(e -> writer.write(e, receivedAt)); // a replayed batch rewrites the same rows
      writer.flush();

      Map<String, Row> tenOClock = readHour(session, table, HOUR);
      assertThat(tenOClock).hasSize(501);
      Row row = tenOClock.get("full-1");
      assertThat(row.getInstant("ts")).isEqualTo(Instant.parse("2024-05-01T10:15:30Z"));
      assertThat(row.getInstant("received_at")).isEqualTo(Instant.ofEpochMilli(receivedAt));
      assertThat(row.getLong("job_id")).isEqualTo(7);
      assertThat(row.getLong("group_id")).isEqualTo(4);
      assertThat(row.getBigDecimal("bid")).isEqualByComparingTo(new BigDecimal("0.123456"));
      assertThat(row.getString("custom_track")).isEqualTo("click");
      assertThat(row.getString("bn")).isEqualTo("Chrome 124");
      assertThat(row.getString("cd")).isEqualTo("24");
      assertThat(row.getString("ed")).isEqualTo("true");
      assertThat(row.getString("utm_source")).isEqualTo("news");
      assertThat(row.getString("vp")).isEqualTo("1905x982");
      assertThat(row.isNull("uid")).isTrue();
      assertThat(row.getInt("bucket")).isEqualTo(RawTable.bucketOf("full-1", 4));
      Map<String, Row> elevenOClock = readHour(session, table, HOUR.plusSeconds(3600));
      assertThat(elevenOClock).containsOnlyKeys("bare-1");
      assertThat(elevenOClock.get("bare-1").isNull("job_id")).isTrue();
      assertThat(JOB_ADS.schema().fields()).allSatisfy(f -> assertThat(row.getColumnDefinitions().contains(f.name())).isTrue());

      // The arrivals index: written in 12:00–13:00, the rows went to event hours 10:00 and 11:00.
      List<Row> arrivals = session.execute("SELECT event_hour, last_arrival FROM " + table.qualifiedArrivals()
          + " WHERE arrival_hour = ?", Instant.parse("2024-05-01T12:00:00Z")).all();
      assertThat(arrivals).extracting(r -> r.getInstant(0)).containsExactly(HOUR, HOUR.plusSeconds(3600));
      assertThat(arrivals).extracting(r -> r.getInstant(1)).containsOnly(writtenAt);

      // An older arrival written later does not move last_arrival back.
      RawEventWriter late = new RawEventWriter(session, table, Clock.fixed(writtenAt.minusSeconds(60), ZoneOffset.UTC));
      late.write(full, receivedAt);
      late.flush();
      assertThat(session.execute("SELECT last_arrival FROM " + table.qualifiedArrivals()
          + " WHERE arrival_hour = ? AND event_hour = ?", Instant.parse("2024-05-01T12:00:00Z"), HOUR).one().getInstant(0))
          .isEqualTo(writtenAt);
    }
  }

  @Test
  void storesAUsersDomainInItsOwnTypedTable() {
    Domain signups = DomainCatalog.parse("signups.yaml", RawTableTest.resource("domains/signups.yaml"));
    RawTable table = freshKeyspace(signups);
    try (CqlSession session = RawStoreSessions.open(table.store())) {
      RawStoreSchema.apply(session, table);
      EventDecoder decoder = new EventDecoder(signups.schema(), EventLimits.DEFAULT);
      DecodedEvent pro = decode(decoder, "{\"account_id\":41,\"at\":\"2024-05-01T10:20:00Z\",\"plan\":\"pro\","
          + "\"amount\":12.5,\"country\":\"CH\",\"confirmed\":true}");
      DecodedEvent free = decode(decoder, "{\"account_id\":42,\"at\":1714558800,\"plan\":\"free\",\"confirmed\":false}");
      RawEventWriter writer = new RawEventWriter(session, table, Clock.fixed(HOUR.plusSeconds(5400), ZoneOffset.UTC));
      writer.write(pro, HOUR.plusSeconds(1300).toEpochMilli());
      writer.write(pro, HOUR.plusSeconds(1300).toEpochMilli()); // same hash, same row
      writer.write(free, HOUR.plusSeconds(1300).toEpochMilli());
      writer.flush();

      Map<String, Row> rows = readHour(session, table, HOUR);
      assertThat(rows).containsOnlyKeys(pro.id(), free.id());
      assertThat(pro.id()).matches("[0-9a-f]+"); // a hash of account_id, at and plan, in hex
      Row row = rows.get(pro.id());
      assertThat(row.getInstant("at")).isEqualTo(Instant.parse("2024-05-01T10:20:00Z"));
      assertThat(row.getLong("account_id")).isEqualTo(41);
      assertThat(row.getString("plan")).isEqualTo("pro");
      assertThat(row.getBigDecimal("amount")).isEqualTo(new BigDecimal("12.50"));
      assertThat(row.getString("country")).isEqualTo("CH");
      assertThat(row.getBoolean("confirmed")).isTrue();
      Row other = rows.get(free.id());
      assertThat(other.getInstant("at")).isEqualTo(Instant.parse("2024-05-01T10:20:00Z"));
      assertThat(other.isNull("amount")).isTrue();
      assertThat(other.getBoolean("confirmed")).isFalse();
      assertThat(signups.schema().fields()).extracting(EventField::name)
          .allSatisfy(name -> assertThat(row.getColumnDefinitions().contains(name)).isTrue());
      assertThat(session.execute("SELECT buckets_per_hour FROM " + table.qualifiedLayout() + " WHERE name = ?",
          "signups_events").one().getInt(0)).isEqualTo(4);
    }
  }

  @Test
  void refusesABucketCountOtherThanTheTablesOwn() {
    RawTable table = freshKeyspace(JOB_ADS);
    RawStoreSchema.apply(table);
    assertThatThrownBy(() -> RawStoreSchema.apply(RawTable.of(JOB_ADS, table.store().withBucketsPerHour(8))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rawstore.buckets-per-hour is 8")
        .hasMessageContaining("created with 4");
  }

  @Test
  void reportsAnUnreachableClusterClearly() {
    RawStoreConfig config = RawStoreConfig.defaults("127.0.0.1:1", "nowhere");
    assertThatThrownBy(() -> RawStoreSessions.open(config))
        .isInstanceOf(RawStoreUnavailableException.class)
        .hasMessageContaining("Cannot connect to Cassandra at 127.0.0.1:1");
  }

  @Test
  void aTlsClientRefusesTheServerThatSpeaksPlainText() throws Exception {
    // An empty trust store: the driver must try a TLS handshake, which the plain-text server cannot answer.
    Path trustStore = Files.createTempFile("rawstore-it-trust", ".p12");
    try {
      KeyStore empty = KeyStore.getInstance("PKCS12");
      empty.load(null, "changeit".toCharArray());
      try (OutputStream out = Files.newOutputStream(trustStore)) {
        empty.store(out, "changeit".toCharArray());
      }
      RawStoreConfig config = RawStoreConfig.defaults(EmbeddedCassandra.shared().contactPoint(), "tls_it")
          .withTls(new RawStoreTls(true, trustStore.toString(), "changeit", false));

      assertThatThrownBy(() -> RawStoreSessions.open(config).close())
          .isInstanceOf(RawStoreUnavailableException.class)
          .hasMessageContaining("TLS trusting " + trustStore)
          .hasMessageContaining("Could not reach any contact point");
    } finally {
      Files.deleteIfExists(trustStore);
    }
  }

  /** Every row of one event hour, by event id: one query per bucket, no filtering. */
  static Map<String, Row> readHour(CqlSession session, RawTable table, Instant hour) {
    Map<String, Row> rows = new HashMap<>();
    for (int bucket = 0; bucket < table.store().bucketsPerHour(); bucket++) {
      for (Row row : session.execute("SELECT * FROM " + table.qualifiedName() + " WHERE event_hour = ? AND bucket = ?",
          hour, bucket)) {
        assertThat(rows.put(row.getString(table.idColumn()), row)).as("one row per event").isNull();
      }
    }
    return rows;
  }

  private static DecodedEvent decode(EventDecoder decoder, String json) {
    DecodeResult result = decoder.decode(json, Instant.parse("2024-05-01T13:00:00Z").toEpochMilli());
    assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
    return ((DecodeResult.Accepted) result).event();
  }
}
