package io.trackpipe.spark.it;

import io.trackpipe.domain.EventSchema;
import io.trackpipe.event.DecodedEvent;

/** Job-ads events as the decoder gives them, built by field name (test data: the one place that names the fields). */
final class JobAdsEvents {
  private static final EventSchema SCHEMA = RawStoreFixture.JOB_ADS.schema();

  private JobAdsEvents() {}

  /** @param bidMicros the bid's unscaled value at the field's scale (6): micros */
  static DecodedEvent event(String id, long timeMillis, Long job, Long publisher, Long campaign, Long group,
      Long bidMicros, String customTrack) {
    Object[] values = new Object[SCHEMA.fields().size()];
    values[SCHEMA.indexOf("create_time")] = id;
    values[SCHEMA.indexOf("ts")] = timeMillis;
    values[SCHEMA.indexOf("job_id")] = job;
    values[SCHEMA.indexOf("publisher_id")] = publisher;
    values[SCHEMA.indexOf("campaign_id")] = campaign;
    values[SCHEMA.indexOf("group_id")] = group;
    values[SCHEMA.indexOf("bid")] = bidMicros;
    values[SCHEMA.indexOf("custom_track")] = customTrack;
    return new DecodedEvent(id, timeMillis, values);
  }
}
