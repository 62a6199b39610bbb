package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.embedded.EmbeddedHdfs;
import io.trackpipe.fs.Folders;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.stream.CheckpointLocation;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream with its checkpoint on HDFS (a real name node and data node in a child JVM), as a cluster keeps it: Spark's
 * offsets and commits, the dedup log, the Kafka offsets each batch commits with its facts, the query id checked at
 * start and {@code --fresh}'s clearing all go through HDFS, and nothing of the checkpoint lands on the local disk.
 */
class HdfsCheckpointIT {
  @TempDir static Path hdfsDir;
  @TempDir Path work;
  private static EmbeddedHdfs hdfs;

  @BeforeAll
  static void startHdfs() {
    hdfs = EmbeddedHdfs.start(hdfsDir, EmbeddedHdfs.defaultOptions());
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) hdfs.close();
  }

  @Test
  void countsEveryEventOnceWithTheCheckpointOnHdfsAcrossALostDriverDiskAndAFreshStart() throws Exception {
    StreamFixture f = StreamFixture.create("hdfs", work);
    Dimensions dimensions = SampleDimensions.generate(13, 5, 20, 4);
    f.loadDimensions(dimensions);
    Map<Long, Job> jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
    CheckpointLocation checkpoint = CheckpointLocation.parse(hdfs.uri() + "/trackpipe/checkpoints/" + f.name);
    Path dedupStore = work.resolve("driver-disk/dedup");
    StreamConfig stream = onHdfs(f.streamConfig(), checkpoint, dedupStore);
    FileSystem fs = checkpoint.fileSystem(StreamFixture.spark().sessionState().newHadoopConf());

    EventGenerator generator = new EventGenerator(GeneratorConfig.builder(dimensions).seed(13).duplicateRatio(0.05).build());
    Instant start = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
    List<StreamFixture.Send> sent = new ArrayList<>(StreamFixture.generate(generator, 2_000, start, 300));
    f.produce(sent);
    StreamFixture.runToEnd(f.job(stream));
    Map<String, FactRow> expected = Recount.of(sent, jobs, stream.allowedLateness());
    assertThat(f.facts()).isEqualTo(expected);
    assertThat(names(fs, checkpoint, "")).as("Spark's checkpoint on HDFS").contains("metadata", "offsets", "commits",
        "sources", TrackingStreamJob.DEDUP_LOG_FOLDER);
    assertThat(names(fs, checkpoint, "commits")).as("several batches of 500").hasSizeGreaterThanOrEqualTo(4);
    assertThat(names(fs, checkpoint, TrackingStreamJob.DEDUP_LOG_FOLDER)).anyMatch(n -> n.matches("\\d+-\\d+\\.ids"));
    assertThat(f.checkpointDir).as("no local checkpoint").doesNotExist();

    // The driver moves to a machine without its disk: the dedup store is rebuilt from the log on HDFS, so copies of
    // counted events sent meanwhile are dropped; new events count.
    Folders.deleteRecursively(dedupStore);
    Instant later = start.plus(Duration.ofMinutes(12));
    List<StreamFixture.Send> more = new ArrayList<>();
    for (StreamFixture.Send copy : sent.subList(0, 300)) {
      more.add(new StreamFixture.Send(copy.key(), copy.value(), later.toEpochMilli()));
    }
    more.addAll(StreamFixture.generate(generator, 500, later, 300));
    f.produce(more);
    sent.addAll(more);
    expected = Recount.of(sent, jobs, stream.allowedLateness());
    StreamFixture.runToEnd(f.job(stream));
    assertThat(f.facts()).as("the copies dropped by the store rebuilt from HDFS, the new events counted")
        .isEqualTo(expected);
    assertThat(Files.isDirectory(dedupStore)).as("the store rebuilt on the driver's disk").isTrue();

    // --fresh clears the checkpoint on HDFS: the topic is counted again from the start, once.
    TrackingStreamJob fresh = f.job(stream);
    fresh.resetState(StreamFixture.spark());
    assertThat(fs.exists(checkpoint.hadoopPath())).as("the checkpoint deleted on HDFS").isFalse();
    StreamFixture.runToEnd(fresh);
    assertThat(f.facts()).as("recounted from the beginning, once").isEqualTo(expected);
    assertThat(WarehouseRows.countedTotal(expected)).as("a meaningful test").isGreaterThan(2_000);
  }

  /** The settings with the checkpoint on HDFS, the dedup store on the driver's disk and batches of 500 records. */
  private static StreamConfig onHdfs(StreamConfig s, CheckpointLocation checkpoint, Path dedupStore) {
    return new StreamConfig(checkpoint, s.sparkMaster(), s.triggerInterval(), 500, s.shufflePartitions(), dedupStore,
        s.startingOffsets(), s.timeZone(), s.allowedLateness(), s.dedupHorizon(), s.maxFutureSkew(), s.dimensionRefresh(),
        s.deadLetterMaxBytes(), s.acceptDedupStoreLoss(), s.domains());
  }

  private static List<String> names(FileSystem fs, CheckpointLocation checkpoint, String folder) throws Exception {
    FileStatus[] statuses = fs.listStatus(folder.isEmpty() ? checkpoint.hadoopPath() : checkpoint.resolve(folder).hadoopPath());
    return Arrays.stream(statuses).map(s -> s.getPath().getName()).toList();
  }
}
