package io.trackpipe.spark.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dedup store on a real RocksDB and its log on Hadoop's local file system, in a temporary folder, with a fixed clock. */
class DedupStoreTest {
  private static final Duration HORIZON = Duration.ofHours(4);
  private static final Duration SKEW = Duration.ofMinutes(15);
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

  @TempDir Path dir;

  private DedupStore open() {
    return DedupStore.open(storeDir(), openLog(), HORIZON, SKEW, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private Path storeDir() {
    return dir.resolve("store");
  }

  private DedupLog openLog() {
    try {
      return DedupLog.open(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(dir.resolve("log").toUri()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private DedupStore rebuild(long lastCommitted) {
    return DedupStore.rebuild(storeDir(), openLog(), lastCommitted, HORIZON, SKEW, Clock.fixed(NOW, ZoneOffset.UTC));
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
      // Batch 2 still expires with batch 0's cutoff: batch 1 may be re-run (its commit can run behind batch 2).
      BitSet kept = store.duplicates(2, List.of("old"), new long[] {at(Duration.ofMinutes(1))});
      assertThat(kept.get(0)).as("batch 1's cutoff not applied yet: old is still known").isTrue();
      BitSet copies = store.duplicates(3, List.of("old"), new long[] {at(Duration.ofMinutes(2))});
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

  @Test
  void aStoreRebuiltFromTheLogFindsTheCopiesTheLostOneWould() throws Exception {
    try (DedupStore store = open()) {
      store.duplicates(0, List.of("a", "b"), new long[] {at(Duration.ofMinutes(-30)), at(Duration.ofMinutes(-30))});
      store.duplicates(1, List.of("b", "c"), new long[] {at(Duration.ofMinutes(-20)), at(Duration.ofMinutes(-20))});
      store.duplicates(2, List.of("d"), new long[] {at(Duration.ofMinutes(-10))});
    }
    io.trackpipe.fs.Folders.deleteRecursively(storeDir()); // the driver's disk is lost; the log is not
    try (DedupStore store = rebuild(2)) {
      assertThat(store.lastBatch()).hasValue(2);
      assertThat(store.lastRebuild().orElseThrow().ids()).as("a, b, c, d: the copy of b was not logged").isEqualTo(4);
      BitSet copies = store.duplicates(3, List.of("a", "c", "d", "e"), new long[] {at(Duration.ZERO), at(Duration.ZERO),
          at(Duration.ZERO), at(Duration.ZERO)});
      assertThat(copies.stream().toArray()).as("a, c and d seen before the loss; e is new").containsExactly(0, 1, 2);
    }
  }

  @Test
  void aBatchRunAgainAfterARebuildCountsItsOwnIdsAgainAndLeavesOneFile() throws Exception {
    try (DedupStore store = open()) {
      store.duplicates(0, List.of("a"), new long[] {at(Duration.ZERO)});
      store.duplicates(1, List.of("a", "b", "c"), new long[] {at(Duration.ZERO), at(Duration.ZERO), at(Duration.ZERO)});
      // Batch 1 is re-run (the job died before its commit): the same answer, logged again.
      BitSet again = store.duplicates(1, List.of("a", "b", "c"), new long[] {at(Duration.ZERO), at(Duration.ZERO), at(Duration.ZERO)});
      assertThat(again.stream().toArray()).containsExactly(0);
    }
    io.trackpipe.fs.Folders.deleteRecursively(storeDir());
    try (DedupStore store = rebuild(0)) {
      assertThat(store.lastBatch()).as("batch 1 was deduplicated, not committed").hasValue(1);
      assertThat(store.log().fileCount()).isEqualTo(2);
      BitSet rerun = store.duplicates(1, List.of("a", "b", "c"), new long[] {at(Duration.ZERO), at(Duration.ZERO), at(Duration.ZERO)});
      assertThat(rerun.stream().toArray()).as("b and c are batch 1's own first sightings").containsExactly(0);
      BitSet next = store.duplicates(2, List.of("b", "c"), new long[] {at(Duration.ZERO), at(Duration.ZERO)});
      assertThat(next.stream().toArray()).containsExactly(0, 1);
    }
  }

  @Test
  void expiryDeletesTheLogFilesWhoseIdsHaveAllExpired() throws Exception {
    try (DedupStore store = open()) {
      store.duplicates(0, List.of("old"), new long[] {at(Duration.ofHours(-6))});
      store.duplicates(1, List.of("new"), new long[] {at(Duration.ZERO)});
      store.duplicates(2, List.of("late"), new long[] {at(Duration.ofHours(-7))});
      // Batch 3 expired with batch 1's cutoff (now - 4h): the ids of hours before it and batch 0's file (06:00).
      store.duplicates(3, List.of("x"), new long[] {at(Duration.ZERO)});
      assertThat(store.log().holds(0)).isFalse();
      assertThat(store.log().holds(2)).as("a batch that may still be re-run keeps its file").isTrue();
    }
    try (DedupLog log = openLog()) {
      assertThat(log.holds(0)).as("deleted from the file system").isFalse();
      assertThat(log.holds(1)).isTrue();
      assertThat(log.holds(2)).isTrue();
      assertThat(log.holds(3)).isTrue();
    }
    io.trackpipe.fs.Folders.deleteRecursively(storeDir());
    try (DedupStore store = rebuild(3)) {
      assertThat(store.lastRebuild().orElseThrow().ids()).as("new and x; late arrived before the horizon").isEqualTo(2);
      BitSet copies = store.duplicates(4, List.of("old", "new", "late"), new long[] {at(Duration.ZERO), at(Duration.ZERO),
          at(Duration.ZERO)});
      assertThat(copies.stream().toArray()).containsExactly(1);
    }
  }

  @Test
  void theStoresOfOneJvmKeepTheirMemtablesWithinOneBudget() throws Exception {
    // Three stores, as a job with three domains keeps, each taking 600,000 ids: on RocksDB's defaults each column
    // family would buffer them all (about 90 MiB a store, none reaching its own 64 MiB flush point).
    List<DedupStore> stores = new ArrayList<>();
    try {
      for (int s = 0; s < 3; s++) {
        DedupLog log = DedupLog.open(FileSystem.getLocal(new Configuration()),
            new org.apache.hadoop.fs.Path(dir.resolve("log-" + s).toUri()));
        stores.add(DedupStore.open(dir.resolve("store-" + s), log, HORIZON, SKEW, Clock.fixed(NOW, ZoneOffset.UTC)));
      }
      int batchSize = 50_000;
      long[] arrivals = new long[batchSize];
      Arrays.fill(arrivals, at(Duration.ZERO));
      for (int batch = 0; batch < 12; batch++) {
        for (int s = 0; s < stores.size(); s++) {
          List<String> ids = new ArrayList<>(batchSize);
          for (int i = 0; i < batchSize; i++) ids.add(UUID.randomUUID().toString());
          assertThat(stores.get(s).duplicates(batch, ids, arrivals).isEmpty()).isTrue();
        }
      }
      long memtables = 0;
      for (DedupStore store : stores) memtables += store.memtableBytes();
      assertThat(memtables).as("memtable bytes of three stores of 600,000 ids")
          .isLessThanOrEqualTo(DedupStore.MEMORY_BUDGET_BYTES);
    } finally {
      stores.forEach(DedupStore::close);
    }
  }
}
