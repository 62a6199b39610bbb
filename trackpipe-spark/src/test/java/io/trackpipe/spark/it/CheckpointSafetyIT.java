package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import io.trackpipe.spark.stream.StreamQueries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint that does not belong to the warehouse's facts would re-count the topic; the job refuses it. */
class CheckpointSafetyIT {

  @TempDir Path work;



  @Test
  void refusesToStartOnANewCheckpointWhenTheWarehouseHasStreamedFacts() throws Exception {
    StreamFixture f = StreamFixture.create("checkpoint", work);
    Dimensions dimensions = SampleDimensions.generate(11, 5, 20, 4);
    f.loadDimensions(dimensions);
    EventGenerator generator = new EventGenerator(GeneratorConfig.builder(dimensions).seed(11).duplicateRatio(0.05).build());
    Instant start = Instant.now().minus(Duration.ofMinutes(20)).truncatedTo(ChronoUnit.MILLIS);
    List<StreamFixture.Send> sends = StreamFixture.generate(generator, 3_000, start, 100);
    f.produce(sends);
    Map<Long, Job> jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
    Map<String, FactRow> expected = Recount.of(sends, jobs, f.streamConfig().allowedLateness());
    StreamFixture.runToEnd(f.job(f.streamConfig()));
    assertThat(f.facts()).isEqualTo(expected);

    StreamConfig newCheckpoint = StreamFixture.defaultStreamConfig(work.resolve("new-checkpoint"));
    assertThatThrownBy(() -> f.job(newCheckpoint).start(StreamFixture.spark()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("--fresh");
    assertThat(StreamFixture.spark().streams().active()).as("no query left running").isEmpty();
    assertThat(f.facts()).as("nothing counted by the refused start").isEqualTo(expected);

    TrackingStreamJob fresh = f.job(newCheckpoint);
    fresh.resetState(StreamFixture.spark());
    StreamFixture.runToEnd(fresh);

    assertThat(f.facts()).as("recounted from the beginning, once").isEqualTo(expected);
    assertThat(expected.values().stream().mapToLong(r -> r.clicks() + r.impressions()).sum()).as("a meaningful test").isGreaterThan(2_000);
  }
}
