package io.trackpipe.generator;

import java.time.Instant;
import java.util.UUID;

/**
 * One generated event before it is written as JSON. Nullable byte arrays are pre-encoded JSON values; null means the
 * field's value is JSON {@code null}.
 *
 * @param bidCents the bid in cents, or {@link #NO_BID} for a null bid
 */
record SyntheticEvent(
    UUID createTime,
    Instant eventTime,
    JobAd job,
    AdSite site,
    Visitor visitor,
    byte[] jobId,
    byte[] publisherId,
    byte[] campaignId,
    byte[] groupId,
    int bidCents,
    byte[] customTrack,
    int eventVersion,
    byte[] utmMedium,
    byte[] utmContent,
    byte[] utmTerm) {

  static final int NO_BID = -1;

  /** The Kafka key: the job id, or the event id when the tracker lost the job id. */
  String key() {
    return jobId != null ? job.key() : createTime.toString();
  }
}
