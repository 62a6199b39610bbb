package io.trackpipe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.domain.DomainCatalog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextEventTest {
  private static final TextEvent JOB_ADS = TextEvent.of(DomainCatalog.load(List.of(), List.of()).jobAds().schema());

  @Test
  void queryValuesTakeTheTypeTheirFieldNeeds() {
    byte[] json = JOB_ADS.fromQuery(List.of(Map.entry("job_id", "1532"), Map.entry("bid", "0.85"),
        Map.entry("ts", "1714557600000"), Map.entry("custom_track", "click"), Map.entry("cd", "24"),
        Map.entry("dt", "Data \"engineer\"")));

    assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("{\"job_id\":1532,\"bid\":0.85,\"ts\":1714557600000,"
        + "\"custom_track\":\"click\",\"cd\":\"24\",\"dt\":\"Data \\\"engineer\\\"\"}");
  }

  @Test
  void valuesThatAreNotWellFormedForTheirFieldStayStringsForTheSchemaToReject() {
    byte[] json = JOB_ADS.fromQuery(List.of(Map.entry("job_id", "007"), Map.entry("bid", "1e"),
        Map.entry("ts", "2024-05-01 10:00:00"), Map.entry("cb", "123"), Map.entry("job_id", "")));

    assertThat(new String(json, StandardCharsets.UTF_8))
        .isEqualTo("{\"job_id\":\"007\",\"bid\":\"1e\",\"ts\":\"2024-05-01 10:00:00\",\"cb\":\"123\",\"job_id\":\"\"}");
  }

  @Test
  void anEmptyCellOfARowIsAFieldNotSentAndOtherCellsAreTypedAsQueryValuesAre() {
    byte[] json = JOB_ADS.fromRow(List.of("job_id", "bid", "custom_track", "ts", "cd"),
        List.of("1532", "", "click", "2024-05-01 10:00:00", "24"));

    assertThat(new String(json, StandardCharsets.UTF_8))
        .isEqualTo("{\"job_id\":1532,\"custom_track\":\"click\",\"ts\":\"2024-05-01 10:00:00\",\"cd\":\"24\"}");
  }
}
