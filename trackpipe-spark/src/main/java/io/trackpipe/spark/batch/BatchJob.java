package io.trackpipe.spark.batch;


import static io.trackpipe.spark.ingest.EventColumns.EVENT_TIME;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.trackpipe.config.ConfigException;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawTable;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.RollupDefinition.Granularity;
import io.trackpipe.rollup.TimeGrain;
import io.trackpipe.spark.enrich.DimensionLookups;
import io.trackpipe.spark.rollup.Rollups;
import io.trackpipe.spark.rollup.SessionRecount;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.SqlNames;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.dimension.LookupTable;
import io.trackpipe.warehouse.fact.FactBatch;
import io.trackpipe.warehouse.fact.FactColumn;
import io.trackpipe.warehouse.fact.ExactlyOnceWriter;
import io.trackpipe.warehouse.fact.FactTable;
import io.trackpipe.warehouse.fact.RangeOverwrite;
import io.trackpipe.warehouse.fact.RangeOverwrite.PendingBucket;
import io.trackpipe.warehouse.fact.RangeOverwrite.Replacement;
import io.trackpipe.warehouse.fact.RangeOverwrite.Watermark;
import io.trackpipe.warehouse.fact.StreamCommit;
import io.trackpipe.warehouse.rollup.RollupTables;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch path of one domain: recomputes whole time buckets of every rollup of the domain from its table in the
 * Cassandra raw store ({@link RawTable}, read as the stream's rows of the domain's events) with the same rollup engine
 * as the stream ({@link Rollups}, one pass over the events for all definitions) and overwrites them in the warehouse
 * ({@link RangeOverwrite}).
 *
 * <ul>
 *   <li>{@link #runCycle()}: incremental. The buckets whose UTC event hours received raw rows since the watermark (less
 *       {@link BatchConfig#lookback()}), plus the buckets left pending by earlier cycles; those already settled are
 *       rewritten, the others stay pending; rows and the new watermark commit in one transaction.
 *   <li>{@link #backfill}: every bucket of a local time range, which must be settled, one local day per transaction.
 *   <li>{@link #verify}: recounts a range and compares it with the warehouse, bucket by bucket.
 * </ul>
 *
 * <p>Coexistence with the stream: a bucket is rewritten only once it is settled (its end + stream.allowed-lateness +
 * batch.settle-time has passed), when the stream no longer adds to it; the stream only adds to unsettled buckets. So
 * the two never write the same bucket at the same time, and nothing is counted twice. Not thread-safe: one cycle at a
 * time (two batch processes are stopped by the watermark check).
 */
public final class BatchJob {
  private static final Logger log = LoggerFactory.getLogger(BatchJob.class);
  /** The job-ads domain's watermark name in {@code batch_watermark} (as before domains); others add their name. */
  public static final String PIPELINE = "raw-to-warehouse";
  /** The {@code sources} value of rows the batch wrote. */
  public static final String SOURCE_NAME = "cassandra";

  private final SparkSession spark;
  private final Domain domain;
  /** This domain's watermark name in {@code batch_watermark}. */
  private final String pipeline;
  private final RangeOverwrite overwrite;
  private final Warehouse warehouse;
  private final RawStoreSource raw;
  private final StreamConfig stream;
  private final BatchConfig batch;
  private final Clock clock;
  private final Rollups rollups;
  private final TimeBuckets buckets;
  private final Map<String, TableBuckets> tables;
  private final Set<Granularity> granularities;
  private final BatchMetrics metrics = new BatchMetrics();

  private BatchJob(SparkSession spark, Domain domain, Warehouse warehouse, RawStoreSource raw, StreamConfig stream,
      BatchConfig batch, Clock clock, Rollups rollups, Map<String, TableBuckets> tables) {
    this.spark = spark;
    this.domain = domain;
    this.pipeline = pipelineOf(domain);
    this.warehouse = warehouse;
    this.overwrite = new RangeOverwrite(warehouse);
    this.raw = raw;
    this.stream = stream;
    this.batch = batch;
    this.clock = clock;
    this.rollups = rollups;
    this.buckets = new TimeBuckets(stream.timeZone());
    this.tables = Map.copyOf(tables);
    Set<Granularity> used = new TreeSet<>();
    tables.values().forEach(t -> used.add(t.granularity()));
    this.granularities = Set.copyOf(used);
  }

  /** The watermark name of a domain's batch: {@value #PIPELINE} for job ads, {@code raw-to-warehouse:<domain>} else. */
  public static String pipelineOf(Domain domain) {
    return domain.name().equals(DomainCatalog.JOB_ADS) ? PIPELINE : PIPELINE + ":" + domain.name();
  }

  /**
   * Migrates the warehouse, checks the domain's raw table (creating it when missing), compiles the domain's rollups
   * and creates their tables.
   *
   * @throws ConfigException when a rollup has no day or hour dimension (it cannot be recomputed by time range), or a
   *     definition does not compile
   */
  public static BatchJob prepare(SparkSession spark, Domain domain, WarehouseConfig warehouseConfig,
      RawStoreConfig rawStore, StreamConfig stream, BatchConfig batch, Clock clock) throws SQLException {
    Warehouse warehouse = new Warehouse(warehouseConfig);
    warehouse.migrate();
    RawStoreSource raw = new RawStoreSource(RawTable.of(domain, rawStore));
    raw.checkSchema();
    RollupCatalog catalog = domain.rollups();
    List<String> problems = new ArrayList<>();
    for (RollupDefinition rollup : catalog.rollups()) {
      if (rollup.granularity().isEmpty()) {
        problems.add("rollup '" + rollup.name() + "' has no day or hour dimension: the batch job recomputes time buckets"
            + " and cannot rewrite it; give it a day or hour dimension");
      }
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    DimensionLookups lookups = new DimensionLookups(catalog.lookups(), lookup -> LookupTable.load(warehouse, lookup),
        stream.dimensionRefresh(), clock);
    Rollups rollups = Rollups.compile(spark, domain, lookups, stream.timeZone());
    new RollupTables(warehouse).ensure(rollups.targets());
    Map<String, TableBuckets> tables = new HashMap<>();
    for (RollupTables.Target target : rollups.targets()) {
      tables.put(target.table().name(), TableBuckets.of(target.definition(), target.table()));
    }
    return new BatchJob(spark, domain, warehouse, raw, stream, batch, clock, rollups, tables);
  }

  public Domain domain() {
    return domain;
  }

  public BatchMetrics metrics() {
    return metrics;
  }

  /** What one incremental cycle did. */
  public record CycleResult(boolean wroteFacts, int eventHoursWritten, int hourlyBuckets, int dailyBuckets, int pending,
      long rowsDeleted, long rowsInserted, Instant watermark, long millis) {}

  /** One incremental cycle: see the class comment. */
  public CycleResult runCycle() throws SQLException {
    long started = System.nanoTime();
    Instant now = clock.instant();
    Optional<Watermark> mark = overwrite.watermark(pipeline);
    Instant after = mark.map(w -> w.arrivedUntil().minus(batch.lookback())).orElse(null);
    Map<Instant, Instant> written = raw.eventHoursWrittenAfter(after, now);

    Map<Granularity, Set<LocalDateTime>> candidates = new EnumMap<>(Granularity.class);
    for (Granularity g : granularities) {
      Set<LocalDateTime> set = new TreeSet<>();
      for (Instant utcHour : written.keySet()) set.addAll(buckets.bucketsOfUtcHour(g, utcHour));
      candidates.put(g, set);
    }
    mark.ifPresent(w -> w.pending().forEach(p -> {
      Granularity g = Granularity.valueOf(p.granularity());
      if (candidates.containsKey(g)) candidates.get(g).add(p.start());
    }));
    Map<Granularity, Set<LocalDateTime>> settled = new EnumMap<>(Granularity.class);
    Set<PendingBucket> pending = new TreeSet<>();
    // How far the stream has counted, by arrival: it may still add to a bucket whose end + lateness it has not passed,
    // however late the wall clock says it is (a stream held up by a raw-store outage or catching up on a backlog).
    Optional<Instant> streamArrivedUntil = new ExactlyOnceWriter(warehouse).lastCommit(domain.sink())
        .map(StreamCommit::arrivedUntil);
    candidates.forEach((g, set) -> {
      Set<LocalDateTime> ready = new TreeSet<>();
      for (LocalDateTime b : set) {
        boolean streamPassed = streamArrivedUntil.map(until -> buckets.end(g, b).plus(stream.allowedLateness()).isBefore(until))
            .orElse(true);
        if (streamPassed && buckets.settled(g, b, now, stream.allowedLateness(), batch.settleTime())) ready.add(b);
        else pending.add(new PendingBucket(g.name(), b));
      }
      settled.put(g, ready);
    });
    Recount recount = recount(settled);
    RangeOverwrite.Outcome outcome = overwrite.commit(pipeline, mark, recount.replacements(), new Watermark(now, pending));
    long millis = (System.nanoTime() - started) / 1_000_000;
    CycleResult result = new CycleResult(!recount.replacements().isEmpty(), written.size(), size(settled, Granularity.HOURLY),
        size(settled, Granularity.DAILY), pending.size(), outcome.rowsDeleted(), outcome.rowsInserted(), now, millis);
    metrics.cycleDone(result);
    log.info("Batch cycle of {}: {} event hours written since {}; {} hours and {} days rewritten ({} rows replaced by {}), {} buckets "
        + "pending, watermark {} ({} ms)", domain.name(), written.size(), after == null ? "the start" : after, result.hourlyBuckets(),
        result.dailyBuckets(), outcome.rowsDeleted(), outcome.rowsInserted(), pending.size(), now, millis);
    return result;
  }

  /** What a backfill did; {@code notSettled}: the days of daily tables it left out because they were not settled. */
  public record BackfillResult(int hourlyBuckets, int dailyBuckets, long rowsDeleted, long rowsInserted,
      List<String> notSettled, long millis) {}

  /**
   * Recomputes every bucket in the local range [from, to) ({@code stream.time-zone}); daily tables get the whole days the
   * range touches. One local day per transaction; {@code progress} hears about each. The range must be settled at the
   * finest granularity (hours when any table is hourly); a day the range touches that is not settled yet (today, say)
   * is left out of the daily tables, and said so: the stream still adds to it, and {@code trackpipe batch} rewrites it
   * once it settles.
   *
   * @throws IllegalArgumentException when the range holds hours that are not settled yet (the stream may still add to
   *     them), naming the first one and when it settles; nothing is written then
   */
  public BackfillResult backfill(LocalDateTime from, LocalDateTime to, Consumer<String> progress) throws SQLException {
    long started = System.nanoTime();
    Map<Granularity, List<LocalDateTime>> range = bucketsIn(from, to);
    Instant now = clock.instant();
    Granularity finest = granularities.contains(Granularity.HOURLY) ? Granularity.HOURLY : Granularity.DAILY;
    List<String> notSettled = new ArrayList<>();
    range.forEach((g, list) -> {
      for (Iterator<LocalDateTime> it = list.iterator(); it.hasNext(); ) {
        LocalDateTime b = it.next();
        if (buckets.settled(g, b, now, stream.allowedLateness(), batch.settleTime())) continue;
        String settles = LocalDateTime.ofInstant(buckets.settledAt(g, b, stream.allowedLateness(), batch.settleTime()),
            stream.timeZone()) + " " + stream.timeZone();
        if (g == finest) {
          throw new IllegalArgumentException("the range holds " + describe(g, b) + ", which is not settled before " + settles
              + " (end + stream.allowed-lateness + batch.settle-time): the stream may still add to it. End the range"
              + " before it, or wait; nothing was written");
        }
        notSettled.add(describe(g, b));
        progress.accept("Daily tables: " + describe(g, b) + " is not settled before " + settles + "; left to the stream"
            + " (trackpipe batch rewrites it once it settles)");
        it.remove();
      }
    });
    int hours = 0;
    int days = 0;
    long deleted = 0;
    long inserted = 0;
    Map<LocalDate, Map<Granularity, Set<LocalDateTime>>> byDay = byDay(range);
    int done = 0;
    for (var day : byDay.entrySet()) {
      Recount recount = recount(day.getValue());
      RangeOverwrite.Outcome outcome = overwrite.commit(pipeline, Optional.empty(), recount.replacements(), null);
      hours += size(day.getValue(), Granularity.HOURLY);
      days += size(day.getValue(), Granularity.DAILY);
      deleted += outcome.rowsDeleted();
      inserted += outcome.rowsInserted();
      done++;
      progress.accept(String.format("%s: %d hours%s rewritten, %,d rows replaced by %,d (%d of %d days)", day.getKey(),
          size(day.getValue(), Granularity.HOURLY), size(day.getValue(), Granularity.DAILY) > 0 ? " and the day" : "",
          outcome.rowsDeleted(), outcome.rowsInserted(), done, byDay.size()));
    }
    return new BackfillResult(hours, days, deleted, inserted, notSettled, (System.nanoTime() - started) / 1_000_000);
  }

  /** A difference between the warehouse and a recount of the raw store. */
  public record Drift(String table, String bucket, String key, String column, String warehouse, String raw) {}

  /**
   * What verify found: the differences, how much it compared, and the buckets it left out because they were not settled
   * (the stream may still be adding to them, so a difference there would mean nothing yet).
   */
  public record VerifyReport(List<Drift> drifts, int buckets, long rowsCompared, List<String> notSettled, long millis) {
    public boolean clean() {
      return drifts.isEmpty();
    }
  }

  /**
   * Recounts the local range [from, to) from the raw store (daily tables: the whole days it touches) and compares every
   * rollup table's counts, sums, minimums and maximums with it, bucket by bucket. Ratios follow from those; attributes
   * (lookups' values) are not compared. Buckets that are not settled are left out (and listed). Reads only: nothing is
   * written.
   */
  public VerifyReport verify(LocalDateTime from, LocalDateTime to, Consumer<String> progress) throws SQLException {
    long started = System.nanoTime();
    Instant now = clock.instant();
    Map<Granularity, List<LocalDateTime>> range = new EnumMap<>(Granularity.class);
    List<String> notSettled = new ArrayList<>();
    bucketsIn(from, to).forEach((g, list) -> {
      List<LocalDateTime> settled = new ArrayList<>();
      for (LocalDateTime b : list) {
        if (buckets.settled(g, b, now, stream.allowedLateness(), batch.settleTime())) settled.add(b);
        else notSettled.add(describe(g, b));
      }
      range.put(g, settled);
    });
    List<Drift> drifts = new ArrayList<>();
    int checked = 0;
    long rows = 0;
    Map<LocalDate, Map<Granularity, Set<LocalDateTime>>> byDay = byDay(range);
    for (var day : byDay.entrySet()) {
      Recount recount = recount(day.getValue());
      try (Connection c = warehouse.connect()) {
        for (Replacement r : recount.replacements()) {
          TableBuckets tb = tables.get(r.batch().table().name());
          rows += compare(c, tb, r, drifts);
        }
      }
      checked += size(day.getValue(), Granularity.HOURLY) + size(day.getValue(), Granularity.DAILY);
      progress.accept(day.getKey() + ": compared; " + drifts.size() + " differences so far");
    }
    return new VerifyReport(drifts, checked, rows, notSettled, (System.nanoTime() - started) / 1_000_000);
  }

  private long compare(Connection c, TableBuckets tb, Replacement r, List<Drift> drifts) throws SQLException {
    FactTable table = r.batch().table();
    List<FactColumn> compared = table.columns().stream().filter(col -> col.merge() == FactColumn.Merge.ADD
        || col.merge() == FactColumn.Merge.MIN || col.merge() == FactColumn.Merge.MAX).toList();
    List<FactColumn> keys = table.keyColumns();
    Map<LocalDateTime, Map<String, Map<String, String>>> recounted = new TreeMap<>();
    for (Object[] row : r.batch().rows()) {
      Map<String, String> values = new HashMap<>();
      for (int i = 0; i < table.columns().size(); i++) values.put(table.columns().get(i).name(), normalized(row[i]));
      recounted.computeIfAbsent(tb.bucketOf(row, table), b -> new TreeMap<>()).put(keyOf(keys, values), values);
    }
    String where = String.join(" AND ", tb.columns().stream().map(col -> SqlNames.quote(col) + " = ?").toList());
    long rows = 0;
    try (PreparedStatement s = c.prepareStatement("SELECT * FROM " + SqlNames.quote(table.name()) + " WHERE " + where)) {
      for (Object[] bucketValues : r.buckets()) {
        LocalDateTime bucket = tb.bucketOf(bucketValues);
        for (int i = 0; i < bucketValues.length; i++) s.setObject(i + 1, bucketValues[i]);
        Map<String, Map<String, String>> stored = new TreeMap<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            Map<String, String> values = new HashMap<>();
            for (FactColumn col : table.columns()) {
              if (col.merge() == FactColumn.Merge.KEY || compared.contains(col)) values.put(col.name(), normalized(rs.getObject(col.name())));
            }
            stored.put(keyOf(keys, values), values);
          }
        }
        Map<String, Map<String, String>> fresh = recounted.getOrDefault(bucket, Map.of());
        Set<String> allKeys = new TreeSet<>(stored.keySet());
        allKeys.addAll(fresh.keySet());
        for (String key : allKeys) {
          rows++;
          Map<String, String> w = stored.get(key);
          Map<String, String> f = fresh.get(key);
          for (FactColumn col : compared) {
            String absent = col.merge() == FactColumn.Merge.ADD ? "0" : "NULL";
            String wv = w == null ? absent : w.get(col.name());
            String fv = f == null ? absent : f.get(col.name());
            if (!wv.equals(fv)) {
              drifts.add(new Drift(table.name(), describe(tb.granularity(), bucket), key, col.name(),
                  w == null ? "(no row)" : wv, f == null ? "(no row)" : fv));
            }
          }
        }
      }
    }
    return rows;
  }

  private static String keyOf(List<FactColumn> keys, Map<String, String> values) {
    StringBuilder key = new StringBuilder();
    for (FactColumn k : keys) key.append(key.length() > 0 ? " " : "").append(k.name()).append('=').append(values.get(k.name()));
    return key.toString();
  }

  /** One spelling per value, whichever side it came from: 5 = 5.000000, DATE = LocalDate. */
  static String normalized(Object value) {
    if (value == null) return "NULL";
    if (value instanceof BigDecimal d) return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    if (value instanceof Number n) return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
    if (value instanceof java.sql.Date d) return d.toLocalDate().toString();
    if (value instanceof Timestamp t) return t.toLocalDateTime().toString();
    return value.toString();
  }

  private static String describe(Granularity g, LocalDateTime bucket) {
    return g == Granularity.HOURLY ? "hour " + bucket : "day " + bucket.toLocalDate();
  }

  private Map<Granularity, List<LocalDateTime>> bucketsIn(LocalDateTime from, LocalDateTime to) {
    if (!from.isBefore(to)) throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
    Map<Granularity, List<LocalDateTime>> range = new EnumMap<>(Granularity.class);
    for (Granularity g : granularities) range.put(g, buckets.bucketsBetween(g, from, to));
    return range;
  }

  private static Map<LocalDate, Map<Granularity, Set<LocalDateTime>>> byDay(Map<Granularity, List<LocalDateTime>> range) {
    Map<LocalDate, Map<Granularity, Set<LocalDateTime>>> byDay = new TreeMap<>();
    range.forEach((g, list) -> list.forEach(b -> byDay.computeIfAbsent(b.toLocalDate(), d -> new EnumMap<>(Granularity.class))
        .computeIfAbsent(g, x -> new TreeSet<>()).add(b)));
    return byDay;
  }

  private static int size(Map<Granularity, ? extends Collection<LocalDateTime>> map, Granularity g) {
    return map.containsKey(g) ? map.get(g).size() : 0;
  }

  /** The recomputed rows of some buckets, as replacements of those buckets in every table. */
  private record Recount(List<Replacement> replacements) {}

  /**
   * Reads the UTC hours holding the buckets, keeps the events inside them, runs every rollup over them once, and keeps
   * each table's rows of its own granularity's buckets (a daily recount also yields partial rows of hours not asked for:
   * dropped).
   */
  private Recount recount(Map<Granularity, Set<LocalDateTime>> wanted) throws SQLException {
    NavigableSet<Instant> utcHours = new TreeSet<>();
    List<Instant[]> ranges = new ArrayList<>();
    wanted.forEach((g, set) -> set.forEach(b -> {
      utcHours.addAll(buckets.utcHours(g, b));
      ranges.add(new Instant[] {buckets.start(g, b), buckets.end(g, b)});
    }));
    if (utcHours.isEmpty()) return new Recount(List.of());
    Dataset<Row> events = raw.read(spark, utcHours).filter(within(ranges));
    List<FactBatch> facts = new ArrayList<>(rollups.apply(events, SOURCE_NAME));
    // The session tables are daily: recounted only when whole days are (an hourly cycle reads part of a day).
    if (rollups.sessions().isPresent() && !wanted.getOrDefault(Granularity.DAILY, Set.of()).isEmpty()) {
      facts.addAll(SessionRecount.facts(events, rollups.sessions().get(), stream.timeZone(), SOURCE_NAME));
    }
    List<Replacement> replacements = new ArrayList<>();
    for (FactBatch fb : facts) {
      TableBuckets tb = tables.get(fb.table().name());
      Set<LocalDateTime> own = wanted.getOrDefault(tb.granularity(), Set.of());
      if (own.isEmpty()) continue;
      List<Object[]> rows = fb.rows().stream().filter(row -> own.contains(tb.bucketOf(row, fb.table()))).toList();
      List<Object[]> bucketValues = own.stream().map(tb::valuesOf).toList();
      replacements.add(new Replacement(new FactBatch(fb.table(), rows), tb.columns(), bucketValues));
    }
    return new Recount(replacements);
  }

  /** event_time in one of the ranges, merged where they touch. */
  private static Column within(List<Instant[]> ranges) {
    ranges.sort((a, b) -> a[0].compareTo(b[0]));
    List<Instant[]> merged = new ArrayList<>();
    for (Instant[] r : ranges) {
      Instant[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && !r[0].isAfter(last[1])) {
        if (r[1].isAfter(last[1])) last[1] = r[1];
      } else {
        merged.add(new Instant[] {r[0], r[1]});
      }
    }
    Column any = lit(false);
    for (Instant[] r : merged) {
      any = any.or(col(EVENT_TIME).geq(lit(Timestamp.from(r[0]))).and(col(EVENT_TIME).lt(lit(Timestamp.from(r[1])))));
    }
    return any;
  }

  /**
   * How a table's rows map to time buckets: the key columns holding the bucket (an hour; a day and an hour of day; or a
   * day) and their values for a bucket.
   */
  record TableBuckets(Granularity granularity, List<String> columns, boolean hourColumn) {
    static TableBuckets of(RollupDefinition definition, FactTable table) {
      Granularity g = definition.granularity().orElseThrow();
      Map<TimeGrain, String> byGrain = new LinkedHashMap<>();
      for (Dimension d : definition.dimensions()) if (d.isTime()) byGrain.putIfAbsent(d.time(), d.name());
      if (g == Granularity.DAILY) return new TableBuckets(g, List.of(byGrain.get(TimeGrain.DAY)), false);
      if (byGrain.containsKey(TimeGrain.HOUR)) return new TableBuckets(g, List.of(byGrain.get(TimeGrain.HOUR)), true);
      return new TableBuckets(g, List.of(byGrain.get(TimeGrain.DAY), byGrain.get(TimeGrain.HOUR_OF_DAY)), false);
    }

    Object[] valuesOf(LocalDateTime bucket) {
      if (granularity == Granularity.DAILY) return new Object[] {bucket.toLocalDate()};
      if (hourColumn) return new Object[] {bucket};
      return new Object[] {bucket.toLocalDate(), bucket.getHour()};
    }

    LocalDateTime bucketOf(Object[] values) {
      if (granularity == Granularity.DAILY) return ((LocalDate) values[0]).atStartOfDay();
      if (hourColumn) return (LocalDateTime) values[0];
      return ((LocalDate) values[0]).atTime(((Number) values[1]).intValue(), 0);
    }

    LocalDateTime bucketOf(Object[] row, FactTable table) {
      Object[] values = new Object[columns.size()];
      for (int i = 0; i < columns.size(); i++) values[i] = row[index(table, columns.get(i))];
      return bucketOf(values);
    }

    private static int index(FactTable table, String column) {
      for (int i = 0; i < table.columns().size(); i++) if (table.columns().get(i).name().equals(column)) return i;
      throw new IllegalArgumentException("table " + table.name() + " has no column " + column);
    }
  }
}
