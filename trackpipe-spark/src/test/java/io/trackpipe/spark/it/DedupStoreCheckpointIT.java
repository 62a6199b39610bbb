package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.spark.stream.StreamConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dedup store lives on the driver's disk, apart from the warehouse: a new, empty store (a new driver disk) next to
 * a warehouse that has committed batches would let copies of counted events through. The job refuses to start, and
 * counts each event once when the store that belongs to the checkpoint is back.
 */
class DedupStoreCheckpointIT {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @TempDir Path work;

  @Test
  void refusesToStartWithAnEmptyDedupStoreWhenTheWarehouseHasCommittedBatches() throws Exception {
    StreamFixture f = StreamFixture.create("dedupdisk", work);
    StreamConfig stream = f.streamConfig();
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS).minusHours(1);
    List<StreamFixture.Send> sent = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sent.add(click("e-" + i, hour.plusMinutes(i % 60), hour.plusMinutes(61)));
    }
    f.produce(sent);
    StreamFixture.runToEnd(f.job(stream));

    // The driver's disk is replaced: the store is gone (kept aside here, to be restored), the checkpoint is not.
    Path aside = work.resolve("dedup-aside");
    Files.move(stream.dedupStoreDir(), aside);
    List<StreamFixture.Send> copies = new ArrayList<>();
    for (int i = 0; i < 200; i += 4) {
      copies.add(click("e-" + i, hour.plusMinutes(i % 60), hour.plusMinutes(70)));
    }
    f.produce(copies);
    sent.addAll(copies);
    Map<String, FactRow> expected = Recount.of(sent, Map.of(), stream.allowedLateness());

    assertThatThrownBy(() -> f.job(stream).start(StreamFixture.spark()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the dedup store in")
        .hasMessageContaining("is empty")
        .hasMessageContaining("stream.accept-dedup-store-loss")
        .hasMessageContaining("--fresh");
    assertThat(StreamFixture.spark().streams().active()).as("no query left running").isEmpty();
    assertThat(f.facts()).as("no copy counted").isEqualTo(expected);

    io.trackpipe.fs.Folders.deleteRecursively(stream.dedupStoreDir());
    Files.move(aside, stream.dedupStoreDir());
    StreamFixture.runToEnd(f.job(stream));
    assertThat(f.facts()).as("with its own store back, the copies are dropped").isEqualTo(expected);
  }

  private static StreamFixture.Send click(String id, LocalDateTime time, LocalDateTime arrival) {
    String json = "{\"create_time\":\"" + id + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":1,\"publisher_id\":2,"
        + "\"campaign_id\":3,\"group_id\":4,\"bid\":0.5,\"custom_track\":\"click\"}";
    return new StreamFixture.Send("1", json.getBytes(StandardCharsets.UTF_8), arrival.toInstant(ZoneOffset.UTC).toEpochMilli());
  }
}
