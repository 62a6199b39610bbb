package io.trackpipe.spark.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dedup store on a real RocksDB in a temporary folder, with a fixed clock. */
class DedupStoreTest {
  private static final Duration HORIZON = Duration.ofHours(4);
  private static final Duration SKEW = Duration.ofMinutes(15);
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

  @TempDir Path dir;

  private DedupStore open() {
    return DedupStore.open(dir, HORIZON, SKEW, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static long at(Duration fromNow) {
    return NOW.plus(fromNow).toEpochMilli();
  }

  @Test
  void aRecordStampedFarInTheFutureDoesNotExpireEveryonesIds() {
    try (DedupStore store = open()) {
      assertThat(store.duplicates(0, List.of("a"), new long[] {at(Duration.ZERO)}).isEmpty()).isTrue();
      // A producer whose clock is in 2099.
      assertThat(store.duplicates(1, List.of("future"), new long[] {Instant.parse("2099-01-01T00:00:00Z").toEpochMilli()})
          .isEmpty()).isTrue();
      // The batch after expires with the previous batches' horizon: "a" must still be known.
      BitSet copies = store.duplicates(2, List.of("a", "b"), new long[] {at(Duration.ofMinutes(1)), at(Duration.ofMinutes(1))});
      assertThat(copies.get(0)).as("the copy of a, a minute later").isTrue();
      assertThat(copies.get(1)).isFalse();
    }
  }

  @Test
  void stillForgetsIdsOnceTheNewestPlausibleArrivalIsAHorizonPastThem() {
    try (DedupStore store = open()) {
      store.duplicates(0, List.of("old"), new long[] {at(Duration.ofHours(-6))});
      store.duplicates(1, List.of("new"), new long[] {at(Duration.ZERO)});
      BitSet copies = store.duplicates(2, List.of("old"), new long[] {at(Duration.ofMinutes(1))});
      assertThat(copies.get(0)).as("6 h old, beyond the 4 h horizon: forgotten").isFalse();
    }
  }

  @Test
  void remembersTheLastBatchItSawAcrossReopeningEvenAnEmptyOne() {
    try (DedupStore store = open()) {
      assertThat(store.lastBatch()).isEmpty();
      assertThat(store.holdsIds()).isFalse();
      store.duplicates(0, List.of("a"), new long[] {at(Duration.ZERO)});
      store.duplicates(1, List.of(), new long[0]);
    }
    try (DedupStore store = open()) {
      assertThat(store.lastBatch()).hasValue(1);
      assertThat(store.holdsIds()).isTrue();
    }
  }
}
