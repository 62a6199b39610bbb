package io.trackpipe.spark.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.DomainTopics;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.fs.Folders;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.spark.deadletter.DeadLetterProducer;
import io.trackpipe.spark.dedup.DedupLog;
import io.trackpipe.spark.dedup.DedupStore;
import io.trackpipe.spark.enrich.DimensionLookups;
import io.trackpipe.spark.ingest.CheckpointOffsets;
import io.trackpipe.spark.ingest.DecodedEvents;
import io.trackpipe.spark.ingest.KafkaEndOffsets;
import io.trackpipe.spark.ingest.KafkaEventSource;
import io.trackpipe.rawstore.RawTable;
import io.trackpipe.spark.rawstore.RawStoreWriter;
import io.trackpipe.spark.rollup.RollupPlan;
import io.trackpipe.spark.rollup.Rollups;
import io.trackpipe.spark.warehouse.FactsBatchSink;
import io.trackpipe.warehouse.session.SessionStage;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.dimension.LookupTable;
import io.trackpipe.warehouse.fact.ExactlyOnceWriter;
import io.trackpipe.warehouse.fact.StreamCommit;
import io.trackpipe.warehouse.rollup.RollupTables;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job: for every domain of {@link StreamConfig#domains()}, one streaming query in the same Spark
 * application: Kafka → decode and validate → dedup → enrich → every rollup of the domain (+ dead letters) →
 * exactly-once upserts. Each domain has its own topics, checkpoint, dedup store, dead-letter producer, commit log
 * name ({@link Domain#sink()}), tables, metrics and status; nothing is shared but the Spark session and the warehouse.
 * The same class runs under {@code trackpipe stream}, {@code trackpipe demo}, the tests and spark-submit.
 */
public final class TrackingStreamJob {
  private static final Logger log = LoggerFactory.getLogger(TrackingStreamJob.class);
  private static final String CHECKPOINT_FILE_MANAGER = "spark.sql.streaming.checkpointFileManagerClass";
  public static final String SOURCE_NAME = "kafka";
  /** The Spark application's name, wherever the job runs (a session started before the job, as the demo's, too). */
  public static final String APP_NAME = "trackpipe-stream";
  /** The folder of each domain's {@link DedupLog}, inside its checkpoint. */
  public static final String DEDUP_LOG_FOLDER = "dedup-log";

  private final KafkaConfig kafka;
  private final WarehouseConfig warehouseConfig;
  private final StreamConfig stream;
  private final RawStoreConfig rawStore;
  /** The domains to run, job ads with the topics of {@code kafka.topic.*}. */
  private final List<Domain> domains;
  private final Map<String, StreamMetrics> metrics = new LinkedHashMap<>();
  private final StreamPrometheusMetrics prometheus;

  /** A job without the raw store. */
  public TrackingStreamJob(KafkaConfig kafka, WarehouseConfig warehouse, StreamConfig stream) {
    this(kafka, warehouse, stream, null);
  }

  /** @param rawStore where valid events are also stored, when not null and enabled */
  public TrackingStreamJob(KafkaConfig kafka, WarehouseConfig warehouse, StreamConfig stream, RawStoreConfig rawStore) {
    this.kafka = kafka;
    this.warehouseConfig = warehouse;
    this.stream = stream;
    this.rawStore = rawStore;
    this.domains = stream.domains().domains().stream()
        .map(d -> d.name().equals(DomainCatalog.JOB_ADS)
            ? d.withTopics(new DomainTopics(kafka.eventsTopic(), kafka.deadLetterTopic())) : d)
        .toList();
    if (domains.isEmpty()) throw new IllegalArgumentException("no domain to stream");
    domains.forEach(d -> metrics.put(d.name(), new StreamMetrics()));
    this.prometheus = new StreamPrometheusMetrics(metrics);
  }

  /** The domains this job streams, in the catalogue's order. */
  public List<Domain> domains() {
    return domains;
  }

  /** The first domain's metrics (job ads, unless {@code --domain} left them out). */
  public StreamMetrics metrics() {
    return metrics.get(domains.get(0).name());
  }

  /** A domain's metrics. */
  public StreamMetrics metrics(String domain) {
    StreamMetrics m = metrics.get(domain);
    if (m == null) throw new IllegalArgumentException("not streamed: domain '" + domain + "'");
    return m;
  }

  /** The job's Prometheus metrics, every domain's under its {@code domain} label. */
  public StreamPrometheusMetrics prometheus() {
    return prometheus;
  }

  /**
   * Clears every domain's checkpoint, dedup store and rollup tables: the next start counts the topics from the beginning.
   *
   * @param spark the session whose Hadoop settings reach the checkpoint's file system
   */
  public void resetState(SparkSession spark) throws SQLException, IOException {
    Warehouse warehouse = new Warehouse(warehouseConfig);
    warehouse.migrate();
    Configuration hadoopConf = hadoopConf(spark);
    for (Domain domain : domains) {
      List<String> tables = new ArrayList<>();
      for (RollupDefinition rollup : domain.rollups().rollups()) {
        tables.add(rollup.table());
        rollup.metrics().stream().filter(m -> m.kind() == Metric.Kind.DISTINCT)
            .forEach(m -> tables.add(RollupPlan.sideTableName(rollup, m)));
      }
      if (domain.sessions() != null) tables.add(domain.sessions().stateTable());
      new ExactlyOnceWriter(warehouse).reset(domain.sink(), tables);
      CheckpointLocation checkpoint = stream.checkpointDir(domain);
      checkpoint.fileSystem(hadoopConf).delete(checkpoint.hadoopPath(), true);
      Folders.deleteRecursively(stream.dedupStoreDir(domain));
      log.info("Cleared the streamed facts and checkpoint {} of domain {}", checkpoint, domain.name());
    }
  }

  /**
   * Prepares topics and schema, checks that each domain's checkpoint and warehouse belong together, and starts one
   * query per domain.
   *
   * @throws IllegalStateException when the warehouse holds facts from another checkpoint
   * @throws io.trackpipe.config.ConfigException when a domain's derived columns or rollups do not resolve (every
   *     problem of every domain)
   */
  public StreamQueries start(SparkSession spark) throws SQLException, IOException, TimeoutException {
    return start(spark, false);
  }

  /**
   * @param availableNow process what the topics hold now, then stop (for scheduled runs and tests), instead of running
   *     until stopped
   */
  public StreamQueries start(SparkSession spark, boolean availableNow) throws SQLException, IOException, TimeoutException {
    // Each domain's events go to its own raw table (RawTable, derived from its schema). Its schema is prepared while
    // the rest starts, one table after another; a batch's raw write waits for its table, and the start still fails
    // when one fails (below).
    Map<String, RawStoreWriter> raw = new LinkedHashMap<>();
    if (rawStore != null && rawStore.enabled()) {
      for (Domain domain : domains) raw.put(domain.name(), new RawStoreWriter(RawTable.of(domain, rawStore)));
    }
    CompletableFuture<Void> rawSchema = RawStoreWriter.prepareSchemas(raw.values());
    Warehouse warehouse = new Warehouse(warehouseConfig);
    warehouse.migrate();
    // Every domain's definitions are compiled before any query starts: all their problems at once, and no domain
    // runs while another's file is wrong.
    Map<String, Rollups> rollups = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Domain domain : domains) {
      try {
        rollups.put(domain.name(), rollups(spark, warehouse, domain));
      } catch (io.trackpipe.config.ConfigException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) throw new io.trackpipe.config.ConfigException(problems);
    // A local checkpoint's files are written without the processes Hadoop 3.3 starts there (LocalCheckpointFileManager).
    // Elsewhere (HDFS) Spark's default stays: its rename is the atomic one. Every domain's checkpoint is under this folder.
    if (stream.checkpointDir().localPath().isPresent()) {
      spark.conf().set(CHECKPOINT_FILE_MANAGER, LocalCheckpointFileManager.class.getName());
    }
    List<StreamQueries.Running> started = new ArrayList<>();
    FirstBatchFirst firstBatch = new FirstBatchFirst();
    try {
      for (Domain domain : domains) {
        started.add(startDomain(spark, warehouse, domain, rollups.get(domain.name()),
            Optional.ofNullable(raw.get(domain.name())), availableNow, firstBatch, started.isEmpty()));
      }
      // A raw store that cannot be reached or has another layout stops the start: no batch committed without it.
      RawStoreWriter.awaitSchema(rawSchema);
    } catch (SQLException | IOException | TimeoutException | RuntimeException e) {
      for (StreamQueries.Running running : started) {
        try {
          running.query().stop();
          running.release().run();
        } catch (TimeoutException | RuntimeException stopFailure) {
          e.addSuppressed(stopFailure);
        }
      }
      throw e;
    }
    return new StreamQueries(started);
  }

  /**
   * @param first whether this is the first domain, whose first batch releases {@code firstBatch}; the others' first
   *     batches wait for it
   */
  private StreamQueries.Running startDomain(SparkSession spark, Warehouse warehouse, Domain domain, Rollups rollups,
      Optional<RawStoreWriter> rawForDomain, boolean availableNow, FirstBatchFirst firstBatch, boolean first)
      throws SQLException, IOException, TimeoutException {
    KafkaConfig topics = kafka.withTopics(domain.topics().events(), domain.topics().deadLetters());
    KafkaTopics.ensureExist(topics);
    CheckpointLocation checkpointDir = stream.checkpointDir(domain);
    FileSystem checkpointFs = checkpointDir.fileSystem(hadoopConf(spark));
    ExactlyOnceWriter writer = new ExactlyOnceWriter(warehouse);
    Optional<StreamCommit> committed = writer.lastCommit(domain.sink());
    checkCheckpointMatchesWarehouse(checkpointFs, checkpointDir, committed);
    CheckpointOffsets checkpointOffsets = new CheckpointOffsets(checkpointFs, checkpointDir.hadoopPath());
    checkpointOffsets.rewindTo(committed.map(StreamCommit::batchId).orElse(-1L)).ifPresent(batch -> log.warn(
        "Domain {}: the checkpoint recorded batch {} as done, but its commit did not reach the warehouse (the job ended"
            + " while it ran); batch {} runs again", domain.name(), batch, batch));
    new RollupTables(warehouse).ensure(rollups.targets());
    EventDecoder fullDecoder = new EventDecoder(domain.schema(), stream.eventLimits());
    EventDecoder decoder = rawForDomain.isPresent() ? fullDecoder : fullDecoder.withoutRawOnlyValues();

    DedupStore dedup = openDedupStore(checkpointFs, domain, checkpointDir, committed);
    Optional<SessionStage> sessions = rollups.sessions().map(t -> new SessionStage(t, stream.timeZone(), stream.allowedLateness()));
    if (sessions.isPresent()) sessions.get().ensureStateTable(warehouse);
    KafkaEndOffsets backlog = new KafkaEndOffsets(topics);
    FactsBatchSink sink = new FactsBatchSink(domain.sink(), domain.schema(), writer, checkpointOffsets,
        dedup, rollups, stream.timeZone(), stream.allowedLateness(), SOURCE_NAME, rawForDomain, sessions,
        // Behind by a batch or more: overlapping the commit with the next batch drains faster. Less behind, the
        // commit goes first: the next batch is small, and its work would only slow the commit its events wait for.
        // Unknown end offsets (-1) count as caught up, which is always safe.
        range -> StreamMetrics.totalLag(StreamMetrics.lagByPartition(range.end().byPartition(), backlog::latest))
            >= Math.max(1, range.offsets()));

    StreamMetrics domainMetrics = metrics.get(domain.name());
    LongAccumulator deadLettersNotStored = spark.sparkContext().longAccumulator("dead letters not stored (" + domain.name() + ")");
    DeadLetterProducer deadLetters = new DeadLetterProducer(topics, stream.deadLetterMaxBytes(), deadLettersNotStored);

    PipelineStatusWriter statusWriter = new PipelineStatusWriter(domain.sink(), domainMetrics, warehouse, stream.timeZone(),
        Clock.systemUTC());
    String name = domain.name();
    Runnable firstBatchDone = first ? firstBatch::release : () -> {};
    AtomicBoolean waitsForFirstBatch = new AtomicBoolean(!first);
    VoidFunction2<Dataset<Row>, Long> onBatch = (records, batchId) -> {
      if (waitsForFirstBatch.getAndSet(false)) firstBatch.await();
      // Decoded per batch, not on the stream: a batch's records can go straight to Spark's internal rows.
      Dataset<Row> batch = DecodedEvents.decode(records, topics.eventsTopic(), decoder, deadLetters);
      sink.apply(batch, batchId, r -> {
        firstBatchDone.run();
        domainMetrics.deadLettersNotStored(deadLettersNotStored.value());
        if (r.applied()) {
          domainMetrics.batchCommitted(batchId, r.read(), r.counted(), r.duplicates(), r.tooLate(), r.rejectedByReason(),
              r.rowsUpserted(), r.millis(), r.freshnessMillis());
          prometheus.batchCommitted(name, r.millis(), r.freshnessMillis());
        }
      });
    };
    QueryLifecycle lifecycle = new QueryLifecycle(spark, domainMetrics, sink, dedup, new KafkaEndOffsets(topics), backlog,
        statusWriter, firstBatchDone);
    spark.streams().addListener(lifecycle);
    StreamingQuery query;
    try {
      query = KafkaEventSource.read(spark, topics, stream).writeStream()
          .queryName(queryName(domain))
          .option("checkpointLocation", checkpointDir.hadoopPath().toString())
          .trigger(availableNow ? Trigger.AvailableNow() : Trigger.ProcessingTime(stream.triggerInterval().toMillis()))
          .foreachBatch(onBatch)
          .start();
    } catch (RuntimeException | TimeoutException e) {
      lifecycle.end();
      throw e;
    }
    lifecycle.follow(query);
    log.info("Streaming domain {}: {} → {} (checkpoint {}, dedup horizon {}, allowed lateness {}, zone {}, raw store {})",
        domain.name(), topics.eventsTopic(), warehouseConfig.jdbcUrl(), checkpointDir, stream.dedupHorizon(),
        stream.allowedLateness(), stream.timeZone(), rawForDomain.map(r -> r.table().qualifiedName()).orElse("off"));
    return new StreamQueries.Running(domain.name(), query, lifecycle::end);
  }

  /** Job ads keep the query name they always had (it shows in Spark's UI and logs). */
  private static String queryName(Domain domain) {
    return domain.name().equals(DomainCatalog.JOB_ADS) ? "trackpipe-events" : "trackpipe-" + domain.name();
  }

  /**
   * The domain's rollups compiled against its source columns and the lookups' tables.
   *
   * @throws io.trackpipe.config.ConfigException with every problem of the domain's derived columns and rollups
   */
  private Rollups rollups(SparkSession spark, Warehouse warehouse, Domain domain) throws SQLException {
    DimensionLookups lookups = new DimensionLookups(domain.rollups().lookups(), lookup -> LookupTable.load(warehouse, lookup),
        stream.dimensionRefresh(), Clock.systemUTC());
    return Rollups.compile(spark, domain, lookups, stream.timeZone());
  }

  /**
   * Routes one query's progress to its domain's metrics and pipeline status (after each batch, and every few seconds
   * while idle, so that the lag reaches 0 once caught up), and when the query ends, lets a commit still running
   * finish, closes its dedup store and the Kafka probes and removes itself. Spark calls listeners on one thread of its
   * own, possibly before {@link #follow} ran: whichever of the two sees the end first closes (closing is idempotent).
   */
  private static final class QueryLifecycle extends StreamingQueryListener {
    /** How long a stopped query's last commit may still take (a 200k-event batch commits in about a second). */
    private static final Duration COMMIT_AT_STOP = Duration.ofSeconds(30);
    private final SparkSession spark;
    private final StreamMetrics metrics;
    private final FactsBatchSink sink;
    private final DedupStore dedup;
    private final KafkaEndOffsets endOffsets;
    private final KafkaEndOffsets backlog;
    private final PipelineStatusWriter statusWriter;
    private final Runnable idleOrEnded;
    private volatile StreamingQuery query;
    private boolean ended;

    /**
     * @param endOffsets the lag probe of this listener's thread
     * @param backlog the sink's probe, used on the batch thread
     * @param idleOrEnded runs when a trigger found nothing to read, and when the query ended
     */
    QueryLifecycle(SparkSession spark, StreamMetrics metrics, FactsBatchSink sink, DedupStore dedup,
        KafkaEndOffsets endOffsets, KafkaEndOffsets backlog, PipelineStatusWriter statusWriter, Runnable idleOrEnded) {
      this.spark = spark;
      this.metrics = metrics;
      this.sink = sink;
      this.dedup = dedup;
      this.endOffsets = endOffsets;
      this.backlog = backlog;
      this.statusWriter = statusWriter;
      this.idleOrEnded = idleOrEnded;
    }

    void follow(StreamingQuery started) {
      query = started;
      if (!started.isActive()) end();
    }

    synchronized void end() {
      if (ended) return;
      ended = true;
      idleOrEnded.run();
      sink.close(COMMIT_AT_STOP);
      dedup.close();
      endOffsets.close();
      backlog.close();
      spark.streams().removeListener(this);
    }

    /**
     * By run: a restart on the same checkpoint keeps the query's id, and the previous run's termination, delivered
     * late by the listener bus, must not end this one.
     */
    private boolean ours(java.util.UUID runId) {
      StreamingQuery q = query;
      return q != null && q.runId().equals(runId);
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {}

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
      if (!ours(event.progress().runId())) return;
      if (event.progress().numInputRows() == 0) idleOrEnded.run();
      synchronized (this) {
        if (ended) return;
        metrics.onQueryProgress(event, endOffsets::latest);
      }
      statusWriter.write();
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
      if (ours(event.runId())) end();
    }
  }

  /**
   * A new checkpoint re-reads Kafka from the start; if the warehouse already has this sink's facts, that would count
   * them again. Refuse, with the way out, rather than double count.
   */
  private static void checkCheckpointMatchesWarehouse(FileSystem fs, CheckpointLocation checkpointDir,
      Optional<StreamCommit> committed) throws IOException {
    if (committed.isEmpty()) return;
    Optional<String> checkpointQueryId = checkpointQueryId(fs, checkpointDir);
    if (checkpointQueryId.isEmpty() || !checkpointQueryId.get().equals(committed.get().queryId())) {
      throw new IllegalStateException("checkpoint " + checkpointDir + " is "
          + (checkpointQueryId.isEmpty() ? "new" : "from query " + checkpointQueryId.get()) + ", and "
          + committed.get().otherCheckpointMessage(checkpointQueryId.orElse("(none yet)")));
    }
  }

  /**
   * Opens the domain's dedup store, which must be the one that saw the warehouse's last committed batch L: it last saw
   * L, or L + 1 (deduped, then the job stopped before its commit). A store with ids but no last batch was written
   * before the store kept it, and is trusted. Any other store (empty: a new driver disk; or an older or newer copy)
   * is rebuilt from the dedup log in the checkpoint. Only when the log cannot cover batch L either (deleted, or begun
   * less than a horizon ago next to a store from before it) would copies of events counted within the horizon get
   * through: the start is refused, with the ways out, unless the loss is accepted.
   */
  private DedupStore openDedupStore(FileSystem fs, Domain domain, CheckpointLocation checkpointDir,
      Optional<StreamCommit> committed) throws IOException {
    long lastCommitted = committed.map(StreamCommit::batchId).orElse(-1L);
    DedupLog dedupLog = DedupLog.open(fs, checkpointDir.resolve(DEDUP_LOG_FOLDER).hadoopPath());
    DedupStore dedup;
    try {
      // Files of batches the warehouse cannot have seen (a checkpoint that went back) must not count as seen.
      dedupLog.dropAfter(lastCommitted + 1);
      dedup = DedupStore.open(stream.dedupStoreDir(domain), dedupLog, stream.dedupHorizon(), stream.maxFutureSkew(),
          Clock.systemUTC());
    } catch (RuntimeException e) {
      dedupLog.close();
      throw e;
    }
    try {
      return checkedDedupStore(domain, dedup, lastCommitted);
    } catch (RuntimeException e) {
      dedup.close();
      throw e;
    }
  }

  private DedupStore checkedDedupStore(Domain domain, DedupStore dedup, long lastCommitted) {
    DedupLog dedupLog = dedup.log();
    OptionalLong seen = dedup.lastBatch();
    boolean matches = seen.isPresent()
        ? seen.getAsLong() == lastCommitted || seen.getAsLong() == lastCommitted + 1
        : lastCommitted == -1 || dedup.holdsIds();
    Optional<String> logGap = lastCommitted == -1 ? Optional.empty() : dedupLog.gap(lastCommitted, stream.dedupHorizon());
    if (matches) {
      Optional<String> broken = dedupLog.broken(lastCommitted);
      if (broken.isPresent()) {
        // A new checkpoint, an installation from before the log, or a log that lost files: it starts (again) here,
        // and protects a lost store once the ids it lacks have aged past the horizon.
        OptionalLong unlogged = dedup.newestHour();
        dedupLog.begin(lastCommitted + 1, unlogged);
        if (lastCommitted != -1) {
          log.warn("The dedup log {} of domain {} {}; it begins at batch {}{}", dedupLog.dir(), domain.name(),
              broken.get(), lastCommitted + 1, unlogged.isEmpty() ? ""
                  : ": until the newest arrivals are " + stream.dedupHorizon() + " past hour "
                      + Instant.ofEpochMilli(unlogged.getAsLong() * Duration.ofHours(1).toMillis())
                      + ", a lost dedup store cannot be rebuilt from it");
        }
      }
      return dedup;
    }
    String problem = "the dedup store in " + dedup.dir().toAbsolutePath() + " "
        + (seen.isPresent() ? "last saw batch " + seen.getAsLong() : "is empty") + ", but the warehouse's last commit of sink '"
        + domain.sink() + "' (domain " + domain.name() + ") is batch " + lastCommitted;
    if (logGap.isEmpty() || stream.acceptDedupStoreLoss()) {
      if (logGap.isPresent()) {
        log.warn("{}, and the dedup log {} cannot cover it: {}; starting anyway (stream.accept-dedup-store-loss): copies"
            + " of events counted within the last {} may be counted again", problem, dedupLog.dir(), logGap.get(),
            stream.dedupHorizon());
      }
      DedupStore rebuilt = dedup.rebuiltFromLog(lastCommitted);
      DedupStore.Rebuild r = rebuilt.lastRebuild().orElseThrow();
      log.info("{}: rebuilt it from the dedup log {}: {} ids within the horizon from {} batch files, up to batch {}, in {} ms",
          problem, dedupLog.dir(), r.ids(), r.files(), r.lastBatch(), r.millis());
      // After an accepted loss the log holds everything the store now knows.
      if (logGap.isPresent()) dedupLog.begin(lastCommitted + 1, OptionalLong.empty());
      return rebuilt;
    }
    throw new IllegalStateException(problem + ", and the dedup log " + dedupLog.dir() + " cannot rebuild it: "
        + logGap.get() + ". Copies of events counted within the dedup horizon (" + stream.dedupHorizon()
        + ") would be counted again. Restore the dedup log (the checkpoint's " + DEDUP_LOG_FOLDER + " folder) or the"
        + " dedup store folder (stream.dedup-store-dir) that belong to the checkpoint, or accept the risk once with --set"
        + " stream.accept-dedup-store-loss=true, or start over with --fresh.");
  }

  /** Spark writes {@code {"id":"<query id>"}} to {@code <checkpoint>/metadata} when a checkpoint is created. */
  static Optional<String> checkpointQueryId(FileSystem fs, CheckpointLocation checkpointDir) throws IOException {
    org.apache.hadoop.fs.Path metadata = checkpointDir.resolve("metadata").hadoopPath();
    if (!fs.isFile(metadata)) return Optional.empty();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs.open(metadata), StandardCharsets.UTF_8))) {
      String firstLine = Objects.requireNonNullElse(reader.readLine(), "{}");
      return Optional.ofNullable(new ObjectMapper().readTree(firstLine).path("id").textValue());
    }
  }

  /** The session's Hadoop settings ({@code spark.hadoop.*}), which reach the checkpoint's file system. */
  private static Configuration hadoopConf(SparkSession spark) {
    return spark.sessionState().newHadoopConf();
  }
}
