package io.trackpipe.spark.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rewind of a checkpoint that recorded a batch as done before its commit reached the warehouse. */
class CheckpointOffsetsTest {
  @TempDir Path checkpoint;

  private CheckpointOffsets offsets() throws IOException {
    FileSystem local = FileSystem.getLocal(new Configuration());
    return new CheckpointOffsets(local, new org.apache.hadoop.fs.Path(checkpoint.toUri()));
  }

  /** Spark's metadata log files, with the checksums its local file system writes next to them. */
  private void batches(String log, int... ids) throws IOException {
    Path dir = Files.createDirectories(checkpoint.resolve(log));
    for (int id : ids) {
      Files.writeString(dir.resolve(String.valueOf(id)), "v1\n{}\n");
      Files.writeString(dir.resolve("." + id + ".crc"), "");
    }
  }

  private List<String> files(String log) throws IOException {
    try (Stream<Path> files = Files.list(checkpoint.resolve(log))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }

  @Test
  void aBatchDoneInTheCheckpointButNotInTheWarehouseRunsAgain() throws IOException {
    batches("offsets", 0, 1, 2, 3, 4);
    batches("commits", 0, 1, 2, 3);

    assertThat(offsets().rewindTo(2)).as("the warehouse committed batch 2; Spark recorded 3").hasValue(3);

    assertThat(files("commits")).containsExactly("0", "1", "2");
    assertThat(files("offsets")).as("batch 3 is planned again over its offsets; 4 is planned anew after it")
        .containsExactly("0", "1", "2", "3");
    assertThat(checkpoint.resolve("commits/.3.crc")).as("its checksum goes with it").doesNotExist();
  }

  @Test
  void theFirstBatchToo() throws IOException {
    batches("offsets", 0, 1);
    batches("commits", 0);

    assertThat(offsets().rewindTo(-1)).as("nothing committed yet").hasValue(0);

    assertThat(files("commits")).isEmpty();
    assertThat(files("offsets")).containsExactly("0");
  }

  @Test
  void aCheckpointThatMatchesTheWarehouseIsLeftAlone() throws IOException {
    batches("offsets", 0, 1, 2, 3);
    batches("commits", 0, 1, 2);

    assertThat(offsets().rewindTo(2)).isEmpty();

    assertThat(files("commits")).containsExactly("0", "1", "2");
    assertThat(files("offsets")).as("batch 3 planned, not done: Spark runs it again by itself")
        .containsExactly("0", "1", "2", "3");
  }

  @Test
  void aCheckpointFurtherAheadIsLeftForTheWarehouseCheckToRefuse() throws IOException {
    batches("offsets", 0, 1, 2, 3, 4);
    batches("commits", 0, 1, 2, 3, 4);

    assertThat(offsets().rewindTo(2)).as("two batches ahead: not what a commit behind the next batch leaves").isEmpty();

    assertThat(files("commits")).containsExactly("0", "1", "2", "3", "4");
    assertThat(files("offsets")).containsExactly("0", "1", "2", "3", "4");
  }

  @Test
  void aNewCheckpointHasNothingToRewind() throws IOException {
    assertThat(offsets().rewindTo(-1)).isEmpty();
  }
}
