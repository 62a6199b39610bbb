package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.spark.stream.StreamStatus;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import io.trackpipe.spark.stream.StreamQueries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input, interleaved with good events: the job keeps going, counts the good ones exactly, and keeps
 * each bad record byte for byte in the dead-letter topic with its reason and source position. Header names are the
 * dead-letter topic's public contract, so they are spelled out here rather than taken from the writer.
 */
class DeadLetterIT {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final String REASON = "trackpipe.reason";
  private static final String ERROR = "trackpipe.error";
  private static final String SOURCE = "trackpipe.source";

  @TempDir Path work;


  /** A record the job must reject with {@code reason}. */
  private record Bad(String what, String key, byte[] value, String reason) {
    static Bad of(String what, String reason, String json) {
      return new Bad(what, "bad", json.getBytes(StandardCharsets.UTF_8), reason);
    }
  }

  @Test
  void keepsEveryBadRecordWithItsReasonAndNeverStops() throws Exception {
    StreamFixture f = StreamFixture.create("deadletter", work);
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).minusHours(1);
    LocalDateTime arrival = hour.plusMinutes(50);
    List<Bad> corpus = corpus(hour, arrival);
    // The SQL is only text in a field of the tracker's schema: accepted, never executed, not a click.
    String sqlTrack = "{\"create_time\":\"sql-track\",\"ts\":\"" + TS.format(hour.plusMinutes(3)) + "\",\"job_id\":1,"
        + "\"publisher_id\":66,\"campaign_id\":3,\"group_id\":4,\"bid\":2.5,\"custom_track\":\"click'); DROP TABLE events; --\"}";

    List<StreamFixture.Send> sends = new ArrayList<>();
    List<StreamFixture.Send> valid = new ArrayList<>();
    List<Integer> badAt = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      StreamFixture.Send good = send(event("good-" + i, hour.plusMinutes(i), i % 3 == 0 ? "conversion" : "click", 0.25 * i),
          arrival);
      sends.add(good);
      valid.add(good);
      badAt.add(sends.size());
      Bad bad = corpus.get(i);
      sends.add(new StreamFixture.Send(bad.key(), bad.value(), millis(arrival)));
    }
    StreamFixture.Send sql = send(sqlTrack, arrival);
    sends.add(sql);
    valid.add(sql);
    List<RecordMetadata> positions = f.produceAndGetOffsets(sends);

    TrackingStreamJob job = f.job(f.streamConfig());
    StreamQueries query = job.start(StreamFixture.spark());
    StreamStatus status;
    try {
      query.processAllAvailable();
      assertThat(query.isActive()).as("still running after the bad records").isTrue();
      List<StreamFixture.Send> afterwards = List.of(send(event("after-1", hour.plusMinutes(45), "click", 1.0), arrival),
          send(event("after-2", hour.plusMinutes(46), "qualified", 0.0), arrival));
      f.produce(afterwards);
      valid.addAll(afterwards);
      query.processAllAvailable();
      assertThat(query.isActive()).isTrue();
      assertThat(query.exception().isEmpty()).as("no failure").isTrue();
      status = job.metrics().status();
    } finally {
      query.stop();
    }

    assertThat(f.facts()).isEqualTo(Recount.of(valid, Map.of(), f.streamConfig().allowedLateness()));
    assertThat(f.facts().get(FactRow.key(1, hour.toLocalDate(), hour.getHour(), 66, 3, 4)))
        .as("the row of the event with SQL in custom_track").isEqualTo(new FactRow(0, 0, 0, 0, BigDecimal.ZERO, null, null, 0));
    assertThat(tables(f)).contains("events", "stream_commit");

    Map<String, List<ConsumerRecord<byte[], byte[]>>> bySource = f.deadLettersToEnd().stream()
        .collect(Collectors.groupingBy(r -> header(r, SOURCE), TreeMap::new, Collectors.toList()));
    Map<String, Bad> expectedBySource = new TreeMap<>();
    for (int i = 0; i < corpus.size(); i++) {
      RecordMetadata m = positions.get(badAt.get(i));
      expectedBySource.put(m.topic() + "/" + m.partition() + "/" + m.offset(), corpus.get(i));
    }
    assertThat(bySource.keySet()).as("source positions of dead letters").isEqualTo(expectedBySource.keySet());
    expectedBySource.forEach((source, bad) -> assertThat(bySource.get(source)).as(bad.what()).allSatisfy(r -> {
      assertThat(r.key()).as("%s: key", bad.what())
          .isEqualTo(bad.key() == null ? null : bad.key().getBytes(StandardCharsets.UTF_8));
      assertThat(r.value()).as("%s: value", bad.what()).isEqualTo(bad.value());
      assertThat(header(r, REASON)).as("%s: reason", bad.what()).isEqualTo(bad.reason());
      assertThat(header(r, ERROR)).as("%s: error", bad.what()).isNotBlank();
    }));

    Map<String, Long> expectedReasons = new TreeMap<>();
    corpus.forEach(b -> expectedReasons.merge(b.reason(), 1L, Long::sum));
    assertThat(status.rejectedByReason()).isEqualTo(expectedReasons);
    assertThat(status.eventsCounted()).isEqualTo(valid.size());
  }

  /** One record per kind of bad input; {@code arrival} is their Kafka timestamp. */
  private static List<Bad> corpus(LocalDateTime hour, LocalDateTime arrival) {
    String ts = TS.format(hour.plusMinutes(10));
    String rest = ",\"ts\":\"" + ts + "\",\"job_id\":1,\"publisher_id\":2,\"campaign_id\":3,\"group_id\":4,\"bid\":0.5,"
        + "\"custom_track\":\"click\"}";
    List<Bad> bad = new ArrayList<>();
    bad.add(Bad.of("missing comma", "malformed_json", "{\"create_time\":\"b1\" \"ts\":\"" + ts + "\"}"));
    bad.add(Bad.of("truncated", "malformed_json", "{\"create_time\":\"b2\",\"ts\":\"2024-0"));
    bad.add(Bad.of("two objects", "malformed_json", "{\"create_time\":\"b3\"" + rest + " {\"create_time\":\"b3x\"" + rest));
    bad.add(Bad.of("array", "not_an_object", "[{\"create_time\":\"b4\"" + rest + "]"));
    bad.add(Bad.of("string", "not_an_object", "\"{\\\"create_time\\\":\\\"b5\\\"}\""));
    bad.add(Bad.of("number", "not_an_object", "42"));
    bad.add(Bad.of("JSON null", "not_an_object", "null"));
    bad.add(new Bad("empty value", "bad", new byte[0], "empty"));
    bad.add(new Bad("tombstone", "bad", null, "empty"));
    bad.add(new Bad("no key, unknown field", null, ("{\"create_time\":\"b8\",\"jobId\":5" + rest)
        .getBytes(StandardCharsets.UTF_8), "unknown_field"));
    bad.add(Bad.of("duplicate field", "duplicate_field", "{\"create_time\":\"b9\",\"job_id\":7" + rest));
    bad.add(Bad.of("job_id a word", "wrong_type", "{\"create_time\":\"b10\"" + rest.replace("\"job_id\":1", "\"job_id\":\"abc\"")));
    bad.add(Bad.of("bid a word", "wrong_type", "{\"create_time\":\"b11\"" + rest.replace("\"bid\":0.5", "\"bid\":\"cheap\"")));
    bad.add(Bad.of("ts a boolean", "wrong_type", "{\"create_time\":\"b12\"" + rest.replace("\"" + ts + "\"", "true")));
    bad.add(Bad.of("SQL in job_id", "wrong_type",
        "{\"create_time\":\"b13\"" + rest.replace("\"job_id\":1", "\"job_id\":\"1; DROP TABLE events; --\"")));
    bad.add(Bad.of("no ts", "missing_field", "{\"create_time\":\"b14\"" + rest.replace("\"ts\":\"" + ts + "\",", "")));
    bad.add(Bad.of("no create_time", "missing_field", "{" + rest.substring(1)));
    bad.add(Bad.of("bid 1e12", "invalid_value", "{\"create_time\":\"b16\"" + rest.replace("\"bid\":0.5", "\"bid\":1e12")));
    bad.add(Bad.of("negative job_id", "invalid_value", "{\"create_time\":\"b17\"" + rest.replace("\"job_id\":1", "\"job_id\":-5")));
    bad.add(Bad.of("job_id beyond a long", "invalid_value",
        "{\"create_time\":\"b18\"" + rest.replace("\"job_id\":1", "\"job_id\":123456789012345678901234567890")));
    bad.add(Bad.of("ts in 1970", "invalid_value", "{\"create_time\":\"b19\"" + rest.replace(ts, "1970-01-01 00:00:00")));
    bad.add(Bad.of("ts an hour after arrival", "event_time_in_future",
        "{\"create_time\":\"b20\"" + rest.replace(ts, TS.format(arrival.plusHours(1)))));
    bad.add(Bad.of("ts in 2099", "event_time_in_future", "{\"create_time\":\"b21\"" + rest.replace(ts, "2099-12-31 23:59:59")));
    bad.add(Bad.of("huge", "too_large", "{\"create_time\":\"b22\",\"ua\":\"" + "x".repeat(70 * 1024) + "\"" + rest));
    ByteArrayOutputStream invalidUtf8 = new ByteArrayOutputStream();
    invalidUtf8.writeBytes("{\"create_time\":\"b23-".getBytes(StandardCharsets.UTF_8));
    invalidUtf8.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
    invalidUtf8.writeBytes(("\"" + rest).getBytes(StandardCharsets.UTF_8));
    bad.add(new Bad("invalid UTF-8", "bad", invalidUtf8.toByteArray(), "malformed_json"));
    bad.add(new Bad("UTF-16", "bad", ("{\"create_time\":\"b24\"" + rest).getBytes(StandardCharsets.UTF_16), "malformed_json"));
    return bad;
  }

  private static String event(String id, LocalDateTime time, String track, double bid) {
    return "{\"create_time\":\"" + id + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":1,\"publisher_id\":2,"
        + "\"campaign_id\":3,\"group_id\":4,\"bid\":" + bid + ",\"custom_track\":\"" + track + "\"}";
  }

  private static StreamFixture.Send send(String json, LocalDateTime arrival) {
    return new StreamFixture.Send("1", json.getBytes(StandardCharsets.UTF_8), millis(arrival));
  }

  private static long millis(LocalDateTime utc) {
    return utc.toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static List<String> tables(StreamFixture f) throws Exception {
    List<String> tables = new ArrayList<>();
    try (Connection c = f.warehouse.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW TABLES")) {
      while (rs.next()) tables.add(rs.getString(1));
    }
    return tables;
  }
}
