package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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

/**
 * Cassandra stops while the stream runs. Within rawstore.outage-timeout the job waits and goes on once Cassandra is
 * back; beyond it, the job stops with a clear error and the next start catches up. Either way the raw table holds
 * every valid event once and the facts count each once: a batch is committed only after its raw write succeeded.
 */
class RawStoreOutageIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void stopsCleanlyOrWaitsWhileCassandraIsDownAndCatchesUpExactly() throws Exception {
    Path cassandraDir = work.resolve("cassandra");
    EmbeddedCassandra cassandra = EmbeddedCassandra.start(cassandraDir, 0);
    int port = cassandra.port();
    try {
      StreamFixture f = StreamFixture.create("outage", work);
      RawStoreFixture raw = RawStoreFixture.create("outage", cassandra.contactPoint());
      Dimensions dimensions = SampleDimensions.generate(3, 10, 40, 8);
      f.loadDimensions(dimensions);
      Map<Long, Job> jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
      EventGenerator generator = new EventGenerator(GeneratorConfig.builder(dimensions).seed(3).duplicateRatio(0.05)
          .lateRatio(0.05).malformedRatio(0.0).build());
      Instant start = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MILLIS);
      List<List<StreamFixture.Send>> parts = new ArrayList<>();
      for (int part = 0; part < 3; part++) {
        List<StreamFixture.Send> sends = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
          Instant now = start.plusMillis((part * 1_500L + i) * 100L);
          GeneratedRecord r = generator.next(now);
          sends.add(new StreamFixture.Send(r.key(), r.value(), now.toEpochMilli()));
        }
        parts.add(sends);
      }
      List<StreamFixture.Send> sent = new ArrayList<>();

      // 1. A short outage timeout: the job stops with the cause and commits nothing of the batch it could not store.
      TrackingStreamJob impatient = job(f, raw.config.withOutageTimeout(Duration.ofSeconds(4)));
      StreamQueries first = impatient.start(StreamFixture.spark());
      try {
        send(f, sent, parts.get(0));
        await().atMost(Duration.ofSeconds(60)).until(() -> impatient.metrics().status().recordsRead() == parts.get(0).size());
        long committed = f.committedBatch();
        cassandra.close();
        send(f, sent, parts.get(1));
        assertThatThrownBy(() -> first.awaitTermination(60_000))
            .hasStackTraceContaining("stayed unavailable for rawstore.outage-timeout")
            .hasStackTraceContaining("resumes from the checkpoint");
        assertThat(f.committedBatch()).as("nothing committed without the raw store").isEqualTo(committed);
        assertThat(f.facts()).isEqualTo(Recount.of(parts.get(0), jobs, Duration.ofHours(2)));
      } finally {
        first.stop();
      }

      // 2. Cassandra back, the job started again: it catches up from the checkpoint.
      cassandra = EmbeddedCassandra.start(cassandraDir, port);
      TrackingStreamJob patient = job(f, raw.config.withOutageTimeout(Duration.ofMinutes(2)));
      StreamQueries second = patient.start(StreamFixture.spark());
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> patient.metrics().status().recordsRead() == parts.get(1).size());
        assertExact(f, raw, sent, jobs);

        // 3. A longer timeout: the running job waits for Cassandra and goes on by itself.
        cassandra.close();
        long committed = f.committedBatch();
        send(f, sent, parts.get(2));
        Thread.sleep(3_000);
        assertThat(second.isActive()).as("still waiting for Cassandra").isTrue();
        assertThat(f.committedBatch()).isEqualTo(committed);
        cassandra = EmbeddedCassandra.start(cassandraDir, port);
        await().atMost(Duration.ofSeconds(60)).until(() -> patient.metrics().status().recordsRead()
            == parts.get(1).size() + parts.get(2).size());
        assertExact(f, raw, sent, jobs);
      } finally {
        second.stop();
      }
    } finally {
      cassandra.close();
    }
  }

  private static TrackingStreamJob job(StreamFixture f, RawStoreConfig raw) {
    return new TrackingStreamJob(f.kafka, f.warehouseConfig, f.streamConfig(), raw);
  }

  private static void send(StreamFixture f, List<StreamFixture.Send> sent, List<StreamFixture.Send> part) throws Exception {
    f.produce(part);
    sent.addAll(part);
  }

  private static void assertExact(StreamFixture f, RawStoreFixture raw, List<StreamFixture.Send> sent, Map<Long, Job> jobs)
      throws Exception {
    Set<String> ids = new HashSet<>();
    for (StreamFixture.Send send : sent) ids.add(JSON.readTree(send.value()).get("create_time").asText());
    assertThat(raw.rowsById().keySet()).isEqualTo(ids);
    assertThat(raw.countAll()).isEqualTo(ids.size());
    assertThat(f.facts()).isEqualTo(Recount.of(sent, jobs, Duration.ofHours(2)));
  }
}
