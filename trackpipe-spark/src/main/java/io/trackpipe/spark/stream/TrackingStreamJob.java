package io.trackpipe.spark.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.event.legacy.EventDecoder;
import io.trackpipe.fs.Folders;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.spark.deadletter.DeadLetterProducer;
import io.trackpipe.spark.dedup.DedupStore;
import io.trackpipe.spark.ingest.CheckpointOffsets;
import io.trackpipe.spark.ingest.DecodedEvents;
import io.trackpipe.spark.ingest.KafkaEndOffsets;
import io.trackpipe.spark.ingest.KafkaEventSource;
import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.spark.enrich.DimensionLookups;
import io.trackpipe.spark.rollup.RollupPlan;
import io.trackpipe.spark.rollup.Rollups;
import io.trackpipe.spark.rawstore.RawStoreWriter;
import io.trackpipe.spark.warehouse.FactsBatchSink;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.dimension.LookupTable;
import io.trackpipe.warehouse.fact.ExactlyOnceWriter;
import io.trackpipe.warehouse.fact.StreamCommit;
import io.trackpipe.warehouse.rollup.RollupTables;
import java.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
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
 * The streaming job: Kafka → decode and validate → dedup → enrich → every rollup (+ dead letters) → exactly-once upserts.
 * The same class runs under {@code trackpipe stream}, {@code trackpipe demo}, the tests and spark-submit.
 */
public final class TrackingStreamJob {
  private static final Logger log = LoggerFactory.getLogger(TrackingStreamJob.class);
  /** The name under which this job's commits are recorded in {@code stream_commit}. */
  public static final String SINK = "events-stream";
  public static final String SOURCE_NAME = "kafka";

  private final KafkaConfig kafka;
  private final WarehouseConfig warehouseConfig;
  private final StreamConfig stream;
  private final RawStoreConfig rawStore;
  private final StreamMetrics metrics = new StreamMetrics();
  private final StreamPrometheusMetrics prometheus = new StreamPrometheusMetrics(metrics);

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
  }

  public StreamMetrics metrics() {
    return metrics;
  }

  /** The job's Prometheus metrics, for a {@link io.trackpipe.spark.metrics.MetricsEndpoint}. */
  public StreamPrometheusMetrics prometheus() {
    return prometheus;
  }

  /** Clears the checkpoint, the dedup store and the rollups' tables: the next start counts the topic from the beginning. */
  public void resetState() throws SQLException, IOException {
    Warehouse warehouse = new Warehouse(warehouseConfig);
    warehouse.migrate();
    List<String> tables = new ArrayList<>();
    for (RollupDefinition rollup : stream.rollups().catalog().rollups()) {
      tables.add(rollup.table());
      rollup.metrics().stream().filter(m -> m.kind() == Metric.Kind.DISTINCT).forEach(m -> tables.add(RollupPlan.sideTableName(rollup, m)));
    }
    new ExactlyOnceWriter(warehouse).reset(SINK, tables);
    Folders.deleteRecursively(stream.checkpointDir());
    Folders.deleteRecursively(stream.dedupStoreDir());
    log.info("Cleared streamed facts and checkpoint {}", stream.checkpointDir());
  }

  /**
   * Prepares topics and schema, checks that checkpoint and warehouse belong together, and starts the query.
   *
   * @throws IllegalStateException when the warehouse holds facts from another checkpoint
   */
  public StreamingQuery start(SparkSession spark) throws SQLException, IOException, TimeoutException {
    return start(spark, false);
  }

  /**
   * @param availableNow process what the topic holds now, then stop (for scheduled runs and tests), instead of running
   *     until stopped
   */
  public StreamingQuery start(SparkSession spark, boolean availableNow) throws SQLException, IOException, TimeoutException {
    Warehouse warehouse = new Warehouse(warehouseConfig);
    warehouse.migrate();
    KafkaTopics.ensureExist(kafka);
    ExactlyOnceWriter writer = new ExactlyOnceWriter(warehouse);
    checkCheckpointMatchesWarehouse(writer.lastCommit(SINK));

    Optional<RawStoreWriter> raw = Optional.ofNullable(rawStore).filter(RawStoreConfig::enabled)
        .map(c -> new RawStoreWriter(io.trackpipe.rawstore.RawTable.of(
            io.trackpipe.domain.DomainCatalog.load(java.util.List.of(), java.util.List.of()).jobAds(), c)));
    // Before anything else starts: a raw store that cannot be reached or has another layout stops the start here.
    raw.ifPresent(RawStoreWriter::prepareSchema);
    EventDecoder decoder = new EventDecoder(stream.eventLimits());
    Rollups rollups = rollups(spark, warehouse);
    new RollupTables(warehouse).ensure(rollups.targets());

    DedupStore dedup = DedupStore.open(stream.dedupStoreDir(), stream.dedupHorizon(), stream.maxFutureSkew(),
        Clock.systemUTC());
    try {
      checkDedupStoreMatchesWarehouse(dedup, writer.lastCommit(SINK));
    } catch (RuntimeException e) {
      dedup.close();
      throw e;
    }
    FactsBatchSink sink = new FactsBatchSink(SINK, writer, new CheckpointOffsets(stream.checkpointDir()), dedup, rollups,
        stream.timeZone(), stream.allowedLateness(), SOURCE_NAME, raw);

    LongAccumulator deadLettersNotStored = spark.sparkContext().longAccumulator("dead letters not stored");
    Dataset<Row> decoded = DecodedEvents.decode(KafkaEventSource.read(spark, kafka, stream), kafka.eventsTopic(),
        raw.isPresent() ? decoder.keepingContext() : decoder, new DeadLetterProducer(kafka, stream.deadLetterMaxBytes(), deadLettersNotStored));

    PipelineStatusWriter statusWriter = new PipelineStatusWriter(SINK, metrics, warehouse, stream.timeZone(),
        java.time.Clock.systemUTC());
    VoidFunction2<Dataset<Row>, Long> onBatch = (batch, batchId) -> {
      FactsBatchSink.BatchResult r = sink.apply(batch, batchId);
      metrics.deadLettersNotStored(deadLettersNotStored.value());
      if (r.applied()) {
        metrics.batchCommitted(batchId, r.read(), r.counted(), r.duplicates(), r.tooLate(), r.rejectedByReason(),
            r.rowsUpserted(), r.millis(), r.freshnessMillis());
        prometheus.batchCommitted(r.millis(), r.freshnessMillis());
      }
    };
    QueryLifecycle lifecycle = new QueryLifecycle(spark, dedup, new KafkaEndOffsets(kafka), statusWriter);
    spark.streams().addListener(lifecycle);
    StreamingQuery query;
    try {
      query = decoded.writeStream()
          .queryName("trackpipe-events")
          .option("checkpointLocation", stream.checkpointDir().toAbsolutePath().toString())
          .trigger(availableNow ? Trigger.AvailableNow() : Trigger.ProcessingTime(stream.triggerInterval().toMillis()))
          .foreachBatch(onBatch)
          .start();
    } catch (RuntimeException | TimeoutException e) {
      lifecycle.end();
      throw e;
    }
    lifecycle.follow(query);
    log.info("Streaming {} → {} (checkpoint {}, dedup horizon {}, allowed lateness {}, zone {}, raw store {})",
        kafka.eventsTopic(), warehouseConfig.jdbcUrl(), stream.checkpointDir(), stream.dedupHorizon(),
        stream.allowedLateness(), stream.timeZone(), raw.map(r -> r.table().qualifiedName()).orElse("off"));
    return query;
  }

  /**
   * The configured rollups compiled against the source columns and the lookups' tables.
   *
   * @throws io.trackpipe.config.ConfigException with every problem of the definitions
   */
  private Rollups rollups(SparkSession spark, Warehouse warehouse) throws SQLException {
    RollupCatalog catalog = stream.rollups().catalog();
    DimensionLookups lookups = new DimensionLookups(catalog.lookups(), lookup -> LookupTable.load(warehouse, lookup),
        stream.dimensionRefresh(), Clock.systemUTC());
    return Rollups.compile(spark, stream.rollups(), catalog, lookups, stream.timeZone());
  }

  /**
   * Routes this query's progress to the job's metrics and the pipeline status (after each batch, and every few seconds
   * while idle, so that the lag reaches 0 once caught up), and when the query ends, closes its dedup store and the lag
   * probe and removes itself. Spark calls listeners on one thread of its own, possibly before {@link #follow} ran:
   * whichever of the two sees the end first closes (closing is idempotent).
   */
  private final class QueryLifecycle extends StreamingQueryListener {
    private final SparkSession spark;
    private final DedupStore dedup;
    private final KafkaEndOffsets endOffsets;
    private final PipelineStatusWriter statusWriter;
    private volatile StreamingQuery query;
    private boolean ended;

    QueryLifecycle(SparkSession spark, DedupStore dedup, KafkaEndOffsets endOffsets, PipelineStatusWriter statusWriter) {
      this.spark = spark;
      this.dedup = dedup;
      this.endOffsets = endOffsets;
      this.statusWriter = statusWriter;
    }

    void follow(StreamingQuery started) {
      query = started;
      if (!started.isActive()) end();
    }

    synchronized void end() {
      if (ended) return;
      ended = true;
      dedup.close();
      endOffsets.close();
      spark.streams().removeListener(this);
    }

    private boolean ours(java.util.UUID id) {
      StreamingQuery q = query;
      return q != null && q.id().equals(id);
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {}

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
      if (!ours(event.progress().id())) return;
      synchronized (this) {
        if (ended) return;
        metrics.onQueryProgress(event, endOffsets::latest);
      }
      statusWriter.write();
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
      if (ours(event.id())) end();
    }
  }

  /**
   * A new checkpoint re-reads Kafka from the start; if the warehouse already has this sink's facts, that would count
   * them again. Refuse, with the way out, rather than double count.
   */
  private void checkCheckpointMatchesWarehouse(Optional<StreamCommit> committed) throws IOException {
    if (committed.isEmpty()) return;
    Optional<String> checkpointQueryId = checkpointQueryId(stream.checkpointDir());
    if (checkpointQueryId.isEmpty() || !checkpointQueryId.get().equals(committed.get().queryId())) {
      throw new IllegalStateException("checkpoint " + stream.checkpointDir().toAbsolutePath() + " is "
          + (checkpointQueryId.isEmpty() ? "new" : "from query " + checkpointQueryId.get()) + ", and "
          + committed.get().otherCheckpointMessage(checkpointQueryId.orElse("(none yet)")));
    }
  }

  /**
   * The dedup store must be the one that saw the warehouse's last committed batch L: it last saw L, or L + 1 (deduped,
   * then the job stopped before its commit). An empty store (a new driver disk) or an older copy would let copies of
   * events counted within the horizon through, to be counted again: refuse, with the ways out, unless the loss is
   * accepted. A store with ids but no last batch was written before the store kept it, and is trusted.
   */
  private void checkDedupStoreMatchesWarehouse(DedupStore dedup, Optional<StreamCommit> committed) {
    long lastCommitted = committed.map(StreamCommit::batchId).orElse(-1L);
    OptionalLong seen = dedup.lastBatch();
    boolean matches = seen.isPresent()
        ? seen.getAsLong() == lastCommitted || seen.getAsLong() == lastCommitted + 1
        : lastCommitted == -1 || dedup.holdsIds();
    if (matches) return;
    String problem = "the dedup store in " + dedup.dir().toAbsolutePath() + " "
        + (seen.isPresent() ? "last saw batch " + seen.getAsLong() : "is empty") + ", but the warehouse's last commit of sink '"
        + SINK + "' is batch " + lastCommitted;
    if (stream.acceptDedupStoreLoss()) {
      log.warn("{}; starting anyway (stream.accept-dedup-store-loss): copies of events counted within the last {} may be"
          + " counted again", problem, stream.dedupHorizon());
      return;
    }
    throw new IllegalStateException(problem + ". Copies of events counted within the dedup horizon ("
        + stream.dedupHorizon() + ") would be counted again. Restore the dedup store folder that belongs to the checkpoint"
        + " (stream.dedup-store-dir), or accept the risk once with --set stream.accept-dedup-store-loss=true, or start"
        + " over with --fresh.");
  }

  /** Spark writes {@code {"id":"<query id>"}} to {@code <checkpoint>/metadata} when a checkpoint is created. */
  static Optional<String> checkpointQueryId(Path checkpointDir) throws IOException {
    Path metadata = checkpointDir.resolve("metadata");
    if (!Files.isRegularFile(metadata)) return Optional.empty();
    String firstLine = Files.readAllLines(metadata).stream().findFirst().orElse("{}");
    return Optional.ofNullable(new ObjectMapper().readTree(firstLine).path("id").textValue());
  }
}
