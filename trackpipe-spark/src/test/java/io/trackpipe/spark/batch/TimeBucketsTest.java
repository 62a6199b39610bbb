package io.trackpipe.spark.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.rollup.RollupDefinition.Granularity;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimeBucketsTest {

  @Test
  void aUtcHourTouchesTwoLocalHoursInAHalfHourZone() {
    TimeBuckets india = new TimeBuckets(ZoneId.of("Asia/Kolkata")); // UTC+05:30
    assertThat(india.bucketsOfUtcHour(Granularity.HOURLY, Instant.parse("2026-11-20T04:00:00Z")))
        .containsExactly(LocalDateTime.parse("2026-11-20T09:00"), LocalDateTime.parse("2026-11-20T10:00"));
    assertThat(india.utcHours(Granularity.HOURLY, LocalDateTime.parse("2026-11-20T10:00")))
        .containsExactly(Instant.parse("2026-11-20T04:00:00Z"), Instant.parse("2026-11-20T05:00:00Z"));
    // The local day starts at 18:30 UTC the day before: 25 UTC hours hold its events.
    assertThat(india.utcHours(Granularity.DAILY, LocalDateTime.parse("2026-11-20T00:00"))).hasSize(25)
        .first().isEqualTo(Instant.parse("2026-11-19T18:00:00Z"));
  }

  @Test
  void theRepeatedHourWhenDaylightSavingEndsIsOneBucketOfTwoUtcHours() {
    TimeBuckets berlin = new TimeBuckets(ZoneId.of("Europe/Berlin")); // 2026-10-25 03:00 CEST → 02:00 CET
    LocalDateTime twoAm = LocalDateTime.parse("2026-10-25T02:00");
    assertThat(berlin.bucketOf(Granularity.HOURLY, Instant.parse("2026-10-25T00:30:00Z"))).isEqualTo(twoAm);
    assertThat(berlin.bucketOf(Granularity.HOURLY, Instant.parse("2026-10-25T01:30:00Z"))).isEqualTo(twoAm);
    assertThat(berlin.utcHours(Granularity.HOURLY, twoAm))
        .containsExactly(Instant.parse("2026-10-25T00:00:00Z"), Instant.parse("2026-10-25T01:00:00Z"));
    assertThat(berlin.utcHours(Granularity.DAILY, twoAm.toLocalDate().atStartOfDay())).hasSize(25);
  }

  @Test
  void aBucketSettlesWhenItsEndPlusLatenessPlusSettleTimeHasPassed() {
    TimeBuckets utc = new TimeBuckets(ZoneId.of("UTC"));
    LocalDateTime hour = LocalDateTime.parse("2026-11-20T10:00");
    Duration lateness = Duration.ofHours(2);
    Duration settle = Duration.ofMinutes(10);
    assertThat(utc.settled(Granularity.HOURLY, hour, Instant.parse("2026-11-20T13:09:59Z"), lateness, settle)).isFalse();
    assertThat(utc.settled(Granularity.HOURLY, hour, Instant.parse("2026-11-20T13:10:00Z"), lateness, settle)).isTrue();
    assertThat(utc.settled(Granularity.DAILY, hour.toLocalDate().atStartOfDay(), Instant.parse("2026-11-21T02:09:00Z"),
        lateness, settle)).isFalse();
    assertThat(utc.bucketsBetween(Granularity.DAILY, LocalDateTime.parse("2026-11-20T23:00"),
        LocalDateTime.parse("2026-11-21T01:00"))).hasSize(2);
  }
}
