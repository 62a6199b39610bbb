package io.trackpipe.cli.fileimport;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.collector.fileimport.ImportSummary;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImportProgressTest {
  @Test
  void aFileOfKnownSizeShowsABarWithItsShareReadAndTheCounts() {
    ImportSummary halfway = new ImportSummary(500_000, 25_000_000, 100_000_000, 0, 499_000, Map.of("wrong_type", 12L),
        Duration.ofSeconds(8), null, -1);

    assertThat(ImportProgress.bar(halfway)).isEqualTo(
        "[########......................]  25% 500,000 lines read, 499,000 sent, 12 rejected, 62,500 lines/s");
  }

  @Test
  void standardInputOfUnknownSizeShowsTheCountsWithoutABar() {
    ImportSummary piped = new ImportSummary(34_000, 3_000_000, -1, 0, 34_000, Map.of(), Duration.ofSeconds(1), null, -1);

    assertThat(ImportProgress.bar(piped)).isEqualTo("34,000 lines read, 34,000 sent, 0 rejected, 34,000 lines/s");
    assertThat(ImportProgress.line(piped)).isEqualTo(ImportProgress.bar(piped));
  }

  @Test
  void theSummaryListsRejectionsByReasonInOrderOfTheirCode() {
    ImportSummary done = new ImportSummary(1_000_001, 50_000_000, 50_000_000, 2, 999_990,
        Map.of("wrong_type", 3L, "malformed_csv", 5L, "too_large", 1L), Duration.ofMillis(14_250), null, -1);

    assertThat(ImportProgress.summary(done)).isEqualTo("Read 1,000,001 lines (2 blank); sent 999,990 events; rejected 9"
        + " (malformed_csv 5, too_large 1, wrong_type 3); in 14.3 s, 70,176 lines/s");
  }

  @Test
  void theBarIsFullAndNotBeyondWhenEverythingIsRead() {
    ImportSummary all = new ImportSummary(10, 120, 100, 0, 9, Map.of(), Duration.ofSeconds(1), null, -1);

    assertThat(ImportProgress.bar(all)).startsWith("[" + "#".repeat(30) + "] 100% ");
  }
}
