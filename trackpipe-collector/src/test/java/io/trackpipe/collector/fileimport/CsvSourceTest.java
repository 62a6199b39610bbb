package io.trackpipe.collector.fileimport;

import static io.trackpipe.collector.fileimport.LineReaderTest.bytes;
import static io.trackpipe.collector.fileimport.LineReaderTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.collector.ingest.TextEvent;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvSourceTest {
  private static final DomainCatalog CATALOG = catalog();
  private static final Domain SIGNUPS = CATALOG.domain("signups").orElseThrow();
  private static final Domain JOB_ADS = CATALOG.jobAds();
  private static final long NOW = Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();

  @Test
  void everyFieldTypeRoundTripsFromItsCsvTextToTheDecodedValue() throws IOException {
    List<ImportItem> items = read(SIGNUPS, "account_id,at,plan,amount,country,confirmed\n"
        + "42,2026-12-06T11:00:00Z,pro,9.90,CH,true\n"
        + "43,1796554800,free,0,\"DE\",false\n");

    EventDecoder decoder = new EventDecoder(SIGNUPS.schema(), EventLimits.DEFAULT);
    DecodedEvent first = decoded(decoder, items.get(0));
    DecodedEvent second = decoded(decoder, items.get(1));
    var schema = SIGNUPS.schema();
    assertThat(first.value(schema.indexOf("account_id"))).isEqualTo(42L);
    assertThat(first.eventTimeMillis()).isEqualTo(Instant.parse("2026-12-06T11:00:00Z").toEpochMilli());
    assertThat(first.value(schema.indexOf("plan"))).isEqualTo("pro");
    assertThat(first.value(schema.indexOf("amount"))).isEqualTo(990L); // scale 2, unscaled
    assertThat(first.value(schema.indexOf("country"))).isEqualTo("CH");
    assertThat(first.value(schema.indexOf("confirmed"))).isEqualTo(true);
    assertThat(second.eventTimeMillis()).isEqualTo(1_796_554_800_000L); // epoch seconds as an integer
    assertThat(second.value(schema.indexOf("confirmed"))).isEqualTo(false);
    assertThat(items).extracting(ImportItem::line).containsExactly(2L, 3L);
  }

  @Test
  void textAndAnyValuesAreKeptVerbatimAndEmptyCellsAreFieldsNotSent() throws IOException {
    List<ImportItem> items = read(JOB_ADS, "job_id,custom_track,uid,bid,ts\n"
        + "7,\"x'); DROP TABLE events;--\",\"a,b \"\"c\"\"\",,2026-12-06 11:00:00\n");

    assertThat(text(((ImportItem.Event) items.get(0)).json())).isEqualTo("{\"job_id\":7,"
        + "\"custom_track\":\"x'); DROP TABLE events;--\",\"uid\":\"a,b \\\"c\\\"\",\"ts\":\"2026-12-06 11:00:00\"}");
  }

  @Test
  void aValueNotWellFormedForItsTypeStaysTextForTheDecoderToRejectAsWrongType() throws IOException {
    List<ImportItem> items = read(SIGNUPS, "account_id,at,plan\nabc,2026-12-06T11:00:00Z,free\n");

    DecodeResult result = new EventDecoder(SIGNUPS.schema(), EventLimits.DEFAULT)
        .decode(((ImportItem.Event) items.get(0)).json(), NOW);
    assertThat(result).isInstanceOfSatisfying(DecodeResult.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(RejectReason.WRONG_TYPE));
  }

  @Test
  void crlfLineEndsAByteOrderMarkAndAValueSpanningLinesAreRead() throws IOException {
    List<ImportItem> items = read(JOB_ADS, "\uFEFFjob_id,custom_track\r\n1,\"two\r\nlines\"\r\n2,click\r\n");

    assertThat(items).hasSize(2);
    assertThat(text(((ImportItem.Event) items.get(0)).json())).isEqualTo("{\"job_id\":1,\"custom_track\":\"two\\nlines\"}");
    assertThat(items).extracting(ImportItem::line).containsExactly(2L, 4L);
  }

  @Test
  void aRowWithAnotherNumberOfValuesRejectsItsLineOnly() throws IOException {
    List<ImportItem> items = read(JOB_ADS, "job_id,custom_track\n1,click,extra\n2\n3,click\n");

    assertThat(items).extracting(i -> i.line() + ":" + reason(i)).containsExactly("2:malformed_csv", "3:malformed_csv",
        "4:event");
    assertThat(((ImportItem.Refused) items.get(0)).message()).isEqualTo("malformed CSV: 3 values, but the header has 2 columns");
    assertThat(text(((ImportItem.Refused) items.get(0)).input())).isEqualTo("1,click,extra");
  }

  @Test
  void aStrayQuoteCostsItsOwnLineAndTheLinesAfterItAreReadAgain() throws IOException {
    List<ImportItem> items = read(JOB_ADS, "job_id,custom_track\n1,\"click\n2,click\n3,click\n");

    assertThat(items).extracting(i -> i.line() + ":" + reason(i)).containsExactly("2:malformed_csv", "3:event", "4:event");
    assertThat(((ImportItem.Refused) items.get(0)).message()).contains("not closed before the end of the input");
  }

  @Test
  void badQuotingIsMalformed() throws IOException {
    List<ImportItem> items = read(JOB_ADS, "job_id,custom_track\n1,cl\"ick\n2,\"click\"x\n");

    assertThat(items).extracting(CsvSourceTest::reason).containsExactly("malformed_csv", "malformed_csv");
  }

  @Test
  void aHugeLineIsTooLargeWithItsFirstBytesAndTheNextLineIsRead() throws IOException {
    List<ImportItem> items = read(JOB_ADS, "job_id,custom_track\n1," + "x".repeat(100_000) + "\n2,click\n");

    assertThat(items).extracting(i -> i.line() + ":" + reason(i)).containsExactly("2:too_large", "3:event");
    assertThat(((ImportItem.Refused) items.get(0)).input()).hasSize(LineReader.KEPT_PREFIX_BYTES);
    assertThat(((ImportItem.Refused) items.get(0)).message()).startsWith("line of 100002 bytes exceeds the limit of 65536");
  }

  @Test
  void aQuotedValueNotClosedWithinTheLimitRejectsItsFirstLine() throws IOException {
    String manyLines = "3,click\n".repeat(10_000); // 80 KB after the stray quote
    List<ImportItem> items = read(JOB_ADS, "job_id,custom_track\n1,\"open\n" + manyLines);

    assertThat(items.get(0)).isInstanceOfSatisfying(ImportItem.Refused.class,
        r -> assertThat(r.message()).contains("not closed within 65536 bytes"));
    assertThat(items).hasSize(10_001);
    assertThat(items.subList(1, items.size())).allMatch(i -> i instanceof ImportItem.Event);
  }

  @Test
  void blankLinesAreSkippedAndCounted() throws IOException {
    CsvSource source = source(JOB_ADS, "job_id,custom_track\n\n1,click\n  \n");

    assertThat(source.next()).isInstanceOf(ImportItem.Event.class);
    assertThat(source.next()).isNull();
    assertThat(source.blankLines()).isEqualTo(2);
    assertThat(source.linesRead()).isEqualTo(4);
  }

  @Test
  void theHeaderNamesEveryProblemAtOnce() throws IOException {
    CsvSource source = source(JOB_ADS, "job_id, clicks ,job_id,,custom_track\n");

    assertThat(source.columns()).containsExactly("job_id", "clicks", "job_id", "", "custom_track");
    assertThat(CsvHeader.problems("job-ads", JOB_ADS.schema(), source.columns())).containsExactly(
        "column 4 has no name",
        "column(s) named twice: 'job_id'",
        "unknown column(s) 'clicks': not fields of domain 'job-ads' (its fields: "
            + String.join(", ", JOB_ADS.schema().fieldNames()) + ")");
  }

  @Test
  void aHeaderWithoutARequiredFieldIsRefusedButTheIdAndTimeADomainMaySupplyAreNotRequired() {
    assertThat(CsvHeader.problems("signups", SIGNUPS.schema(), List.of("at", "plan")))
        .containsExactly("missing column(s) 'account_id': every event of domain 'signups' needs them");
    // Job ads get their id (create_time) and their time (ts) when an event has none.
    assertThat(CsvHeader.problems("job-ads", JOB_ADS.schema(), List.of("job_id"))).isEmpty();
  }

  @Test
  void unknownColumnsPassWhenTheDomainIgnoresUnknownFields() {
    assertThat(CsvHeader.problems("signups", SIGNUPS.schema(), List.of("account_id", "at", "referrer"))).isEmpty();
  }

  @Test
  void anEmptyInputHasNoHeader() throws IOException {
    assertThat(CsvSource.open(new LineReader(new ByteArrayInputStream(new byte[0]), 65_536),
        TextEvent.of(JOB_ADS.schema()), 65_536)).isEqualTo(new CsvSource.NoHeader("no header row: the input is empty"));
  }

  private static String reason(ImportItem item) {
    return item instanceof ImportItem.Refused r ? r.reason().code() : "event";
  }

  private static DecodedEvent decoded(EventDecoder decoder, ImportItem item) {
    DecodeResult result = decoder.decode(((ImportItem.Event) item).json(), NOW);
    assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
    return ((DecodeResult.Accepted) result).event();
  }

  private static List<ImportItem> read(Domain domain, String csv) throws IOException {
    List<ImportItem> items = new ArrayList<>();
    try (CsvSource source = source(domain, csv)) {
      for (ImportItem item = source.next(); item != null; item = source.next()) items.add(item);
    }
    return items;
  }

  private static CsvSource source(Domain domain, String csv) throws IOException {
    CsvSource.Opened opened = CsvSource.open(new LineReader(new ByteArrayInputStream(bytes(csv)), 65_536),
        TextEvent.of(domain.schema()), 65_536);
    return ((CsvSource.Ready) opened).source();
  }

  private static DomainCatalog catalog() {
    try {
      return DomainCatalog.load(List.of(Path.of(CsvSourceTest.class.getResource("/domains/signups.yaml").toURI())),
          List.of());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
