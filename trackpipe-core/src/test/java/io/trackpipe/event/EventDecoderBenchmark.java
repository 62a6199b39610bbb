package io.trackpipe.event;

import io.trackpipe.domain.DomainCatalog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decoder's cost per event, on job-ads tracker records shaped as the generator sends them (with and without the
 * tracker context), with the decoder built from the job-ads definition; the figures are in docs/performance.md, with
 * the command that runs this.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EventDecoderBenchmark {
  private static final long RECEIVED_AT = 1_772_400_000_000L;
  private static final List<byte[]> RECORDS = List.of(
      bytes("{\"create_time\":\"5f0c9d2e-1a2b-11f1-8000-0242ac120002\",\"ts\":\"2026-03-01 10:15:30\",\"job_id\":1834,"
          + "\"publisher_id\":12,\"campaign_id\":301,\"group_id\":7,\"bid\":0.85,\"custom_track\":\"click\",\"bn\":\"Chrome 122\","
          + "\"cd\":24,\"de\":\"UTF-8\",\"dl\":\"https://jobs.example.com/job/1834\",\"dt\":\"Data engineer\",\"ed\":\"\","
          + "\"ev\":\"click\",\"id\":\"v-88123\",\"md\":false,\"rl\":\"https://search.example.com/\",\"sr\":\"1920x1080\","
          + "\"tz\":-60,\"ua\":\"Mozilla/5.0 (X11; Linux x86_64)\",\"uid\":\"u-1f2e3d\",\"utm_campaign\":\"spring\","
          + "\"utm_content\":\"banner\",\"utm_medium\":\"cpc\",\"utm_source\":\"search\",\"utm_term\":\"data\",\"v\":\"1\","
          + "\"vp\":\"1280x720\"}"),
      bytes("{\"create_time\":\"5f0c9d2f-1a2b-11f1-8000-0242ac120002\",\"ts\":\"2026-03-01 10:15:31\",\"job_id\":77,"
          + "\"publisher_id\":3,\"campaign_id\":12,\"group_id\":2,\"bid\":0}"),
      bytes("{\"create_time\":\"5f0c9d30-1a2b-11f1-8000-0242ac120002\",\"ts\":1772360131000,\"job_id\":77,\"publisher_id\":3,"
          + "\"campaign_id\":12,\"group_id\":2,\"bid\":1.25,\"custom_track\":\"conversion\",\"uid\":\"u-77\"}"),
      bytes("{\"create_time\":\"5f0c9d31-1a2b-11f1-8000-0242ac120002\",\"ts\":\"2026-03-01T10:15:32Z\",\"job_id\":9,"
          + "\"publisher_id\":1,\"campaign_id\":4,\"group_id\":1,\"bid\":0.5,\"custom_track\":\"qualified\",\"ua\":\"curl/8\"}"));

  private final EventDecoder decoder =
      new EventDecoder(DomainCatalog.load(List.of(), List.of()).jobAds().schema(), EventLimits.DEFAULT);
  private final EventDecoder decoderWithoutRawOnly = decoder.withoutRawOnlyValues();
  private int next;

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] nextRecord() {
    next = (next + 1) & 3;
    return RECORDS.get(next);
  }

  /** Every field, the tracker context (raw-only) included, in one pass: the stream with the raw store. */
  @Benchmark
  public Object schemaDecoder() {
    return decoder.decode(nextRecord(), RECEIVED_AT);
  }

  /** As the stream uses it without the raw store: raw-only fields checked, not copied. */
  @Benchmark
  public Object schemaDecoderWithoutRawOnly() {
    return decoderWithoutRawOnly.decode(nextRecord(), RECEIVED_AT);
  }
}
