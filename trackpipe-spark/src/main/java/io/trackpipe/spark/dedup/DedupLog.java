package io.trackpipe.spark.dedup;

import io.trackpipe.spark.session.HadoopFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable copy of a {@link DedupStore}: one file per batch with the ids the batch saw first (and their arrival),
 * kept in the query's checkpoint through Hadoop's {@link FileSystem} (a local folder, HDFS, S3A…), so that a store lost
 * with the driver's disk is rebuilt from it at the next start.
 *
 * <p>Files: {@code <batchId>-<newestArrivalMillis>.ids} (see {@link #encode} for the format), each written to a temporary
 * file and renamed, so a reader never sees half a file and a re-run batch leaves exactly one file. {@value #START_FILE}
 * says from which batch on the log holds every batch's first sightings, and whether the store held ids then that were
 * never logged (an installation from before the log). A file is deleted, by its name alone, once the hour of its
 * newest arrival is past the horizon.
 *
 * <p>Used from the driver's batch thread; deletions of expired files run on a thread of their own so that a slow file
 * system does not hold up a batch (a file left behind only costs the next rebuild a read).
 */
public final class DedupLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DedupLog.class);
  static final String START_FILE = "start";
  private static final Pattern BATCH_FILE = Pattern.compile("(\\d+)-(\\d+)\\.ids");
  private static final String TEMP_PREFIX = "_tmp-";
  private static final byte[] MAGIC = "TPDL".getBytes(StandardCharsets.US_ASCII);
  private static final byte VERSION = 1;
  private static final byte RAW_ID = 0;
  private static final byte UUID_ID = 1;
  private static final long HOUR_MILLIS = 3_600_000L;

  /** Where the log begins: every batch from {@code batch} on is logged. */
  public record Start(long batch, OptionalLong unloggedUntilHour) {}

  /** One batch's first sightings, read back. */
  public record LoggedBatch(long batchId, long newestArrival, List<String> ids, long[] arrivals) {}

  private record BatchFile(long batchId, long newestArrival, Path path) {
    long newestHour() {
      return Math.floorDiv(newestArrival, HOUR_MILLIS);
    }
  }

  private final FileSystem fs;
  private final Path dir;
  /** The batch files, listed once at open and kept in step by this instance (the only writer). */
  private final NavigableMap<Long, BatchFile> files = new TreeMap<>();
  private Optional<Start> start;
  private final ExecutorService deleter = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "dedup-log-expiry");
    t.setDaemon(true);
    return t;
  });

  private DedupLog(FileSystem fs, Path dir) throws IOException {
    this.fs = fs;
    this.dir = dir;
    this.start = Optional.empty();
    if (!fs.exists(dir)) return;
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      Matcher m = BATCH_FILE.matcher(name);
      if (m.matches()) {
        long batch = Long.parseLong(m.group(1));
        files.put(batch, new BatchFile(batch, Long.parseLong(m.group(2)), status.getPath()));
      } else if (name.startsWith(TEMP_PREFIX)) {
        fs.delete(status.getPath(), false); // a write cut short; its batch runs again
      } else if (name.equals(START_FILE)) {
        start = Optional.of(readStart(status.getPath()));
      }
    }
  }

  /** Opens the log in {@code dir} (created with its first file) and lists its files. */
  public static DedupLog open(FileSystem fs, Path dir) {
    try {
      return new DedupLog(fs, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the dedup log " + dir + ": " + e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  public Optional<Start> start() {
    return start;
  }

  /** Whether batch {@code batchId}'s file is there. */
  public boolean holds(long batchId) {
    return files.containsKey(batchId);
  }

  /** How many batch files the log holds. */
  public int fileCount() {
    return files.size();
  }

  /** The newest arrival (epoch millis) of any logged batch. */
  public OptionalLong newestArrival() {
    return files.values().stream().mapToLong(BatchFile::newestArrival).max();
  }

  /**
   * (Re)starts the log at {@code batch}: from then on every batch is logged.
   *
   * @param unloggedUntilHour the newest arrival hour of ids the store holds that are in no file (none: the log holds
   *     everything the store knows)
   */
  public void begin(long batch, OptionalLong unloggedUntilHour) {
    Properties p = new Properties();
    p.setProperty("batch", Long.toString(batch));
    if (unloggedUntilHour.isPresent()) p.setProperty("unlogged-until-hour", Long.toString(unloggedUntilHour.getAsLong()));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      p.store(bytes, "trackpipe dedup log: every batch from this one on is logged");
      writeAtomically(new Path(dir, START_FILE), bytes.toByteArray(), fs.exists(new Path(dir, START_FILE)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the start of the dedup log " + dir + ": " + e.getMessage(), e);
    }
    start = Optional.of(new Start(batch, unloggedUntilHour));
  }

  /**
   * Why this log cannot rebuild a store that saw the committed batch {@code lastCommitted}; empty when it can: it is
   * {@linkplain #broken intact}, and the ids no file holds (seen before the log began) have all aged past
   * {@code horizon} (in whole hours, rounded up) by the newest logged arrival.
   */
  public Optional<String> gap(long lastCommitted, Duration horizon) {
    long horizonHours = Math.floorDiv(horizon.toMillis() + HOUR_MILLIS - 1, HOUR_MILLIS);
    Optional<String> broken = broken(lastCommitted);
    if (broken.isPresent() || start.get().unloggedUntilHour().isEmpty()) return broken;
    Start s = start.get();
    // Ids of that hour expire once the newest arrival is a horizon past its end: from hour (that hour + horizon + 1).
    long coveredFromHour = s.unloggedUntilHour().getAsLong() + horizonHours + 1;
    long newest = Math.floorDiv(newestArrival().orElse(Long.MIN_VALUE / 2), HOUR_MILLIS);
    if (newest >= coveredFromHour) return Optional.empty();
    return Optional.of("began at batch " + s.batch() + ", after ids that are in no file and still within the horizon"
        + " (they arrived until the hour of " + Instant.ofEpochMilli(s.unloggedUntilHour().getAsLong() * HOUR_MILLIS)
        + "; the log covers the horizon once arrivals reach the hour of " + Instant.ofEpochMilli(coveredFromHour * HOUR_MILLIS) + ")");
  }

  /**
   * What is missing for the log to hold every batch since it began up to the committed batch {@code lastCommitted}: its
   * {@value #START_FILE} file, or that batch's file (the newest is never expired); empty when nothing is.
   */
  public Optional<String> broken(long lastCommitted) {
    if (start.isEmpty()) return Optional.of("has no " + START_FILE + " file (deleted, or never written)");
    long begun = start.get().batch();
    if (begun <= lastCommitted && !holds(lastCommitted)) {
      return Optional.of("began at batch " + begun + " but lacks the file of batch " + lastCommitted);
    }
    return Optional.empty();
  }

  /**
   * Writes batch {@code batchId}'s first sightings, replacing the file of an earlier run of the same batch.
   *
   * @param newestArrival the newest arrival of the batch's events (copies too), which the store's horizon follows; at
   *     least every arrival of {@code arrivals}; 0 for a batch without events in time
   * @param ids the ids the batch saw first
   * @param arrivals their arrival (epoch millis), in the same order
   */
  public void write(long batchId, long newestArrival, List<String> ids, long[] arrivals) {
    byte[] content = encode(batchId, newestArrival, ids, arrivals);
    Path file = new Path(dir, batchId + "-" + newestArrival + ".ids");
    try {
      BatchFile earlier = files.get(batchId);
      if (earlier != null && !earlier.path().equals(file)) fs.delete(earlier.path(), false);
      writeAtomically(file, content, earlier != null && earlier.path().equals(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write batch " + batchId + " to the dedup log " + dir + ": " + e.getMessage(), e);
    }
    files.put(batchId, new BatchFile(batchId, newestArrival, file));
  }

  private void writeAtomically(Path file, byte[] content, boolean replace) throws IOException {
    Path tmp = new Path(dir, TEMP_PREFIX + file.getName() + "-" + UUID.randomUUID());
    try (FSDataOutputStream out = HadoopFiles.create(fs, tmp)) {
      out.write(content);
    }
    // HDFS's rename does not replace; the file it replaces holds the same ids (a re-run batch) or an older start.
    if (replace) fs.delete(file, false);
    if (!fs.rename(tmp, file)) throw new IOException("rename of " + tmp + " to " + file + " failed");
  }

  /**
   * Forgets the files of the batches before {@code beforeBatch} whose newest arrival hour is before
   * {@code firstLiveHour}: every id in them has expired. They are deleted in the background.
   */
  public void expire(long firstLiveHour, long beforeBatch) {
    List<Path> expired = new ArrayList<>();
    var it = files.headMap(beforeBatch, false).values().iterator();
    while (it.hasNext()) {
      BatchFile f = it.next();
      if (f.newestHour() < firstLiveHour) {
        expired.add(f.path());
        it.remove();
      }
    }
    if (expired.isEmpty()) return;
    deleter.execute(() -> {
      long started = System.nanoTime();
      int failed = 0;
      for (Path p : expired) {
        try {
          fs.delete(p, false);
        } catch (IOException e) {
          failed++;
          log.warn("Could not delete the expired dedup log file {}: {}", p, e.getMessage());
        }
      }
      log.info("Deleted {} expired files of the dedup log {} in {} ms{}", expired.size() - failed, dir,
          (System.nanoTime() - started) / 1_000_000, failed == 0 ? "" : " (" + failed + " left behind)");
    });
  }

  /**
   * Deletes the files of batches after {@code batch}: the warehouse never committed them and Spark will plan them again
   * (a checkpoint that went back), so their ids must not count as seen.
   */
  public void dropAfter(long batch) {
    NavigableMap<Long, BatchFile> later = files.tailMap(batch, false);
    if (later.isEmpty()) return;
    log.warn("The dedup log {} has files of batches {} to {}, after the batch {} the stream resumes at; deleting them",
        dir, later.firstKey(), later.lastKey(), batch);
    for (BatchFile f : List.copyOf(later.values())) {
      try {
        fs.delete(f.path(), false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + f.path() + ": " + e.getMessage(), e);
      }
    }
    later.clear();
  }

  /** Batch ids of the files up to {@code lastBatch}, oldest first, leaving out those whose ids all arrived before {@code firstLiveHour}. */
  public List<Long> batchesToReplay(long lastBatch, long firstLiveHour) {
    return files.headMap(lastBatch, true).values().stream().filter(f -> f.newestHour() >= firstLiveHour)
        .map(BatchFile::batchId).toList();
  }

  /** Reads one batch's file. */
  public LoggedBatch read(long batchId) {
    BatchFile f = files.get(batchId);
    if (f == null) throw new IllegalArgumentException("no file of batch " + batchId + " in the dedup log " + dir);
    try (InputStream in = fs.open(f.path())) {
      return decode(in.readAllBytes(), f.path().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f.path() + ": " + e.getMessage(), e);
    }
  }

  private Start readStart(Path path) throws IOException {
    Properties p = new Properties();
    try (InputStream in = fs.open(path)) {
      p.load(in);
    }
    String hour = p.getProperty("unlogged-until-hour");
    return new Start(Long.parseLong(p.getProperty("batch", "0")),
        hour == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(hour)));
  }

  /**
   * A batch's file: {@code "TPDL"}, version 1, batch id (8 bytes), id count (4), the batch's newest arrival (8, epoch
   * millis),
   * then per id its kind (1 byte: 1 = a lower-case canonical UUID in 16 bytes, 0 = UTF-8 bytes after their length as a
   * varint) and its arrival as a varint of (newest arrival − arrival), and a CRC-32 of everything before (4). A
   * time-based UUID id (as trackers send) takes about 20 bytes.
   */
  static byte[] encode(long batchId, long newestArrival, List<String> ids, long[] arrivals) {
    long newest = newestArrival;
    for (int i = 0; i < ids.size(); i++) {
      if (arrivals[i] > newest) throw new IllegalArgumentException("arrival " + arrivals[i] + " after the newest " + newest);
    }
    ByteBuffer out = ByteBuffer.allocate(25 + ids.size() * 24 + 4);
    out.put(MAGIC).put(VERSION).putLong(batchId).putInt(ids.size()).putLong(newest);
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      if (out.remaining() < 3 * id.length() + 30) out = grow(out, 3 * id.length() + 30);
      if (isLowerCaseUuid(id)) {
        out.put(UUID_ID);
        for (int k = 0; k < 36; k++) {
          if (k == 8 || k == 13 || k == 18 || k == 23) continue;
          int hi = Character.digit(id.charAt(k), 16);
          int lo = Character.digit(id.charAt(++k), 16);
          out.put((byte) (hi << 4 | lo));
        }
      } else {
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        out.put(RAW_ID);
        putVarLong(out, bytes.length);
        out.put(bytes);
      }
      putVarLong(out, newest - arrivals[i]);
    }
    if (out.remaining() < 4) out = grow(out, 4);
    CRC32 crc = new CRC32();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  static LoggedBatch decode(byte[] content, String source) {
    if (content.length < 29 || !java.util.Arrays.equals(content, 0, 4, MAGIC, 0, 4)) {
      throw new IllegalStateException(source + " is not a dedup log file");
    }
    CRC32 crc = new CRC32();
    crc.update(content, 0, content.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(content, content.length - 4, 4).getInt()) {
      throw new IllegalStateException(source + " is damaged (checksum mismatch)");
    }
    ByteBuffer in = ByteBuffer.wrap(content, 0, content.length - 4);
    in.position(4);
    byte version = in.get();
    if (version != VERSION) throw new IllegalStateException(source + " has format version " + version + ", not " + VERSION);
    long batchId = in.getLong();
    int count = in.getInt();
    long newest = in.getLong();
    List<String> ids = new ArrayList<>(count);
    long[] arrivals = new long[count];
    char[] uuid = new char[36];
    for (int i = 0; i < count; i++) {
      byte kind = in.get();
      if (kind == UUID_ID) {
        int c = 0;
        for (int k = 0; k < 16; k++) {
          if (c == 8 || c == 13 || c == 18 || c == 23) uuid[c++] = '-';
          int b = in.get() & 0xff;
          uuid[c++] = Character.forDigit(b >>> 4, 16);
          uuid[c++] = Character.forDigit(b & 0xf, 16);
        }
        ids.add(new String(uuid));
      } else if (kind == RAW_ID) {
        byte[] bytes = new byte[(int) getVarLong(in)];
        in.get(bytes);
        ids.add(new String(bytes, StandardCharsets.UTF_8));
      } else {
        throw new IllegalStateException(source + ": unknown id kind " + kind + " at id " + i);
      }
      arrivals[i] = newest - getVarLong(in);
    }
    if (in.hasRemaining()) throw new IllegalStateException(source + ": " + in.remaining() + " bytes after the last id");
    return new LoggedBatch(batchId, newest, ids, arrivals);
  }

  private static boolean isLowerCaseUuid(String id) {
    if (id.length() != 36) return false;
    for (int k = 0; k < 36; k++) {
      char c = id.charAt(k);
      boolean ok = k == 8 || k == 13 || k == 18 || k == 23 ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      if (!ok) return false;
    }
    return true;
  }

  private static ByteBuffer grow(ByteBuffer out, int atLeast) {
    ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + atLeast));
    bigger.put(out.array(), 0, out.position());
    return bigger;
  }

  private static void putVarLong(ByteBuffer out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.put((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.put((byte) value);
  }

  private static long getVarLong(ByteBuffer in) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in.get();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) return value;
    }
    throw new IllegalStateException("varint longer than 64 bits");
  }

  /** Waits (a little) for deletions still running. */
  @Override
  public void close() {
    deleter.shutdown();
    try {
      if (!deleter.awaitTermination(30, TimeUnit.SECONDS)) log.warn("Deleting expired files of the dedup log {} is still running", dir);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
