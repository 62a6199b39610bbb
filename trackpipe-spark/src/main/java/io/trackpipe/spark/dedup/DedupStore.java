package io.trackpipe.spark.dedup;

import io.trackpipe.fs.Folders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The event ids the stream has counted within the dedup horizon, on the driver's local disk (RocksDB), so memory
 * stays bounded whatever the rate and horizon. RocksDB is the fast local copy; the durable one is the {@link DedupLog}
 * in the query's checkpoint, to which each batch's first sightings are written before RocksDB's, and from which a
 * store lost with the driver's disk is rebuilt ({@link #rebuild}).
 *
 * <p>Why not Spark's own streaming dedup: its state stores find expired keys by scanning the whole state every
 * micro-batch, so a batch costs time proportional to everything seen in the horizon (hundreds of millions of ids
 * at high rates). Here an id costs one lookup and two writes, and expiry walks an index by arrival hour, so a batch
 * costs time proportional to its own size.
 *
 * <p>Replay-safe: each id remembers the batch that first counted it. When Spark re-runs batch N after a crash, ids
 * recorded by N itself count as first sightings again, so the re-run computes the same facts, which the warehouse
 * then applies exactly once. Used from the driver's batch thread only.
 *
 * <p>The store records the last batch it saw ({@link #lastBatch()}), so the job can tell a store that belongs to the
 * warehouse's last commit from an empty one (a new driver disk) or an older copy, which would let copies through.
 *
 * <p>The horizon's clock is the newest arrival (Kafka timestamp) seen, but never more than {@code maxFutureSkew} ahead
 * of the driver's clock: one record stamped years ahead must not make every id look expired.
 */
public final class DedupStore implements AutoCloseable {
  private static final long HOUR_MILLIS = 3_600_000L;
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] LAST_BATCH = "last_batch".getBytes(StandardCharsets.UTF_8);
  private static final Duration LOCK_WAIT = Duration.ofSeconds(15);

  static {
    RocksDB.loadLibrary();
  }

  /**
   * One memory budget for every store of the JVM (a job keeps one per domain), shared by RocksDB's memtables and its
   * cached blocks. Left to RocksDB's defaults, each of a store's two busy column families buffers up to 2 × 64 MiB of
   * writes before flushing, and the id family caches 64 MiB of blocks: up to about 320 MiB a store, grown at the pace
   * of the ids.
   */
  public static final long MEMORY_BUDGET_BYTES = 128L << 20;
  private static final Cache BLOCK_CACHE = new LRUCache(MEMORY_BUDGET_BYTES);
  /** The memtables are charged to the cache; past half of the budget (64 MiB of them), RocksDB flushes them. */
  private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMORY_BUDGET_BYTES / 2, BLOCK_CACHE);
  private static final BloomFilter ID_FILTER = new BloomFilter(10);

  private final Path dir;
  private final DedupLog log;
  private final Duration horizon;
  private final Duration maxFutureSkew;
  private final Clock clock;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions;
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final RocksDB db;
  private final ColumnFamilyHandle ids;
  /** Key: arrival hour (8 bytes) + id. Lets expiry find an hour's ids without scanning the rest. */
  private final ColumnFamilyHandle byHour;
  /** The last batch id seen ({@link #LAST_BATCH}), written with each batch's ids. */
  private final ColumnFamilyHandle meta;
  private final WriteOptions durable = new WriteOptions().setSync(true);
  private long oldestLiveHour = Long.MIN_VALUE;
  /** The expiry cutoff (newest arrival − horizon) each recent batch reached, oldest first, until it may be applied. */
  private final ArrayDeque<long[]> pendingCutoffs = new ArrayDeque<>();
  private long expiryCutoffMillis = Long.MIN_VALUE;
  private Rebuild lastRebuild;
  private boolean closed;

  private DedupStore(Path dir, DedupLog log, Duration horizon, Duration maxFutureSkew, Clock clock)
      throws RocksDBException, IOException {
    this.dir = dir;
    this.log = log;
    this.horizon = horizon;
    this.maxFutureSkew = maxFutureSkew;
    this.clock = clock;
    Files.createDirectories(dir);
    dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setWriteBufferManager(WRITE_BUFFERS);
    // The ids: what RocksDB's optimizeForPointLookup sets (a bloom filter, hashed data blocks, a memtable filter),
    // with the shared cache instead of a cache of its own.
    ColumnFamilyOptions idOptions = new ColumnFamilyOptions()
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(BLOCK_CACHE).setFilterPolicy(ID_FILTER)
            .setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash).setDataBlockHashTableUtilRatio(0.75))
        .setMemtablePrefixBloomSizeRatio(0.02).setMemtableWholeKeyFiltering(true);
    ColumnFamilyOptions otherOptions = new ColumnFamilyOptions()
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(BLOCK_CACHE));
    cfOptions = List.of(idOptions, otherOptions);
    List<ColumnFamilyDescriptor> families = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, idOptions),
        new ColumnFamilyDescriptor("by_hour".getBytes(StandardCharsets.UTF_8), otherOptions),
        new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.UTF_8), otherOptions));
    db = RocksDB.open(dbOptions, dir.toString(), families, handles);
    ids = handles.get(0);
    byHour = handles.get(1);
    meta = handles.get(2);
  }

  /**
   * Opens (or creates) the store in {@code dir}; ids are forgotten once they arrived {@code horizon} before the newest
   * arrival, taken as at most {@code maxFutureSkew} ahead of {@code clock}. Each batch's first sightings are also
   * written to {@code log}, which the store closes with itself.
   */
  public static DedupStore open(Path dir, DedupLog log, Duration horizon, Duration maxFutureSkew, Clock clock) {
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    while (true) {
      try {
        return new DedupStore(dir, log, horizon, maxFutureSkew, clock);
      } catch (RocksDBException e) {
        // A query stopped a moment ago in this JVM may still be closing the store (listeners run asynchronously).
        boolean locked = String.valueOf(e.getMessage()).contains("lock");
        if (!locked || System.nanoTime() > deadline) {
          throw new IllegalStateException("cannot open the dedup store in " + dir + ": " + e.getMessage()
              + (locked ? " (is another stream running on the same checkpoint?)" : ""), e);
        }
        sleep();
      } catch (IOException e) {
        throw new IllegalStateException("cannot create the dedup store folder " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while opening the dedup store", e);
    }
  }

  public Path dir() {
    return dir;
  }

  public DedupLog log() {
    return log;
  }

  /** What a rebuild read and how long it took. */
  public record Rebuild(int files, long ids, long lastBatch, long millis) {}

  /**
   * Replaces the store in {@code dir} by one rebuilt from {@code log}: the first sightings of every logged batch up to
   * {@code lastCommitted} + 1 (a batch deduplicated but not committed, which Spark will run again) whose arrival is
   * still within the horizon of the newest logged arrival. The caller has checked that the log covers the committed
   * batch ({@link DedupLog#gap}).
   */
  public static DedupStore rebuild(Path dir, DedupLog log, long lastCommitted, Duration horizon, Duration maxFutureSkew,
      Clock clock) {
    try {
      Folders.deleteRecursively(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot delete the dedup store " + dir + " to rebuild it: " + e.getMessage(), e);
    }
    DedupStore store = open(dir, log, horizon, maxFutureSkew, clock);
    try {
      store.load(lastCommitted);
      return store;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private synchronized void load(long lastCommitted) {
    long started = System.nanoTime();
    long firstLiveHour = log.newestArrival().isPresent()
        ? Math.floorDiv(log.newestArrival().getAsLong() - horizon.toMillis(), HOUR_MILLIS) : Long.MIN_VALUE;
    List<Long> batches = log.batchesToReplay(lastCommitted + 1, firstLiveHour);
    long loaded = 0;
    // Without RocksDB's write-ahead log while loading; one flush at the end makes it durable.
    try (WriteOptions bulk = new WriteOptions().setDisableWAL(true); FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      for (long batch : batches) {
        DedupLog.LoggedBatch logged = log.read(batch);
        try (WriteBatch writes = new WriteBatch()) {
          for (int i = 0; i < logged.ids().size(); i++) {
            long hour = Math.floorDiv(logged.arrivals()[i], HOUR_MILLIS);
            if (hour < firstLiveHour) continue;
            byte[] key = logged.ids().get(i).getBytes(StandardCharsets.UTF_8);
            writes.put(ids, key, ByteBuffer.allocate(16).putLong(batch).putLong(logged.arrivals()[i]).array());
            writes.put(byHour, hourKey(hour, key), EMPTY);
            loaded++;
          }
          db.write(bulk, writes);
        }
      }
      db.flush(flush, handles);
      long last = batches.isEmpty() ? lastCommitted : Math.max(lastCommitted, batches.get(batches.size() - 1));
      db.put(meta, durable, LAST_BATCH, ByteBuffer.allocate(8).putLong(last).array());
      lastRebuild = new Rebuild(batches.size(), loaded, last, (System.nanoTime() - started) / 1_000_000);
    } catch (RocksDBException e) {
      throw new IllegalStateException("rebuilding the dedup store in " + dir + " failed: " + e.getMessage(), e);
    }
  }

  /** The rebuild that made this store, if it was rebuilt. */
  public Optional<Rebuild> lastRebuild() {
    return Optional.ofNullable(lastRebuild);
  }

  /** The arrival hour of the newest id the store holds (empty when it holds none). */
  public synchronized OptionalLong newestHour() {
    try (RocksIterator it = db.newIterator(byHour)) {
      it.seekToLast();
      return it.isValid() ? OptionalLong.of(ByteBuffer.wrap(it.key()).getLong()) : OptionalLong.empty();
    }
  }

  /** The id of the last batch {@link #duplicates} recorded; empty for a new store (or one written before it was kept). */
  public synchronized OptionalLong lastBatch() {
    try {
      byte[] value = db.get(meta, LAST_BATCH);
      return value == null ? OptionalLong.empty() : OptionalLong.of(ByteBuffer.wrap(value).getLong());
    } catch (RocksDBException e) {
      throw new IllegalStateException("dedup store in " + dir + " failed: " + e.getMessage(), e);
    }
  }

  /** Whether the store holds any id: tells a store written before {@link #lastBatch()} was kept from a new one. */
  public synchronized boolean holdsIds() {
    try (RocksIterator it = db.newIterator(ids)) {
      it.seekToFirst();
      return it.isValid();
    }
  }

  /**
   * Decides which events of a batch are copies, and durably records the first sightings.
   *
   * @param eventIds the batch's event ids in a stable order (Kafka partition, offset): within a batch the first wins
   * @param arrivalMillis each event's arrival (Kafka timestamp)
   * @return the positions of the copies: ids counted by an earlier batch, or earlier in this one
   */
  public synchronized BitSet duplicates(long batchId, List<String> eventIds, long[] arrivalMillis) {
    if (closed) throw new IllegalStateException("dedup store in " + dir + " is closed");
    BitSet copies = new BitSet(eventIds.size());
    List<byte[]> keys = new ArrayList<>(eventIds.size());
    for (String id : eventIds) keys.add(id.getBytes(StandardCharsets.UTF_8));
    try (WriteBatch writes = new WriteBatch()) {
      // Expire with the cutoff of the batch two before this one, never a later one: this batch and the one before it
      // (whose commit may run behind this batch's work, see FactsBatchSink) may still be re-run, and must then find
      // the same ids.
      while (!pendingCutoffs.isEmpty() && pendingCutoffs.peekFirst()[0] <= batchId - 2) {
        expiryCutoffMillis = Math.max(expiryCutoffMillis, pendingCutoffs.pollFirst()[1]);
      }
      if (expiryCutoffMillis != Long.MIN_VALUE) expireBefore(expiryCutoffMillis, batchId);
      List<byte[]> found = keys.isEmpty() ? List.of() : db.multiGetAsList(java.util.Collections.nCopies(keys.size(), ids), keys);
      Set<String> seenInBatch = new HashSet<>();
      List<String> firstSightings = new ArrayList<>(keys.size());
      long[] firstArrivals = new long[keys.size()];
      long newestArrival = Long.MIN_VALUE;
      long latestPlausible = clock.millis() + maxFutureSkew.toMillis();
      for (int i = 0; i < keys.size(); i++) {
        // A producer's clock far ahead must neither expire everyone's ids nor keep this one for years.
        long arrival = Math.min(arrivalMillis[i], latestPlausible);
        newestArrival = Math.max(newestArrival, arrival);
        byte[] first = found.get(i);
        if (first != null && ByteBuffer.wrap(first).getLong() < batchId) {
          copies.set(i);
        } else if (!seenInBatch.add(eventIds.get(i))) {
          copies.set(i);
        } else {
          if (first == null) {
            writes.put(ids, keys.get(i), ByteBuffer.allocate(16).putLong(batchId).putLong(arrival).array());
            writes.put(byHour, hourKey(arrival / HOUR_MILLIS, keys.get(i)), EMPTY);
          }
          // A re-run batch logs again what its first run recorded, under the hour it was filed under.
          firstArrivals[firstSightings.size()] = first == null ? arrival : ByteBuffer.wrap(first).getLong(8);
          firstSightings.add(eventIds.get(i));
        }
      }
      // The log first: a store ahead of its log would not be rebuilt the same after a loss; a log ahead of the store
      // holds the ids the re-run batch records again.
      long loggedNewest = newestArrival;
      for (int i = 0; i < firstSightings.size(); i++) loggedNewest = Math.max(loggedNewest, firstArrivals[i]);
      log.write(batchId, firstSightings.isEmpty() && newestArrival == Long.MIN_VALUE ? 0 : loggedNewest, firstSightings,
          Arrays.copyOf(firstArrivals, firstSightings.size()));
      writes.put(meta, LAST_BATCH, ByteBuffer.allocate(8).putLong(batchId).array());
      db.write(durable, writes);
      if (newestArrival != Long.MIN_VALUE) pendingCutoffs.addLast(new long[] {batchId, newestArrival - horizon.toMillis()});
      return copies;
    } catch (RocksDBException e) {
      throw new IllegalStateException("dedup store in " + dir + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Forgets ids whose whole arrival hour lies before {@code cutoffMillis}, and the log's files that hold only such
   * ids, but never the files of the two batches before {@code batchId} (the warehouse's last commit is one of them, and
   * a rebuild checks it).
   */
  private void expireBefore(long cutoffMillis, long batchId) throws RocksDBException {
    long firstLiveHour = Math.floorDiv(cutoffMillis, HOUR_MILLIS); // hours before it ended before the cutoff
    if (firstLiveHour <= oldestLiveHour) return;
    byte[] end = hourKey(firstLiveHour, EMPTY);
    try (ReadOptions read = new ReadOptions(); RocksIterator it = db.newIterator(byHour, read);
        WriteBatch deletes = new WriteBatch()) {
      for (it.seekToFirst(); it.isValid() && Arrays.compareUnsigned(it.key(), end) < 0; it.next()) {
        byte[] key = it.key();
        deletes.delete(ids, Arrays.copyOfRange(key, 8, key.length));
      }
      deletes.deleteRange(byHour, hourKey(0, EMPTY), end);
      db.write(durable, deletes);
    }
    log.expire(firstLiveHour, batchId - 2);
    oldestLiveHour = firstLiveHour;
  }

  private static byte[] hourKey(long hour, byte[] id) {
    return ByteBuffer.allocate(8 + id.length).putLong(hour).put(id).array();
  }

  /**
   * This store emptied and rebuilt from its log ({@link #rebuild}); this instance is closed, its log goes on with the
   * returned store (not listed again).
   */
  public synchronized DedupStore rebuiltFromLog(long lastCommitted) {
    closeDatabase();
    try {
      return rebuild(dir, log, lastCommitted, horizon, maxFutureSkew, clock);
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    log.close();
    closeDatabase();
  }

  private void closeDatabase() {
    if (closed) return;
    closed = true;
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    durable.close();
    dbOptions.close();
    cfOptions.forEach(ColumnFamilyOptions::close);
  }

  /** The bytes this store's memtables hold now, flushing ones included (for tests of the budget). */
  synchronized long memtableBytes() throws RocksDBException {
    long bytes = 0;
    for (ColumnFamilyHandle handle : handles) bytes += db.getLongProperty(handle, "rocksdb.cur-size-all-mem-tables");
    return bytes;
  }
}
