package io.trackpipe.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobAdsDomainTest {
  private final Domain jobAds = DomainCatalog.load(List.of(), List.of()).jobAds();
  private final EventDecoder decoder = new EventDecoder(jobAds.schema(), EventLimits.DEFAULT);

  @Test
  void theBuiltInJobAdsDomainLoadsWithItsRollupsAndDashboard() {
    assertThat(jobAds.topics()).isEqualTo(new DomainTopics("tracking-events", "tracking-events-dead-letter"));
    assertThat(jobAds.sink()).isEqualTo("events-stream");
    assertThat(jobAds.rawTable()).isEqualTo("tracking");
    assertThat(jobAds.schema().fields()).hasSize(29);
    assertThat(jobAds.rollups().rollup("events")).isPresent();
    assertThat(jobAds.dashboard().tiles()).contains("clicks", "ctr");
  }

  @Test
  void decodesATrackerEventIntoTypedValues() {
    DecodeResult result = decoder.decode("{\"create_time\":\"a1\",\"ts\":\"2026-03-01 10:15:30\",\"job_id\":7,"
        + "\"bid\":1.25,\"custom_track\":\"click\",\"ua\":true,\"dl\":12.50}", 1_800_000_000_000L);
    assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
    var event = ((DecodeResult.Accepted) result).event();
    EventSchema schema = jobAds.schema();
    assertThat(event.id()).isEqualTo("a1");
    assertThat(event.eventTimeMillis()).isEqualTo(1_772_360_130_000L);
    assertThat(event.value(schema.indexOf("job_id"))).isEqualTo(7L);
    assertThat(event.value(schema.indexOf("bid"))).isEqualTo(1_250_000L);
    assertThat(event.value(schema.indexOf("ua"))).isEqualTo("true");
    assertThat(event.value(schema.indexOf("dl"))).isEqualTo("12.50");
    assertThat(event.value(schema.indexOf("publisher_id"))).isNull();
  }

  @Test
  void rejectsWhatTheTrackerSchemaForbids() {
    assertRejected("{\"create_time\":\"a\",\"ts\":1772360130000,\"job_id\":-1}", RejectReason.INVALID_VALUE, "'job_id' is -1, below the minimum 0");
    assertRejected("{\"create_time\":\"a\",\"ts\":1772360130000,\"bid\":10001}", RejectReason.INVALID_VALUE, "'bid' is 10001, outside 0..10000");
    assertRejected("{\"create_time\":\"a\",\"ts\":1772360130000,\"clicks\":1}", RejectReason.UNKNOWN_FIELD, "unknown field 'clicks'");
    assertRejected("{\"ts\":1772360130000}", RejectReason.MISSING_FIELD, "'create_time' (the event id)");
    assertRejected("{\"create_time\":\"a\"}", RejectReason.MISSING_FIELD, "'ts' (the event time)");
    assertRejected("{\"create_time\":12,\"ts\":1772360130000}", RejectReason.WRONG_TYPE, "'create_time' must be a string");
  }

  private void assertRejected(String json, RejectReason reason, String message) {
    DecodeResult result = decoder.decode(json, 1_800_000_000_000L);
    assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
    assertThat(((DecodeResult.Rejected) result).reason()).isEqualTo(reason);
    assertThat(((DecodeResult.Rejected) result).message()).contains(message);
  }
}
