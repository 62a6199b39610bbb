package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.RecordGenerator;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.StreamQueries;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.spark.metrics.source.CodegenMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every built-in domain streamed at once, as the demo does: once each query's batches have met their plans, later
 * batches reuse the classes Spark generated for them instead of compiling them again. With Spark's default of 100
 * cached classes, the demo's three domains (about 115 classes) compiled a dozen a batch; a plan that changed from batch
 * to batch (a value written into it) would too.
 */
class CodegenReuseIT {
  @TempDir Path work;

  @Test
  void laterBatchesOfEveryBuiltInDomainCompileNoCode() throws Exception {
    StreamFixture f = StreamFixture.create("codegen", work);
    Dimensions dimensions = SampleDimensions.generate(21, 10, 40, 8);
    f.loadDimensions(dimensions);
    DomainCatalog builtIn = DomainCatalog.load(List.of(), List.of());
    List<Domain> domains = builtIn.domains().stream()
        .map(d -> d.name().equals(DomainCatalog.JOB_ADS) ? d : f.onOwnTopics(d))
        .toList();
    StreamConfig stream = f.streamConfig().withDomains(new DomainCatalog(domains));
    GeneratorConfig config = GeneratorConfig.builder(dimensions).seed(21).duplicateRatio(0.02).malformedRatio(0.01).build();
    List<RecordGenerator> generators = domains.stream()
        .map(d -> RecordGenerator.forDomain(d, config, ZoneOffset.UTC)).toList();
    Instant from = Instant.now().minus(Duration.ofMinutes(30));

    TrackingStreamJob job = f.job(stream);
    StreamQueries queries = job.start(StreamFixture.spark());
    try {
      long compiledBefore = 0;
      // Six rounds to meet every plan the data leads to (copies, late events, sessions closing), then two to measure.
      for (int round = 0; round < 8; round++) {
        if (round == 6) compiledBefore = CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
        for (int d = 0; d < domains.size(); d++) {
          List<StreamFixture.Send> sends = StreamFixture.generate(generators.get(d), 300, from.plusSeconds(round * 60L), 50);
          // Job ads read the fixture's topic (kafka.topic.*), the others their own.
          if (domains.get(d).name().equals(DomainCatalog.JOB_ADS)) f.produce(sends);
          else f.produce(domains.get(d).topics().events(), sends);
        }
        queries.processAllAvailable();
      }
      long compiledAfter = CodegenMetrics.METRIC_COMPILATION_TIME().getCount();

      for (Domain d : domains) {
        assertThat(job.metrics(d.name()).status().eventsCounted()).as(d.name() + " counted").isPositive();
      }
      assertThat(compiledAfter - compiledBefore).as("classes compiled by the last two rounds' batches").isZero();
    } finally {
      queries.stop();
    }
  }
}
