package io.trackpipe.spark.ingest;

import io.trackpipe.warehouse.fact.BatchRange;
import io.trackpipe.warehouse.fact.KafkaOffsets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The Kafka offsets of a micro-batch, read from the query's checkpoint, where Spark writes them before it runs the
 * batch: {@code offsets/<N>} holds where batch N ends ({@code v1}, the batch's metadata, then one line per source), and
 * batch N starts where N − 1 ended, or, for batch 0, at the source's initial offsets ({@code sources/0/0}).
 *
 * <p>Read from the checkpoint rather than from the batch's rows: a batch knows only the offsets of the records it
 * holds, not a partition that had none, nor records skipped by compaction or transaction markers. Read through the
 * checkpoint's file system, local or not, as Spark wrote them.
 */
public final class CheckpointOffsets {
  private final FileSystem fs;
  private final Path checkpointDir;

  public CheckpointOffsets(FileSystem fs, Path checkpointDir) {
    this.fs = fs;
    this.checkpointDir = checkpointDir;
  }

  /** @throws IllegalStateException when the checkpoint lacks the files or they are not Kafka offsets of one source */
  public BatchRange range(long batchId) {
    KafkaOffsets end = offsetsAfter(batchId);
    KafkaOffsets start = batchId == 0 ? initialOffsets() : offsetsAfter(batchId - 1);
    return new BatchRange(start, end);
  }

  /**
   * Makes Spark run again the batch after {@code lastCommitted} (the warehouse's last commit; -1 for none) when the
   * checkpoint records it as done though the warehouse never committed it: its commit ran behind the next batch
   * ({@code FactsBatchSink}) and the job ended first. Deletes that batch's entry in {@code commits/} and the offsets of
   * any batch planned after it, so Spark plans the batch again over the same offsets. A checkpoint further ahead is
   * not one this can cause (a batch's commit waits for the one before): it is left for the warehouse's check to refuse.
   *
   * @return the batch that runs again, if any
   */
  public OptionalLong rewindTo(long lastCommitted) throws IOException {
    Path commits = new Path(checkpointDir, "commits");
    Path offsets = new Path(checkpointDir, "offsets");
    long uncommitted = lastCommitted + 1;
    if (newestBatch(commits) != uncommitted) return OptionalLong.empty();
    for (long batch : batches(offsets)) {
      if (batch > uncommitted) delete(new Path(offsets, Long.toString(batch)));
    }
    delete(new Path(commits, Long.toString(uncommitted)));
    return OptionalLong.of(uncommitted);
  }

  private void delete(Path file) throws IOException {
    if (!fs.delete(file, false) && fs.exists(file)) throw new IOException("cannot delete checkpoint file " + file);
  }

  private long newestBatch(Path dir) throws IOException {
    return batches(dir).stream().mapToLong(Long::longValue).max().orElse(-1);
  }

  /** The batch ids of a Spark metadata log's files (named by the batch; checksums and temporary files skipped). */
  private List<Long> batches(Path dir) throws IOException {
    if (!fs.exists(dir)) return List.of();
    List<Long> batches = new ArrayList<>();
    for (FileStatus file : fs.listStatus(dir)) {
      String name = file.getPath().getName();
      if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) batches.add(Long.parseLong(name));
    }
    return batches;
  }

  private KafkaOffsets offsetsAfter(long batchId) {
    Path file = new Path(new Path(checkpointDir, "offsets"), Long.toString(batchId));
    List<String> lines = lines(file);
    // v1, the batch's metadata, then one line per source: this query has one, the Kafka source.
    if (lines.size() != 3 || !lines.get(0).startsWith("v")) {
      throw new IllegalStateException("checkpoint file " + file + " is not the offsets of a one-source query: " + lines);
    }
    return parse(file, lines.get(2));
  }

  private KafkaOffsets initialOffsets() {
    Path file = new Path(checkpointDir, "sources/0/0");
    // A zero byte (kept for Spark 2.1 compatibility), "v1", then the offsets' JSON.
    List<String> lines = lines(file).stream().map(l -> l.replace("\u0000", "")).filter(l -> !l.isBlank()).toList();
    if (lines.size() != 2 || !lines.get(0).startsWith("v")) {
      throw new IllegalStateException("checkpoint file " + file + " is not a Kafka source's initial offsets: " + lines);
    }
    return parse(file, lines.get(1));
  }

  private static KafkaOffsets parse(Path file, String json) {
    try {
      return KafkaOffsets.parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("checkpoint file " + file + ": " + e.getMessage(), e);
    }
  }

  private List<String> lines(Path file) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      return reader.lines().toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the batch's Kafka offsets from checkpoint file " + file + ": " + e, e);
    }
  }
}
