package io.trackpipe.spark.ingest;

import io.trackpipe.warehouse.fact.BatchRange;
import io.trackpipe.warehouse.fact.KafkaOffsets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Kafka offsets of a micro-batch, read from the query's checkpoint, where Spark writes them before it runs the
 * batch: {@code offsets/<N>} holds where batch N ends ({@code v1}, the batch's metadata, then one line per source), and
 * batch N starts where N − 1 ended, or, for batch 0, at the source's initial offsets ({@code sources/0/0}).
 *
 * <p>Read from the checkpoint rather than from the batch's rows: a batch knows only the offsets of the records it
 * holds, not a partition that had none, nor records skipped by compaction or transaction markers.
 */
public final class CheckpointOffsets {
  private final Path checkpointDir;

  public CheckpointOffsets(Path checkpointDir) {
    this.checkpointDir = checkpointDir;
  }

  /** @throws IllegalStateException when the checkpoint lacks the files or they are not Kafka offsets of one source */
  public BatchRange range(long batchId) {
    KafkaOffsets end = offsetsAfter(batchId);
    KafkaOffsets start = batchId == 0 ? initialOffsets() : offsetsAfter(batchId - 1);
    return new BatchRange(start, end);
  }

  private KafkaOffsets offsetsAfter(long batchId) {
    Path file = checkpointDir.resolve("offsets").resolve(Long.toString(batchId));
    List<String> lines = lines(file);
    // v1, the batch's metadata, then one line per source: this query has one, the Kafka source.
    if (lines.size() != 3 || !lines.get(0).startsWith("v")) {
      throw new IllegalStateException("checkpoint file " + file + " is not the offsets of a one-source query: " + lines);
    }
    return parse(file, lines.get(2));
  }

  private KafkaOffsets initialOffsets() {
    Path file = checkpointDir.resolve("sources").resolve("0").resolve("0");
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

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the batch's Kafka offsets from checkpoint file " + file + ": " + e, e);
    }
  }
}
