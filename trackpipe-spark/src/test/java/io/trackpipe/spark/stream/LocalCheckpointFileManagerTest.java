package io.trackpipe.spark.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.spark.session.HadoopFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager;
import org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark's checkpoint files and the dedup log's on a local disk: written and read back as with Hadoop's own
 * calls, without the chmod and readlink processes Hadoop 3.3 starts there (counted by the JVM's flight recorder).
 */
class LocalCheckpointFileManagerTest {
  @TempDir Path checkpoint;

  private org.apache.hadoop.fs.Path hadoopPath(String name) {
    return new org.apache.hadoop.fs.Path(checkpoint.resolve(name).toUri());
  }

  /** What {@code work} started as processes, by command. */
  private List<String> processesStartedBy(IoWork work) throws Exception {
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ProcessStart");
      recording.start();
      work.run();
      recording.stop();
      Path dump = Files.createTempFile(checkpoint, "processes", ".jfr");
      recording.dump(dump);
      List<String> commands = RecordingFile.readAllEvents(dump).stream()
          .filter(e -> e.getEventType().getName().equals("jdk.ProcessStart"))
          .map((RecordedEvent e) -> e.getString("command"))
          .toList();
      Files.delete(dump);
      return commands;
    }
  }

  private interface IoWork {
    void run() throws Exception;
  }

  private static void writeAtomically(CheckpointFileManager manager, org.apache.hadoop.fs.Path path, String text,
      boolean overwrite) throws IOException {
    try (OutputStream out = manager.createAtomic(path, overwrite)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String read(CheckpointFileManager manager, org.apache.hadoop.fs.Path path) throws IOException {
    try (FSDataInputStream in = manager.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void writesAndReadsCheckpointFilesWithoutStartingAProcess() throws Exception {
    Configuration conf = new Configuration();
    CheckpointFileManager manager = new LocalCheckpointFileManager(hadoopPath(""), conf);
    org.apache.hadoop.fs.Path seven = hadoopPath("commits/7");
    org.apache.hadoop.fs.Path eight = hadoopPath("commits/8");

    List<String> started = processesStartedBy(() -> {
      manager.mkdirs(hadoopPath("commits"));
      writeAtomically(manager, seven, "v1\n{\"nextBatchWatermarkMs\":7}\n", false);
      writeAtomically(manager, eight, "v1\n{\"nextBatchWatermarkMs\":8}\n", false);
    });

    assertThat(started).as("process starts while writing two checkpoint files").isEmpty();
    assertThat(read(manager, seven)).isEqualTo("v1\n{\"nextBatchWatermarkMs\":7}\n");
    assertThat(manager.exists(eight)).isTrue();
    assertThat(manager.list(hadoopPath("commits"))).extracting(s -> s.getPath().getName())
        .containsExactlyInAnyOrder("7", "8"); // no temporary file left
    // Spark's own reader of a local checkpoint (through Hadoop's checksummed file system) reads a file without a .crc.
    assertThat(read(new FileSystemBasedCheckpointFileManager(hadoopPath(""), conf), eight))
        .isEqualTo("v1\n{\"nextBatchWatermarkMs\":8}\n");
    // Spark writes a batch's file once: a second write of it is refused, and the first stays.
    assertThatThrownBy(() -> writeAtomically(manager, seven, "v1\n{}\n", false)).isInstanceOf(IOException.class);
    assertThat(read(manager, seven)).isEqualTo("v1\n{\"nextBatchWatermarkMs\":7}\n");
  }

  @Test
  void hadoopsOwnLocalWritesStartChmodWhichHadoopFilesAvoids() throws Exception {
    FileSystem local = FileSystem.getLocal(new Configuration());

    // The control: what this test would see if the files went through Hadoop (no native library in this build).
    List<String> throughHadoop = processesStartedBy(() -> {
      try (OutputStream out = local.create(hadoopPath("dedup-log/_tmp-1"), true)) {
        out.write(1);
      }
    });
    List<String> throughHadoopFiles = processesStartedBy(() -> {
      try (OutputStream out = HadoopFiles.create(local, hadoopPath("dedup-log/_tmp-2"))) {
        out.write(2);
      }
      try (OutputStream out = HadoopFiles.create(local, hadoopPath("dedup-log/_tmp-2"))) {
        out.write(3); // replaced, not appended
      }
    });

    assertThat(throughHadoop).as("Hadoop's local create").anyMatch(command -> command.startsWith("chmod"));
    assertThat(throughHadoopFiles).isEmpty();
    assertThat(Files.readAllBytes(checkpoint.resolve("dedup-log/_tmp-2"))).containsExactly(3);
  }
}
