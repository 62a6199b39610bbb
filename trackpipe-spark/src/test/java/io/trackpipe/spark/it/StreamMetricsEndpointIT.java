package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.spark.metrics.MetricsEndpoint;
import io.trackpipe.spark.metrics.MetricsEndpointConfig;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.spark.stream.TrackingStreamJob;
import io.trackpipe.warehouse.status.PipelineStatus;
import io.trackpipe.warehouse.status.PipelineStatusTable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.trackpipe.spark.stream.StreamQueries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job's Prometheus endpoint, scraped over HTTP twice around more input: every series is there and the
 * counters move; the pipeline status row and the hour calendar are written with the query's progress; the lag is 0
 * once the job has caught up.
 */
class StreamMetricsEndpointIT {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @TempDir Path work;

  @Test
  void seriesExistAndMoveWithTheStream() throws Exception {
    StreamFixture f = StreamFixture.create("metrics", work);
    TrackingStreamJob job = f.job(f.streamConfig());
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
    long arrival = System.currentTimeMillis();
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(new MetricsEndpointConfig("127.0.0.1", Optional.of(0)),
        job.prometheus().registry()).orElseThrow()) {
      StreamQueries query = job.start(StreamFixture.spark());
      try {
        f.produce(batch("a", 40, hour, arrival, 2));
        query.processAllAvailable();
        // Lag comes from Spark's progress events, which its listener bus delivers a moment after the batch.
        String first = scrapeUntil(endpoint.url(), "trackpipe_stream_kafka_partition_lag_records{");
        assertThat(first).contains("trackpipe_stream_input_rows_per_second", "trackpipe_stream_processed_rows_per_second",
            "trackpipe_stream_batch_duration_seconds_bucket", "trackpipe_stream_freshness_seconds_bucket",
            "trackpipe_stream_kafka_lag_records", "trackpipe_stream_kafka_partition_lag_records{domain=\"job-ads\",partition=\"0\",topic=\""
                + f.kafka.eventsTopic() + "\"}", "trackpipe_stream_dead_letters_total{domain=\"job-ads\",reason=\"malformed_json\"}",
            "trackpipe_stream_last_committed_batch_id", "jvm_memory_used_bytes", "jvm_threads_current");
        assertThat(value(first, "trackpipe_stream_records_read_total{domain=\"job-ads\"}")).isEqualTo(42);
        assertThat(value(first, "trackpipe_stream_events_counted_total{domain=\"job-ads\"}")).isEqualTo(40);
        assertThat(value(first, "trackpipe_stream_dead_letters_total{domain=\"job-ads\",reason=\"malformed_json\"}")).isEqualTo(2);
        assertThat(value(first, "trackpipe_stream_freshness_seconds_count{domain=\"job-ads\"}")).isEqualTo(40);
        double firstBatch = value(first, "trackpipe_stream_last_committed_batch_id{domain=\"job-ads\"}");
        assertThat(firstBatch).isGreaterThanOrEqualTo(0);

        f.produce(batch("b", 25, hour, System.currentTimeMillis(), 1));
        query.processAllAvailable();
        String second = scrapeUntil(endpoint.url(), "trackpipe_stream_kafka_lag_records{domain=\"job-ads\"} 0.0");
        assertThat(value(second, "trackpipe_stream_records_read_total{domain=\"job-ads\"}")).isEqualTo(68);
        assertThat(value(second, "trackpipe_stream_events_counted_total{domain=\"job-ads\"}")).isEqualTo(65);
        assertThat(value(second, "trackpipe_stream_dead_letters_total{domain=\"job-ads\",reason=\"malformed_json\"}")).isEqualTo(3);
        assertThat(value(second, "trackpipe_stream_last_committed_batch_id{domain=\"job-ads\"}")).isGreaterThan(firstBatch);
        assertThat(value(second, "trackpipe_stream_batch_duration_seconds_count{domain=\"job-ads\"}"))
            .isGreaterThan(value(first, "trackpipe_stream_batch_duration_seconds_count{domain=\"job-ads\"}"));
        assertThat(value(second, "trackpipe_stream_kafka_lag_records{domain=\"job-ads\"}")).isZero();
      } finally {
        query.stop();
      }
    }

    List<PipelineStatus> status;
    try (Connection c = f.warehouse.connect()) {
      status = new PipelineStatusTable(f.warehouse).readAll(c);
    }
    assertThat(status).hasSize(1);
    assertThat(status.get(0).job()).isEqualTo(StreamFixture.JOB_ADS_SINK);
    assertThat(status.get(0).batchId()).isEqualTo(f.committedBatch());
    assertThat(status.get(0).eventsCounted()).isEqualTo(65);
    assertThat(status.get(0).deadLetters()).isEqualTo(3);
    assertThat(status.get(0).lagRecords()).isZero();
    try (Connection c = f.warehouse.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM hour_calendar WHERE dates = '" + hour.toLocalDate() + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(24);
    }
  }

  /**
   * A backlog read in several small batches: once the job has caught up, the lag is the distance from its committed
   * offsets to the topic's end, 0, in its status, in Prometheus and in the pipeline panel's row. (It used to keep the
   * lag of the batch before the last, as Spark had planned it.)
   */
  @Test
  void lagIsZeroOnceCaughtUp() throws Exception {
    StreamFixture f = StreamFixture.create("lag", work);
    StreamConfig defaults = f.streamConfig();
    StreamConfig smallBatches = new StreamConfig(defaults.checkpointDir(), defaults.sparkMaster(),
        defaults.triggerInterval(), 30, defaults.shufflePartitions(), defaults.dedupStoreDir(), defaults.startingOffsets(),
        defaults.timeZone(), defaults.allowedLateness(), defaults.dedupHorizon(), defaults.maxFutureSkew(),
        defaults.dimensionRefresh(), defaults.deadLetterMaxBytes(), defaults.acceptDedupStoreLoss(), defaults.domains());
    TrackingStreamJob job = f.job(smallBatches);
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
    f.produce(batch("backlog", 200, hour, System.currentTimeMillis(), 0));
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(new MetricsEndpointConfig("127.0.0.1", Optional.of(0)),
        job.prometheus().registry()).orElseThrow()) {
      StreamQueries query = job.start(StreamFixture.spark());
      try {
        query.processAllAvailable();
        assertThat(job.metrics().status().batches()).as("batches for the backlog").isGreaterThanOrEqualTo(4);
        assertThat(job.metrics().status().eventsCounted()).isEqualTo(200);
        String caughtUp = scrapeUntil(endpoint.url(), "trackpipe_stream_kafka_lag_records{domain=\"job-ads\"} 0.0");
        assertThat(value(caughtUp, "trackpipe_stream_kafka_lag_records{domain=\"job-ads\"}")).isZero();
        assertThat(job.metrics().status().lag()).isZero();
        assertThat(job.metrics().lagByPartition()).hasSize(2).allSatisfy((partition, lag) -> assertThat(lag).isZero());
        long deadline = System.currentTimeMillis() + 20_000;
        Long panelLag = panelLag(f);
        while ((panelLag == null || panelLag != 0) && System.currentTimeMillis() < deadline) {
          Thread.sleep(200);
          panelLag = panelLag(f);
        }
        assertThat(panelLag).as("lag_records in pipeline_status").isZero();
      } finally {
        query.stop();
      }
    }
  }

  private static Long panelLag(StreamFixture f) throws Exception {
    try (Connection c = f.warehouse.connect()) {
      List<PipelineStatus> rows = new PipelineStatusTable(f.warehouse).readAll(c);
      return rows.isEmpty() ? null : rows.get(0).lagRecords();
    }
  }

  /** {@code clicks} valid click events and {@code malformed} records that are not JSON. */
  private static List<StreamFixture.Send> batch(String prefix, int clicks, LocalDateTime hour, long arrival, int malformed) {
    List<StreamFixture.Send> sends = new ArrayList<>();
    for (int i = 0; i < clicks; i++) {
      String json = "{\"create_time\":\"" + prefix + "-" + i + "\",\"ts\":\"" + TS.format(hour.plusSeconds(i))
          + "\",\"job_id\":" + (1 + i % 3) + ",\"publisher_id\":1,\"campaign_id\":1,\"group_id\":1,\"bid\":0.5,"
          + "\"custom_track\":\"click\"}";
      sends.add(new StreamFixture.Send(prefix + i, json.getBytes(StandardCharsets.UTF_8), arrival));
    }
    for (int i = 0; i < malformed; i++) {
      sends.add(new StreamFixture.Send("bad", "{not json".getBytes(StandardCharsets.UTF_8), arrival));
    }
    return sends;
  }

  private static String scrapeUntil(URI url, String expected) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    String text = scrape(url);
    while (!text.contains(expected) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      text = scrape(url);
    }
    return text;
  }

  private static String scrape(URI url) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of the sample named exactly {@code series} (name and labels as exposed). */
  private static double value(String text, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
    assertThat(m.find()).as("series " + series + " in\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
