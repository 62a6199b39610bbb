package io.trackpipe.spark.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.Domain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamConfigTest {

  private static StreamConfig load(Map<String, String> overrides) {
    Configuration config = Configuration.load(Optional.empty(), Map.of(), overrides, StreamConfig.SETTINGS);
    StreamConfig stream = StreamConfig.from(config);
    config.throwIfInvalid();
    return stream;
  }

  @Test
  void refusesTheRetiredImpressionSettingsPointingToTheDerivedColumn() {
    assertThatThrownBy(() -> load(Map.of("rollup.impression-tracks", "impression,view",
        "rollup.untracked-is-impression", "false")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2)
            .allMatch(p -> p.contains("derived column event_kind") && p.contains("docs/rollups.md")));
  }

  @Test
  void jobAdsKeepTheirCheckpointAndDedupStoreAndOtherDomainsGetTheirOwnInside() {
    StreamConfig stream = load(Map.of("stream.checkpoint-dir", "state/events"));
    Domain jobAds = stream.domains().jobAds();
    Domain other = jobAds.withTopics(jobAds.topics());
    other = new Domain("signups", "sign-ups", null, "signups.yaml", other.topics(), "signups-stream", "signups_events",
        other.schema(), other.rollups(), null);
    Path state = Path.of("state");
    assertThat(stream.checkpointDir(jobAds).localPath()).contains(state.resolve("events"));
    assertThat(stream.checkpointDir(jobAds).hadoopPath()).hasToString(state.resolve("events").toAbsolutePath().toString());
    assertThat(stream.dedupStoreDir(jobAds)).isEqualTo(state.resolve("events/dedup"));
    assertThat(stream.checkpointDir(other).localPath()).contains(state.resolve("events/domains/signups"));
    assertThat(stream.dedupStoreDir(other)).isEqualTo(state.resolve("events/domains/signups/dedup"));

    StreamConfig ownDedup = load(Map.of("stream.checkpoint-dir", "state/events", "stream.dedup-store-dir", "/disk/dedup"));
    assertThat(ownDedup.dedupStoreDir(jobAds)).isEqualTo(Path.of("/disk/dedup"));
    assertThat(ownDedup.dedupStoreDir(other)).isEqualTo(Path.of("/disk/dedup-signups"));
  }

  @Test
  void aCheckpointOnHdfsOrS3KeepsItsUriAndTheDedupStoreStaysOnTheDriversDisk() {
    StreamConfig stream = load(Map.of("stream.checkpoint-dir", "hdfs://namenode:8020/trackpipe/checkpoints/"));
    Domain jobAds = stream.domains().jobAds();
    Domain clickstream = stream.domains().domain("clickstream").orElseThrow();
    assertThat(stream.checkpointDir(jobAds)).hasToString("hdfs://namenode:8020/trackpipe/checkpoints");
    assertThat(stream.checkpointDir(jobAds).hadoopPath()).hasToString("hdfs://namenode:8020/trackpipe/checkpoints");
    assertThat(stream.checkpointDir(jobAds).localPath()).isEmpty();
    assertThat(stream.checkpointDir(clickstream)).hasToString("hdfs://namenode:8020/trackpipe/checkpoints/domains/clickstream");
    assertThat(stream.checkpointDir(jobAds).resolve("dedup-log").hadoopPath())
        .hasToString("hdfs://namenode:8020/trackpipe/checkpoints/dedup-log");
    assertThat(stream.dedupStoreDir(jobAds)).isEqualTo(Path.of("data/dedup-store"));
    assertThat(stream.dedupStoreDir(clickstream)).isEqualTo(Path.of("data/dedup-store-clickstream"));

    assertThat(load(Map.of("stream.checkpoint-dir", "s3a://bucket/checkpoints")).checkpointDir())
        .hasToString("s3a://bucket/checkpoints");
    assertThat(load(Map.of("stream.checkpoint-dir", "file:/srv/checkpoints/./events")).checkpointDir().localPath())
        .contains(Path.of("/srv/checkpoints/events"));
  }

  @Test
  void aCheckpointUriWithoutAnAbsolutePathIsRefused() {
    assertThatThrownBy(() -> load(Map.of("stream.checkpoint-dir", "hdfs:checkpoints")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .anyMatch(p -> p.contains("stream.checkpoint-dir") && p.contains("no absolute path")));
  }

  @Test
  void streamDomainsPicksWhichLoadedDomainsRunAndRefusesAnUnknownOne() {
    assertThat(load(Map.of()).domains().names()).containsExactly("job-ads", "ecommerce", "clickstream");
    assertThat(load(Map.of("stream.domains", "ecommerce")).domains().names()).containsExactly("ecommerce");
    assertThat(load(Map.of("stream.domains", " ecommerce , job-ads")).domains().names()).containsExactly("job-ads", "ecommerce");
    assertThatThrownBy(() -> load(Map.of("stream.domains", "job-ads,shop")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .anyMatch(p -> p.contains("stream.domains") && p.contains("[shop]") && p.contains("job-ads, ecommerce, clickstream")));
  }

  @Test
  void streamSessionGapReplacesTheGapOfEveryDomainWithSessionsAndIsCheckedAtStartUp(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("visits.yaml"), """
        name: visits
        fields:
          - {name: user_id, type: text, required: true}
          - {name: timestamp, type: timestamp, required: true}
          - {name: url, type: text, required: true}
        id: {hash-of: [user_id, timestamp, url]}
        time: {field: timestamp}
        rollups:
          - {name: visit_views, dimensions: [url, {name: dates, time: day}], metrics: [{name: views, kind: count}]}
        sessions: {user: user_id, page: url, gap: 45m, pages-table: visit_pages, sessions-table: visit_sessions}
        """);
    String definitions = file.toString();
    assertThat(load(Map.of("domain.definitions", definitions)).domains().domain("visits").orElseThrow().sessions().gap())
        .as("unset: the file's gap").isEqualTo(Duration.ofMinutes(45));
    StreamConfig shorter = load(Map.of("domain.definitions", definitions, "stream.session-gap", "20m"));
    assertThat(shorter.domains().domain("visits").orElseThrow().sessions().gap()).isEqualTo(Duration.ofMinutes(20));
    assertThat(shorter.domains().domain("clickstream").orElseThrow().sessions().gap()).as("the built-in one too")
        .isEqualTo(Duration.ofMinutes(20));
    assertThat(shorter.domains().jobAds().sessions()).as("a domain without sessions is left alone").isNull();
    for (String bad : new String[] {"0s", "2d", "soon"}) {
      assertThatThrownBy(() -> load(Map.of("domain.definitions", definitions, "stream.session-gap", bad)))
          .as(bad).isInstanceOf(ConfigException.class)
          .satisfies(e -> assertThat(((ConfigException) e).problems()).anyMatch(p -> p.contains("stream.session-gap")));
    }
  }
}
