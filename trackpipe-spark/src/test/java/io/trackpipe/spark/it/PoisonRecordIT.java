package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import io.trackpipe.spark.stream.StreamQueries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records no dead-letter topic takes as they are, on a real Kafka: a compressible 3 MiB record (the events topic took
 * it compressed; uncompressed it is larger than any producer request) is dead-lettered cut to the configured size with
 * its original size and hash, and a record the dead-letter topic refuses for good is counted and logged. Neither stops
 * the stream, and the good events around them are counted exactly.
 */
class PoisonRecordIT {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final int DEAD_LETTER_MAX_BYTES = 64 * 1024;

  @TempDir Path work;

  @Test
  void aRecordTooLargeToDeadLetterIsCutOrCountedAndNeverStopsTheStream() throws Exception {
    StreamFixture f = StreamFixture.create("poison", work);
    // The dead-letter topic refuses batches over 16 KiB: a cut value that does not compress cannot be stored.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, f.kafka.bootstrapServers()))) {
      admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, f.kafka.deadLetterTopic()),
          List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", Integer.toString(16 * 1024)), AlterConfigOp.OpType.SET))))
          .all().get();
    }
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).minusHours(1);
    long arrival = hour.plusMinutes(50).toInstant(ZoneOffset.UTC).toEpochMilli();
    byte[] huge = ("{\"create_time\":\"poison\",\"ua\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
    byte[] noise = new byte[40 * 1024];
    new Random(5).nextBytes(noise);

    List<StreamFixture.Send> valid = new ArrayList<>();
    List<StreamFixture.Send> sends = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      StreamFixture.Send good = new StreamFixture.Send("k", click("good-" + i, hour.plusMinutes(i)), arrival);
      valid.add(good);
      sends.add(good);
      if (i == 1) sends.add(new StreamFixture.Send("k", huge, arrival));
      if (i == 3) sends.add(new StreamFixture.Send("k", noise, arrival));
    }
    produceCompressed(f, sends);

    StreamConfig defaults = f.streamConfig();
    StreamConfig stream = new StreamConfig(defaults.checkpointDir(), defaults.sparkMaster(), defaults.triggerInterval(),
        defaults.maxEventsPerBatch(), defaults.shufflePartitions(), defaults.dedupStoreDir(), defaults.startingOffsets(),
        defaults.timeZone(), defaults.allowedLateness(), defaults.dedupHorizon(), defaults.maxFutureSkew(),
        defaults.dimensionRefresh(), DEAD_LETTER_MAX_BYTES, false, defaults.domains());
    TrackingStreamJob job = f.job(stream);
    StreamQueries query = job.start(StreamFixture.spark());
    try {
      query.processAllAvailable();
      StreamFixture.Send after = new StreamFixture.Send("k", click("after", hour.plusMinutes(30)), arrival);
      f.produce(List.of(after));
      valid.add(after);
      query.processAllAvailable();
      assertThat(query.isActive()).as("still running").isTrue();
      assertThat(query.exception().isEmpty()).as("no failure").isTrue();
    } finally {
      query.stop();
    }

    assertThat(f.facts()).isEqualTo(Recount.of(valid, Map.of(), stream.allowedLateness()));
    assertThat(job.metrics().status().rejectedByReason()).isEqualTo(Map.of("too_large", 1L, "malformed_json", 1L));
    assertThat(job.metrics().deadLettersNotStored()).as("the noise: its dead letter does not fit the topic").isEqualTo(1);
    List<ConsumerRecord<byte[], byte[]>> deadLetters = f.deadLettersToEnd();
    assertThat(deadLetters).as("the huge record's dead letter, maybe more than once (at-least-once)").isNotEmpty()
        .allSatisfy(r -> {
          assertThat(header(r, "trackpipe.reason")).isEqualTo("too_large");
          assertThat(r.value()).as("its first bytes").hasSize(DEAD_LETTER_MAX_BYTES)
              .isEqualTo(java.util.Arrays.copyOf(huge, DEAD_LETTER_MAX_BYTES));
          assertThat(header(r, "trackpipe.original-size")).isEqualTo(Integer.toString(huge.length));
          assertThat(header(r, "trackpipe.original-sha256")).isEqualTo(sha256(huge));
        });
  }

  /** As a tracker's producer configured for big records would send them: lz4, a large request size. */
  private static void produceCompressed(StreamFixture f, List<StreamFixture.Send> sends) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, f.kafka.bootstrapServers());
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 * 1024 * 1024));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (StreamFixture.Send s : sends) {
        producer.send(new ProducerRecord<>(f.kafka.eventsTopic(), 0, s.timestampMillis(),
            s.key().getBytes(StandardCharsets.UTF_8), s.value())).get();
      }
    }
  }

  private static byte[] click(String id, LocalDateTime time) {
    return ("{\"create_time\":\"" + id + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":1,\"publisher_id\":2,"
        + "\"campaign_id\":3,\"group_id\":4,\"bid\":0.5,\"custom_track\":\"click\"}").getBytes(StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
