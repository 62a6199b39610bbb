package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.dimension.Dimensions;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.RecordGenerator;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.stream.StreamQueries;
import io.trackpipe.spark.stream.TrackingStreamJob;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first domain's first batch runs alone: with a backlog in every built-in domain's topic at start, the other
 * domains commit their first batch after job ads commit theirs, although theirs are 400 times smaller (run together,
 * the smallest batch committed first).
 */
class FirstBatchFirstIT {
  @TempDir Path work;

  @Test
  void theOtherDomainsFirstBatchesWaitForTheFirstDomainsFirstCommit() throws Exception {
    StreamFixture f = StreamFixture.create("firstbatch", work);
    Dimensions dimensions = SampleDimensions.generate(22, 10, 40, 8);
    f.loadDimensions(dimensions);
    List<Domain> domains = f.builtInDomains();
    assertThat(domains.get(0).name()).isEqualTo(DomainCatalog.JOB_ADS);
    GeneratorConfig config = GeneratorConfig.builder(dimensions).seed(22).build();
    Instant from = Instant.now().minus(Duration.ofMinutes(20));
    for (Domain d : domains) {
      f.produce(d, StreamFixture.generate(RecordGenerator.forDomain(d, config, ZoneOffset.UTC),
          d.name().equals(DomainCatalog.JOB_ADS) ? 20000 : 50, from, 10));
    }

    TrackingStreamJob job = f.job(f.streamConfig().withDomains(new DomainCatalog(domains)));
    // Each domain reads what its topic holds now, in one batch, then stops.
    StreamQueries queries = job.start(StreamFixture.spark(), true);
    queries.awaitTermination();

    Map<String, Instant> committed = f.rows("stream_commit", "sink").stream().collect(Collectors.toMap(
        row -> (String) row.get("sink"), row -> instant(row.get("committed_at"))));
    Instant jobAdsCommit = committed.get(domains.get(0).sink());
    assertThat(jobAdsCommit).as("job ads committed").isNotNull();
    for (Domain d : domains.subList(1, domains.size())) {
      assertThat(job.metrics(d.name()).status().eventsCounted()).as(d.name() + " counted").isPositive();
      assertThat(committed.get(d.sink())).as(d.name() + "'s first commit, after job ads' first").isAfterOrEqualTo(jobAdsCommit);
    }
  }

  private static Instant instant(Object datetime) {
    return datetime instanceof Timestamp t ? t.toInstant() : ((LocalDateTime) datetime).toInstant(ZoneOffset.UTC);
  }
}
