package io.trackpipe.spark.it;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.DomainTopics;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.event.EventLimits;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.RecordGenerator;
import io.trackpipe.rollup.RollupConfig;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.stream.CheckpointLocation;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.StreamStatus;
import io.trackpipe.spark.stream.TrackingStreamJob;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.dimension.DimensionTables;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.SparkSession;
import io.trackpipe.spark.stream.StreamQueries;

/**
 * One isolated pipeline per test on the suite's shared real servers: its own topics, database and checkpoint.
 * The streaming job runs in this JVM (or in a child JVM for crash tests) against them.
 */
public final class StreamFixture {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  public final String name;
  public final KafkaConfig kafka;
  public final WarehouseConfig warehouseConfig;
  public final Warehouse warehouse;
  public final Path checkpointDir;
  private final EmbeddedStack stack;

  private StreamFixture(String name, EmbeddedStack stack, Path workDir) {
    this.name = name;
    this.stack = stack;
    this.kafka = KafkaConfig.plaintext(stack.kafka().bootstrapServers(), name + "-events", name + "-dead-letter", 2, (short) 1);
    stack.mariaDb().createDatabase(name);
    this.warehouseConfig = WarehouseConfig.unencrypted(stack.mariaDb().jdbcUrl(name), stack.mariaDb().user(), stack.mariaDb().password());
    this.warehouse = new Warehouse(warehouseConfig);
    this.checkpointDir = workDir.resolve(name + "-checkpoint");
    warehouse.migrate();
    KafkaTopics.ensureExist(kafka);
  }

  /** @param workDir a test's temporary folder */
  public static StreamFixture create(String prefix, Path workDir) {
    String name = prefix + "_" + COUNTER.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 6);
    return new StreamFixture(name, EmbeddedStack.shared(), workDir);
  }

  /** Runs the job until everything in its topic is processed, then stops it; the job's counters after the run. */
  public static StreamStatus runToEnd(TrackingStreamJob job) throws Exception {
    StreamQueries query = job.start(spark());
    try {
      query.processAllAvailable();
      return job.metrics().status();
    } finally {
      query.stop();
    }
  }

  public static SparkSession spark() {
    return SparkSessions.forStream("trackpipe-it", defaultStreamConfig(Path.of("unused")));
  }

  public StreamConfig streamConfig() {
    return defaultStreamConfig(checkpointDir);
  }

  /** Test defaults: UTC, the documented lateness and horizon, a quick dimension refresh, job ads only (fast). */
  public static StreamConfig defaultStreamConfig(Path checkpointDir) {
    return streamConfig(checkpointDir, RollupConfig.DEFAULT);
  }

  /** The test defaults with other rollups. */
  public StreamConfig streamConfig(RollupConfig rollups) {
    return streamConfig(checkpointDir, rollups);
  }

  /** The job-ads domain's sink: the name of its commits in {@code stream_commit}. */
  public static final String JOB_ADS_SINK = DomainCatalog.load(List.of(), List.of()).jobAds().sink();

  private static StreamConfig streamConfig(Path checkpointDir, RollupConfig rollups) {
    return new StreamConfig(CheckpointLocation.local(checkpointDir), "local[2]", Duration.ZERO, 200_000, 2, checkpointDir.resolve("dedup"), "earliest",
        ZoneId.of("UTC"), Duration.ofHours(2), Duration.ofHours(4), EventLimits.DEFAULT.maxFutureSkew(), Duration.ofMillis(500),
        StreamConfig.DEAD_LETTER_MAX_BYTES.defaultValue(), false,
        DomainCatalog.load(List.of(), rollups.definitionFiles()).only(List.of(DomainCatalog.JOB_ADS)));
  }

  public TrackingStreamJob job(StreamConfig stream) {
    return new TrackingStreamJob(kafka, warehouseConfig, stream);
  }

  /**
   * {@code domain} on topics of this test's own ({@code <fixture>-<domain>} and {@code …-dead}), created now so the test
   * can produce to them before the job (which creates them too) starts. Job ads keep the fixture's {@code kafka.topic.*}.
   */
  public Domain onOwnTopics(Domain domain) {
    Domain own = domain.withTopics(new DomainTopics(name + "-" + domain.name(), name + "-" + domain.name() + "-dead"));
    KafkaTopics.ensureExist(KafkaConfig.plaintext(kafka.bootstrapServers(), own.topics().events(),
        own.topics().deadLetters(), kafka.partitions(), kafka.replicationFactor()));
    return own;
  }

  /** Every built-in domain, as the demo streams them: job ads on the fixture's topics, the others on their own. */
  public List<Domain> builtInDomains() {
    return DomainCatalog.load(List.of(), List.of()).domains().stream()
        .map(d -> d.name().equals(DomainCatalog.JOB_ADS) ? d : onOwnTopics(d))
        .toList();
  }

  /** Produces the records to {@code domain}'s events topic (job ads': the fixture's, see {@link #builtInDomains}). */
  public void produce(Domain domain, List<Send> records) throws Exception {
    produceAndGetOffsets(domain.name().equals(DomainCatalog.JOB_ADS) ? kafka.eventsTopic() : domain.topics().events(),
        records);
  }

  public void loadDimensions(Dimensions dimensions) throws Exception {
    new DimensionTables(warehouse).upsert(dimensions);
  }

  /** A record to produce: key, value and the Kafka timestamp (the pipeline's arrival time). */
  public record Send(String key, byte[] value, long timestampMillis) {}

  /** {@code count} records of {@code generator}, arriving {@code millisApart} from each other from {@code from}. */
  public static List<Send> generate(RecordGenerator generator, int count, Instant from, long millisApart) {
    List<Send> sends = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Instant arrival = from.plusMillis(i * millisApart);
      GeneratedRecord r = generator.next(arrival);
      sends.add(new Send(r.key(), r.value(), arrival.toEpochMilli()));
    }
    return sends;
  }

  public void produce(List<Send> records) throws Exception {
    produceAndGetOffsets(records);
  }

  /** Produces the records in order (idempotent, acks=all) and returns where each landed. */
  public List<RecordMetadata> produceAndGetOffsets(List<Send> records) throws Exception {
    return produceAndGetOffsets(kafka.eventsTopic(), records);
  }

  /** Produces the records to another domain's events topic. */
  public void produce(String topic, List<Send> records) throws Exception {
    produceAndGetOffsets(topic, records);
  }

  /** Produces the records to a topic in order and returns where each landed. */
  public List<RecordMetadata> produceAndGetOffsets(String topic, List<Send> records) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new java.util.ArrayList<>(records.size());
      for (Send s : records) {
        sent.add(producer.send(new ProducerRecord<>(topic, null, s.timestampMillis(),
            s.key() == null ? null : s.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), s.value())));
      }
      producer.flush();
      List<RecordMetadata> positions = new java.util.ArrayList<>(records.size());
      for (Future<RecordMetadata> f : sent) {
        positions.add(f.get());
      }
      return positions;
    }
  }

  /** Every record of the dead-letter topic (reads until {@code expected} arrived or 30 s passed). */
  public List<ConsumerRecord<byte[], byte[]>> deadLetters(int expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, name + "-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(kafka.deadLetterTopic()));
      List<ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (records.size() < expected && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
      // A little longer, to catch records beyond the expected count.
      consumer.poll(Duration.ofMillis(1000)).forEach(records::add);
      return records;
    }
  }

  /**
   * Every record of the dead-letter topic up to its current end, copies included (dead letters are at-least-once).
   * Call it once the job has committed the batches whose dead letters are wanted: they are stored before the commit.
   */
  public List<ConsumerRecord<byte[], byte[]>> deadLettersToEnd() {
    return deadLettersToEnd(kafka.deadLetterTopic());
  }

  /** {@link #deadLettersToEnd()} of another domain's dead-letter topic. */
  public List<ConsumerRecord<byte[], byte[]>> deadLettersToEnd(String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("dead-letter topic " + topic + " not read to its end " + end
              + " within 30 s");
        }
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
      return records;
    }
  }

  /** The {@code events} table keyed by {@code job|date|hour|publisher|campaign|group}. */
  /** Every row of a table (or view), each as column name → value, in the order of the given columns. */
  public List<Map<String, Object>> rows(String tableOrView, String orderBy) throws Exception {
    try (Connection c = warehouse.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + tableOrView + " ORDER BY " + orderBy)) {
      List<Map<String, Object>> rows = new java.util.ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
        rows.add(row);
      }
      return rows;
    }
  }

  /** Each row of a query as one line of its values; numbers without trailing zeros, so that 5 = 5.000000. */
  public List<String> query(String sql) throws Exception {
    try (Connection c = warehouse.connect()) {
      return WarehouseRows.query(c, sql);
    }
  }


  public Map<String, FactRow> facts() throws Exception {
    try (Connection c = warehouse.connect()) {
      return WarehouseRows.facts(c);
    }
  }


  public long committedBatch() throws Exception {
    try (Connection c = warehouse.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT batch_id FROM stream_commit WHERE sink = '" + JOB_ADS_SINK + "'")) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }
}
