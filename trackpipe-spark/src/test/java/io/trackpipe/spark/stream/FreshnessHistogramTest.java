package io.trackpipe.spark.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Freshness percentiles since start and over the last minutes, on a clock the test moves. */
class FreshnessHistogramTest {
  /** A clock that stays where it is set. */
  private static final class MovableClock extends Clock {
    private Instant now = Instant.parse("2026-12-07T10:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void aSlowStartLeavesTheWindowAfterTenMinutesButStaysInTheCountSinceStart() {
    MovableClock clock = new MovableClock();
    FreshnessHistogram h = new FreshnessHistogram(clock);
    assertThat(h.recentPercentiles(0.99)[0]).isEqualTo(-1);

    h.record(20_000, 50); // the first batches: Spark warming up
    clock.advance(Duration.ofMinutes(5));
    h.record(1_200, 950);
    assertThat(h.recentPercentiles(0.99)[0]).as("both minutes in the window").isEqualTo(20_010);
    assertThat(h.recentPercentiles(0.5)[0]).isEqualTo(1_210);

    clock.advance(Duration.ofMinutes(5)); // minute 10: the first minute has left the window
    h.record(1_500, 10);
    assertThat(h.recentPercentiles(0.99)[0]).isEqualTo(1_510);
    assertThat(h.percentile(0.99)).as("since start").isEqualTo(20_010);
    assertThat(h.count()).isEqualTo(1_010);

    clock.advance(Duration.ofMinutes(25)); // nothing committed for a while: no recent freshness
    assertThat(h.recentPercentiles(0.5)[0]).isEqualTo(-1);
    h.record(800, 3); // a slot used again is cleared first
    assertThat(h.recentPercentiles(0.99)[0]).isEqualTo(810);
  }

  @Test
  void resetForgetsTheWindowToo() {
    MovableClock clock = new MovableClock();
    FreshnessHistogram h = new FreshnessHistogram(clock);
    h.record(9_000, 10);
    h.reset();
    assertThat(h.percentile(0.5)).isEqualTo(-1);
    assertThat(h.recentPercentiles(0.5)[0]).isEqualTo(-1);
    h.record(400, 1);
    assertThat(h.recentPercentiles(0.5)[0]).isEqualTo(410);
  }
}
