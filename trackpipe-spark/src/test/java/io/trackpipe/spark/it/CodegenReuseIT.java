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
 * batches reuse the classes Spark generated for them instead of compiling them again (a stray class a plan met late
 * is allowed, not one per batch). With Spark's default of 100
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
    List<Domain> domains = f.builtInDomains();
    StreamConfig stream = f.streamConfig().withDomains(new DomainCatalog(domains));
    GeneratorConfig config = GeneratorConfig.builder(dimensions).seed(21).duplicateRatio(0.02).malformedRatio(0.01).build();
    List<RecordGenerator> generators = domains.stream()
        .map(d -> RecordGenerator.forDomain(d, config, ZoneOffset.UTC)).toList();
    Instant from = Instant.now().minus(Duration.ofMinutes(30));

    TrackingStreamJob job = f.job(stream);
    StreamQueries queries = job.start(StreamFixture.spark());
    try {
      long compiledBefore = 0;
      long batchesBefore = 0;
      // Four rounds to meet the plans the data leads to (copies, late events, sessions closing), then four to measure.
      for (int round = 0; round < 8; round++) {
        if (round == 4) {
          compiledBefore = CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
          batchesBefore = batches(job, domains);
        }
        for (int d = 0; d < domains.size(); d++) {
          f.produce(domains.get(d), StreamFixture.generate(generators.get(d), 300, from.plusSeconds(round * 60L), 50));
        }
        queries.processAllAvailable();
      }
      long compiledAfter = CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
      long measuredBatches = batches(job, domains) - batchesBefore;

      for (Domain d : domains) {
        assertThat(job.metrics(d.name()).status().eventsCounted()).as(d.name() + " counted").isPositive();
      }
      // A cache too small compiles about a dozen classes a batch, a plan that changes per batch at least one; a plan
      // met late by the data (the counter is the JVM's) only once.
      assertThat(measuredBatches).isGreaterThanOrEqualTo(domains.size() * 4L);
      assertThat(compiledAfter - compiledBefore).as("classes compiled by the last four rounds' " + measuredBatches
          + " batches").isLessThan(measuredBatches / 2);
    } finally {
      queries.stop();
    }
  }

  private static long batches(TrackingStreamJob job, List<Domain> domains) {
    return domains.stream().mapToLong(d -> job.metrics(d.name()).status().batches()).sum();
  }
}
