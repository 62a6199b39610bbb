package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.event.EventLimits;
import io.trackpipe.domain.EventField;
import io.trackpipe.generator.CassandraEventSink;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.stream.StreamStatus;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import io.trackpipe.spark.stream.StreamQueries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming job with the raw store on: real Kafka, MariaDB and Cassandra. */
class RawStoreStreamIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void storesEveryValidEventOnceWithItsFieldsThroughCopiesAndARetriedBatch() throws Exception {
    StreamFixture f = StreamFixture.create("raw", work);
    RawStoreFixture raw = RawStoreFixture.create("raw", EmbeddedCassandra.shared().contactPoint());
    Dimensions dimensions = SampleDimensions.generate(11, 10, 40, 8);
    f.loadDimensions(dimensions);
    EventGenerator generator = new EventGenerator(GeneratorConfig.builder(dimensions).seed(11).duplicateRatio(0.05)
        .lateRatio(0.05).malformedRatio(0.02).build());
    Instant start = Instant.now().minus(Duration.ofMinutes(20)).truncatedTo(ChronoUnit.MILLIS);
    List<StreamFixture.Send> first = new ArrayList<>();
    List<StreamFixture.Send> second = new ArrayList<>();
    List<StreamFixture.Send> valid = new ArrayList<>();
    for (int i = 0; i < 6_000; i++) {
      Instant now = start.plusMillis(i * 100L);
      GeneratedRecord r = generator.next(now);
      StreamFixture.Send send = new StreamFixture.Send(r.key(), r.value(), now.toEpochMilli());
      (i < 4_000 ? first : second).add(send);
      if (r.kind() != GeneratedRecord.Kind.MALFORMED) valid.add(send);
    }
    TrackingStreamJob job = new TrackingStreamJob(f.kafka, f.warehouseConfig, f.streamConfig(), raw.config);

    f.produce(first);
    StreamFixture.runToEnd(job);
    // The second part's batch writes the raw store, then its commit fails (events refuses writes): Spark runs it
    // again on the next start, writing the same rows a second time.
    f.produce(second);
    execute(f, "CREATE TRIGGER events_unavailable BEFORE INSERT ON events FOR EACH ROW"
        + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'events unavailable'");
    try {
      StreamQueries failing = job.start(StreamFixture.spark());
      try {
        assertThatThrownBy(failing::processAllAvailable).hasStackTraceContaining("events");
      } finally {
        failing.stop();
      }
    } finally {
      execute(f, "DROP TRIGGER events_unavailable");
    }
    assertThat(raw.rowsById()).as("the failed batch's rows are stored already").hasSize(distinctIds(valid));
    StreamStatus status = StreamFixture.runToEnd(new TrackingStreamJob(f.kafka, f.warehouseConfig, f.streamConfig(), raw.config));

    Map<String, Row> stored = raw.rowsById();
    assertThat(stored.keySet()).isEqualTo(ids(valid));
    assertThat(raw.countAll()).as("no row outside the indexed hours").isEqualTo(stored.size());
    assertSameEvents(stored, valid);
    Map<Long, Job> jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
    assertThat(f.facts()).as("facts counted once, raw store or not").isEqualTo(Recount.of(valid, jobs, Duration.ofHours(2)));
    assertThat(status.recordsRead()).isEqualTo(second.size());
  }

  @Test
  void aRawTableOfAnotherLayoutStopsTheStartAndNoBatchIsCommitted() throws Exception {
    StreamFixture f = StreamFixture.create("rawlayout", work);
    RawStoreFixture raw = RawStoreFixture.create("rawlayout", EmbeddedCassandra.shared().contactPoint());
    Dimensions dimensions = SampleDimensions.generate(12, 10, 40, 8);
    f.loadDimensions(dimensions);
    // The table exists with 4 buckets per hour; the stream is configured with another count.
    io.trackpipe.rawstore.RawStoreSchema.apply(raw.withConfig(raw.config.withBucketsPerHour(4)).table);
    f.produce(StreamFixture.generate(new EventGenerator(GeneratorConfig.builder(dimensions).seed(12).build()), 2_000,
        Instant.now().minus(Duration.ofMinutes(5)), 100));
    TrackingStreamJob job = new TrackingStreamJob(f.kafka, f.warehouseConfig, f.streamConfig(),
        raw.config.withBucketsPerHour(8));

    // The schema is checked while the queries start (their batches wait for it before writing): the start still fails.
    assertThatThrownBy(() -> job.start(StreamFixture.spark()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was created with 4 buckets per hour");
    assertThat(f.facts()).as("no batch committed without its raw table").isEmpty();
    assertThat(raw.countAll()).isZero();
  }

  @Test
  void generatorWritesTheSameRowsStraightIntoCassandraAsTheStream() throws Exception {
    String contactPoint = EmbeddedCassandra.shared().contactPoint();
    RawStoreFixture direct = RawStoreFixture.create("gen", contactPoint);
    Dimensions dimensions = SampleDimensions.generate(5, 10, 40, 8);
    GeneratorConfig config = GeneratorConfig.builder(dimensions).seed(5).duplicateRatio(0.05).lateRatio(0.05)
        .malformedRatio(0.05).build();
    EventGenerator generator = new EventGenerator(config);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<GeneratedRecord> records = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) records.add(generator.next(now));
    long malformed = records.stream().filter(r -> r.kind() == GeneratedRecord.Kind.MALFORMED).count();

    CassandraEventSink sink = new CassandraEventSink(RawStoreFixture.JOB_ADS, direct.config, EventLimits.DEFAULT, Clock.fixed(now, ZoneOffset.UTC));
    try (sink) {
      records.forEach(sink::send);
    }

    Map<String, Row> stored = direct.rowsById();
    List<StreamFixture.Send> valid = records.stream().filter(r -> r.kind() != GeneratedRecord.Kind.MALFORMED)
        .map(r -> new StreamFixture.Send(r.key(), r.value(), now.toEpochMilli())).toList();
    assertThat(stored.keySet()).isEqualTo(ids(valid));
    assertSameEvents(stored, valid);
    assertThat(sink.stored()).isEqualTo(records.size() - malformed);
    assertThat(sink.rejectedByReason().values().stream().mapToLong(Long::longValue).sum())
        .as("every malformed record counted, by reason, and not stored").isEqualTo(malformed).isPositive();
  }

  /**
   * Each row holds its event's tracker values, compared to the JSON itself (not to the pipeline's decoder); its
   * received_at is the arrival of one of the event's copies (the last one written).
   */
  static void assertSameEvents(Map<String, Row> stored, List<StreamFixture.Send> valid) throws Exception {
    Map<String, Set<Instant>> arrivals = new java.util.HashMap<>();
    for (StreamFixture.Send send : valid) {
      arrivals.computeIfAbsent(JSON.readTree(send.value()).get("create_time").asText(), id -> new HashSet<>())
          .add(Instant.ofEpochMilli(send.timestampMillis()));
    }
    for (StreamFixture.Send send : valid) {
      String id = JSON.readTree(send.value()).get("create_time").asText();
      assertSameEvent(stored.get(id), send);
      assertThat(arrivals.get(id)).contains(stored.get(id).getInstant("received_at"));
    }
  }

  private static void assertSameEvent(Row row, StreamFixture.Send send) throws Exception {
    JsonNode e = JSON.readTree(send.value());
    String id = e.get("create_time").asText();
    assertThat(row).as("row of " + id).isNotNull();
    assertThat(row.getInstant("ts")).isEqualTo(java.time.LocalDateTime.parse(e.get("ts").asText().replace(' ', 'T'))
        .toInstant(ZoneOffset.UTC));
    assertThat(row.getInstant("event_hour")).isEqualTo(row.getInstant("ts").truncatedTo(ChronoUnit.HOURS));
    for (String field : List.of("job_id", "publisher_id", "campaign_id", "group_id")) {
      if (e.path(field).isNumber()) assertThat(row.getLong(field)).as(field).isEqualTo(e.get(field).asLong());
      else assertThat(row.isNull(field)).as(field).isTrue();
    }
    if (e.path("bid").isNumber()) assertThat(row.getBigDecimal("bid")).isEqualByComparingTo(new BigDecimal(e.get("bid").asText()));
    else assertThat(row.isNull("bid")).isTrue();
    assertThat(row.getString("custom_track")).isEqualTo(e.path("custom_track").isTextual() ? e.get("custom_track").asText() : null);
    // The tracker context: the job-ads fields kept in the raw store only, as sent.
    for (EventField field : RawStoreFixture.JOB_ADS.schema().fields().stream().filter(EventField::rawOnly).toList()) {
      JsonNode value = e.path(field.name());
      assertThat(row.getString(field.name())).as(id + " " + field.name())
          .isEqualTo(value.isMissingNode() || value.isNull() ? null : value.asText());
    }
  }

  private static Set<String> ids(List<StreamFixture.Send> sends) throws Exception {
    Set<String> ids = new HashSet<>();
    for (StreamFixture.Send send : sends) ids.add(JSON.readTree(send.value()).get("create_time").asText());
    return ids;
  }

  private static int distinctIds(List<StreamFixture.Send> sends) throws Exception {
    return ids(sends).size();
  }

  private static void execute(StreamFixture f, String sql) throws Exception {
    try (Connection c = f.warehouse.connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
