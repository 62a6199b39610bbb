package io.trackpipe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ContentIdsTest {
  private static final byte[] EVENT = "{\"job_id\":1,\"custom_track\":\"click\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void equalEventsGetEqualIdsWheneverAndByWhicheverInstanceTheyAreRead() {
    assertThat(new ContentIds().idFor(EVENT, 1L)).isEqualTo(new ContentIds().idFor(EVENT.clone(), 2_000_000_000_000L));
  }

  @Test
  void eventsThatDifferInOneByteGetDifferentIds() {
    byte[] other = "{\"job_id\":2,\"custom_track\":\"click\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(new ContentIds().idFor(other, 1L)).isNotEqualTo(new ContentIds().idFor(EVENT, 1L));
  }

  @Test
  void idsAreVersion8UuidsOfTheRfcVariant() {
    UUID id = UUID.fromString(new ContentIds().idFor(EVENT, 1L));

    assertThat(id.version()).isEqualTo(8);
    assertThat(id.variant()).isEqualTo(2);
  }
}
