package io.trackpipe.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile-input and format cases of the job-ads tracker events, run through the decoder built from the job-ads
 * definition. {@code decoder} leaves the raw-only (tracker context) values out, as the stream without the raw store
 * does; {@code keepingRawOnly} keeps them, as the raw store needs.
 */
class JobAdsDecoderTest {
  private static final EventSchema SCHEMA = DomainCatalog.load(List.of(), List.of()).jobAds().schema();
  /** The analytic fields the job-ads rollups read, in the order the assertions list them. */
  private static final String[] ANALYTIC = {"job_id", "publisher_id", "campaign_id", "group_id", "bid", "custom_track"};
  private static final long RECEIVED_AT = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
  private static final String EVENT_ID = "5b2e3a10-07b4-11ef-9262-0242ac120002";
  private static final String REQUIRED = "\"create_time\":\"" + EVENT_ID + "\",\"ts\":\"2024-05-01 10:00:00\"";
  private static final String FULL_EVENT = "{" + REQUIRED + ","
      + "\"job_id\":1532,\"publisher_id\":7,\"campaign_id\":93,\"group_id\":12,\"bid\":0.85,\"custom_track\":\"click\","
      + "\"bn\":\"Chrome 124\",\"cd\":24,\"de\":\"UTF-8\",\"dl\":\"https://jobs.example.com/j/1532?utm_source=news\","
      + "\"dt\":\"Data engineer\",\"ed\":true,\"ev\":2,\"id\":\"9c1f\",\"md\":false,\"rl\":\"https://example.com/\","
      + "\"sr\":\"1920x1080\",\"tz\":-420,\"ua\":\"Mozilla/5.0 (X11; Linux x86_64)\",\"uid\":\"1-6mr2ctjd-lw7wwpvf\","
      + "\"utm_campaign\":\"spring\",\"utm_content\":\"banner\",\"utm_medium\":\"email\",\"utm_source\":\"news\","
      + "\"utm_term\":\"data\",\"v\":\"1\",\"vp\":\"1905x982\"}";

  private final EventDecoder keepingRawOnly = new EventDecoder(SCHEMA, EventLimits.DEFAULT);
  private final EventDecoder decoder = decoder(EventLimits.DEFAULT);

  @Test
  void decodesEventWithEveryField() {
    DecodedEvent event = accepted(decoder.decode(FULL_EVENT, RECEIVED_AT));

    assertThat(event.id()).isEqualTo(EVENT_ID);
    assertThat(event.eventTimeMillis()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z").toEpochMilli());
    assertThat(analyticValues(event)).containsExactly(1532L, 7L, 93L, 12L, 850_000L, "click");
    assertThat(rawOnlyValues(event)).containsOnlyNulls();
  }

  @Test
  void keepsTheTrackerContextAsSentWhenAskedTo() {
    DecodedEvent event = accepted(keepingRawOnly.decode(FULL_EVENT, RECEIVED_AT));

    assertThat(value(event, "bn")).isEqualTo("Chrome 124");
    assertThat(value(event, "cd")).isEqualTo("24");
    assertThat(value(event, "ed")).isEqualTo("true");
    assertThat(value(event, "tz")).isEqualTo("-420");
    assertThat(value(event, "vp")).isEqualTo("1905x982");
    assertThat(rawOnlyValues(event)).hasSize(21).doesNotContainNull();
    assertThat(rawOnlyValues(accepted(keepingRawOnly.decode("{" + REQUIRED + ",\"ua\":null}", RECEIVED_AT))))
        .containsOnlyNulls();
    assertThat(value(event, "custom_track")).isEqualTo("click");
  }

  @Test
  void fullExampleNamesEveryField() {
    for (EventField field : SCHEMA.fields()) {
      assertThat(FULL_EVENT).contains("\"" + field.name() + "\":");
    }
  }

  @Test
  void decodesEventWithOnlyRequiredFieldsLeavingTheRestNull() {
    DecodedEvent event = accepted(decoder.decode("{" + REQUIRED + "}", RECEIVED_AT));

    assertThat(event.id()).isEqualTo(EVENT_ID);
    assertThat(event.eventTimeMillis()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z").toEpochMilli());
    assertThat(analyticValues(event)).containsExactly(null, null, null, null, null, null);
    assertThat(rawOnlyValues(event)).containsOnlyNulls();
  }

  @Test
  void treatsNullOptionalFieldsAsAbsent() {
    StringBuilder json = new StringBuilder("{" + REQUIRED);
    for (EventField field : SCHEMA.fields()) {
      if (!field.name().equals("create_time") && !field.name().equals("ts")) {
        json.append(",\"").append(field.name()).append("\":null");
      }
    }
    DecodedEvent event = accepted(decoder.decode(json.append('}').toString(), RECEIVED_AT));

    assertThat(event.id()).isEqualTo(EVENT_ID);
    assertThat(event.eventTimeMillis()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z").toEpochMilli());
    assertThat(analyticValues(event)).containsExactly(null, null, null, null, null, null);
    assertThat(rawOnlyValues(event)).containsOnlyNulls();
  }

  @Test
  void treatsNullRequiredFieldAsMissing() {
    Object result = decoder.decode("{\"create_time\":null,\"ts\":\"2024-05-01 10:00:00\"}", RECEIVED_AT);

    assertRejected(result, RejectReason.MISSING_FIELD, "'create_time'");
  }

  @ParameterizedTest(name = "{0} in {1} is {2}")
  @CsvSource({
      "2024-05-01 10:00:00, UTC,              2024-05-01T10:00:00Z",
      "2024-05-01 10:00:00, Asia/Ho_Chi_Minh, 2024-05-01T03:00:00Z",
      "2024-05-01 10:00:00, Asia/Kolkata,     2024-05-01T04:30:00Z",
      "2024-05-01 10:00:00, +07:00,           2024-05-01T03:00:00Z",
      "2024-05-01T10:00:00, UTC,              2024-05-01T10:00:00Z",
      "2024-05-01T10:00:00, Asia/Kolkata,     2024-05-01T04:30:00Z",
      "2024-05-01T10:00:00.250, Asia/Ho_Chi_Minh, 2024-05-01T03:00:00.250Z",
      "2024-05-01T10:00:00Z, Asia/Kolkata,    2024-05-01T10:00:00Z",
      "2024-05-01T17:00:00+07:00, UTC,        2024-05-01T10:00:00Z",
      "2024-05-01T15:30:00+05:30, Asia/Ho_Chi_Minh, 2024-05-01T10:00:00Z",
      "2024-05-01 10:00:00Z, Asia/Kolkata,    2024-05-01T10:00:00Z",
  })
  void readsTimestampTextZoneLessValuesInConfiguredZone(String ts, String zone, String expected) {
    EventDecoder zoned = decoder(new EventLimits(ZoneId.of(zone), Duration.ofMinutes(15), 65_536, 8192));

    DecodedEvent event = accepted(zoned.decode("{\"create_time\":\"e1\",\"ts\":\"" + ts + "\"}", RECEIVED_AT));

    assertThat(Instant.ofEpochMilli(event.eventTimeMillis())).isEqualTo(Instant.parse(expected));
  }

  @Test
  void readsEpochMillisNumberIgnoringConfiguredZone() {
    EventDecoder kolkata = decoder(new EventLimits(ZoneId.of("Asia/Kolkata"), Duration.ofMinutes(15), 65_536, 8192));

    DecodedEvent event = accepted(kolkata.decode("{\"create_time\":\"e1\",\"ts\":1714557600000}", RECEIVED_AT));

    assertThat(Instant.ofEpochMilli(event.eventTimeMillis())).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
  }

  @ParameterizedTest(name = "bid {0} is {1} micros")
  @CsvSource({"0.1, 100000", "0.85, 850000", "1.005, 1005000", "3, 3000000", "0, 0", "0.000001, 1", "10000, 10000000000",
      "4.35, 4350000", "0.29, 290000"})
  void convertsBidToExactMicros(String bid, long micros) {
    DecodedEvent event = accepted(decoder.decode("{" + REQUIRED + ",\"bid\":" + bid + "}", RECEIVED_AT));

    assertThat(value(event, "bid")).isEqualTo(micros);
  }

  @Test
  void acceptsSqlLookingTextInContextFieldAsPlainText() {
    String sql = "x'); DROP TABLE events; --";

    DecodedEvent event = accepted(decoder.decode("{" + REQUIRED + ",\"dl\":\"" + sql + "\",\"dt\":\"1 OR 1=1\"}", RECEIVED_AT));

    assertThat(event.id()).isEqualTo(EVENT_ID);
  }

  @Test
  void acceptsContextFieldsAsStringNumberOrBoolean() {
    Object result = decoder.decode("{" + REQUIRED + ",\"cd\":24,\"tz\":-420.5,\"ed\":false,\"sr\":\"1920x1080\"}", RECEIVED_AT);

    assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
  }

  @Test
  void acceptsUncountedCustomTrackValueAsIs() {
    DecodedEvent event = accepted(decoder.decode("{" + REQUIRED + ",\"custom_track\":\"alone\"}", RECEIVED_AT));

    assertThat(value(event, "custom_track")).isEqualTo("alone");
  }

  @Test
  void acceptsUtf8TextInContextFields() {
    byte[] json = ("{" + REQUIRED + ",\"dt\":\"Kỹ sư dữ liệu – Hà Nội 🚀\"}").getBytes(UTF_8);

    assertThat(decoder.decode(json, RECEIVED_AT)).isInstanceOf(DecodeResult.Accepted.class);
  }

  @Test
  void acceptsEventTimeUpToMaxFutureSkewAfterArrival() {
    long arrival = Instant.parse("2024-05-01T09:45:00Z").toEpochMilli(); // event at 10:00 is exactly 15 minutes ahead

    assertThat(decoder.decode("{" + REQUIRED + "}", arrival)).isInstanceOf(DecodeResult.Accepted.class);
    assertThat(decoder.decode("{" + REQUIRED + "}", arrival + 60_000)).isInstanceOf(DecodeResult.Accepted.class);
  }

  @Test
  void rejectsEventTimeBeyondMaxFutureSkewAfterArrival() {
    long arrival = Instant.parse("2024-05-01T09:44:59Z").toEpochMilli();

    Object result = decoder.decode("{" + REQUIRED + "}", arrival);

    assertRejected(result, RejectReason.EVENT_TIME_IN_FUTURE, "2024-05-01T10:00:00Z", "PT15M", "2024-05-01T09:44:59Z");
  }

  @Test
  void rejectsRecordOverMaxPayloadBytesBeforeParsing() {
    String padding = "x".repeat(EventLimits.DEFAULT.maxPayloadBytes());

    Object result = decoder.decode("{" + REQUIRED + ",\"dl\":\"" + padding + "\"}", RECEIVED_AT);

    assertRejected(result, RejectReason.TOO_LARGE, "exceeds the limit of 65536 bytes");
  }

  @Test
  void acceptsRecordOfExactlyMaxPayloadBytes() {
    EventDecoder small = decoder(new EventLimits(ZoneId.of("UTC"), Duration.ofMinutes(15), 200, 8192));
    String prefix = "{" + REQUIRED + ",\"dl\":\"";
    String json = prefix + "x".repeat(200 - prefix.length() - 2) + "\"}";

    assertThat(json.getBytes(UTF_8)).hasSize(200);
    assertThat(small.decode(json, RECEIVED_AT)).isInstanceOf(DecodeResult.Accepted.class);
    assertRejected(small.decode(json.replace("\"dl\":\"", "\"dl\":\"y"), RECEIVED_AT), RejectReason.TOO_LARGE, "201 bytes");
  }

  @Test
  void rejectsContextStringLongerThanMaxFieldChars() {
    String longText = "x".repeat(EventLimits.DEFAULT.maxFieldChars() + 1);

    Object result = decoder.decode("{" + REQUIRED + ",\"ua\":\"" + longText + "\"}", RECEIVED_AT);

    assertRejected(result, RejectReason.INVALID_VALUE, "'ua' is longer than 8192 characters");
    assertThat(decoder.decode("{" + REQUIRED + ",\"ua\":\"" + longText.substring(1) + "\"}", RECEIVED_AT))
        .isInstanceOf(DecodeResult.Accepted.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void rejectsBadInputWithReasonAndOffendingFieldInMessage(String description, byte[] payload, RejectReason reason,
      String[] expectedInMessage) {
    DecodeResult result = decoder.decode(payload, RECEIVED_AT);

    assertRejected(result, reason, expectedInMessage);
  }

  /**
   * The reason codes are those of the hard-wired decoder this replaces; two messages now say what the definition
   * declares: a bound as "is -1, below the minimum 0" (was "is negative: -1") and a timestamp's accepted formats.
   */
  static Stream<Arguments> badInput() {
    String truncated = "{\"create_time\":\"e1\",\"ts\":\"2024-05";
    return Stream.of(
        bad("empty bytes", new byte[0], RejectReason.EMPTY, "empty record"),
        bad("null payload", null, RejectReason.EMPTY, "empty record"),
        bad("whitespace only", bytes(" \n\t\r "), RejectReason.NOT_AN_OBJECT, "expected a JSON object, got nothing"),
        bad("truncated inside a value", bytes(truncated), RejectReason.MALFORMED_JSON, "malformed JSON", "end-of-input"),
        bad("truncated before closing brace", bytes("{" + REQUIRED), RejectReason.MALFORMED_JSON, "end-of-input"),
        bad("garbage after the object", bytes("{" + REQUIRED + "} xyz"), RejectReason.MALFORMED_JSON, "'xyz'"),
        bad("second object after the first", bytes("{" + REQUIRED + "}{}"), RejectReason.MALFORMED_JSON,
            "unexpected content after the JSON object"),
        bad("JSON array", bytes("[{" + REQUIRED + "}]"), RejectReason.NOT_AN_OBJECT, "got an array"),
        bad("JSON string", bytes("\"click\""), RejectReason.NOT_AN_OBJECT, "got a string"),
        bad("JSON number", bytes("42"), RejectReason.NOT_AN_OBJECT, "got a number"),
        bad("not JSON at all", bytes("create_time=e1&ts=now"), RejectReason.MALFORMED_JSON, "'create_time'"),
        bad("unknown field", event("\"clicks\":1"), RejectReason.UNKNOWN_FIELD, "unknown field 'clicks'"),
        bad("field name in another case", event("\"Job_Id\":1"), RejectReason.UNKNOWN_FIELD, "'Job_Id'"),
        bad("duplicate field", event("\"job_id\":1,\"job_id\":2"), RejectReason.DUPLICATE_FIELD, "'job_id' appears twice"),
        bad("duplicate null field", event("\"bid\":null,\"bid\":1"), RejectReason.DUPLICATE_FIELD, "'bid' appears twice"),
        bad("missing create_time", bytes("{\"ts\":\"2024-05-01 10:00:00\"}"), RejectReason.MISSING_FIELD, "'create_time'"),
        bad("missing ts", bytes("{\"create_time\":\"e1\",\"job_id\":1}"), RejectReason.MISSING_FIELD, "'ts'"),
        bad("null ts", bytes("{\"create_time\":\"e1\",\"ts\":null}"), RejectReason.MISSING_FIELD, "'ts'"),
        bad("blank create_time", bytes("{\"create_time\":\"   \",\"ts\":1714557600000}"), RejectReason.INVALID_VALUE,
            "'create_time' is empty"),
        bad("create_time too long", bytes("{\"create_time\":\"" + "a".repeat(129) + "\",\"ts\":1714557600000}"),
            RejectReason.INVALID_VALUE, "'create_time' is longer than 128 characters"),
        bad("create_time a number", bytes("{\"create_time\":12,\"ts\":1714557600000}"), RejectReason.WRONG_TYPE,
            "'create_time' must be a string", "12"),
        bad("job_id text", event("\"job_id\":\"abc\""), RejectReason.WRONG_TYPE, "'job_id' must be an integer", "\"abc\""),
        bad("job_id quoted number", event("\"job_id\":\"15\""), RejectReason.WRONG_TYPE, "'job_id'", "\"15\""),
        bad("job_id fraction", event("\"job_id\":1.5"), RejectReason.WRONG_TYPE, "'job_id' must be an integer", "1.5"),
        bad("job_id SQL", event("\"job_id\":\"1; DROP TABLE events\""), RejectReason.WRONG_TYPE, "'job_id'",
            "\"1; DROP TABLE events\""),
        bad("bid text", event("\"bid\":\"cheap\""), RejectReason.WRONG_TYPE, "'bid' must be a number", "\"cheap\""),
        bad("bid boolean", event("\"bid\":true"), RejectReason.WRONG_TYPE, "'bid' must be a number", "a boolean true"),
        bad("bid NaN as text", event("\"bid\":\"NaN\""), RejectReason.WRONG_TYPE, "'bid'", "\"NaN\""),
        bad("bid bare NaN", event("\"bid\":NaN"), RejectReason.MALFORMED_JSON, "'NaN'"),
        bad("bid bare Infinity", event("\"bid\":Infinity"), RejectReason.MALFORMED_JSON, "'Infinity'"),
        bad("ts boolean", event2("\"ts\":true"), RejectReason.WRONG_TYPE, "'ts' must be a timestamp (yyyy-MM-dd HH:mm:ss, ISO-8601, epoch millis)",
            "a boolean"),
        bad("ts object", event2("\"ts\":{}"), RejectReason.WRONG_TYPE, "'ts'", "got an object"),
        bad("ts fractional number", event2("\"ts\":1714557600000.5"), RejectReason.WRONG_TYPE, "'ts'", "1714557600000.5"),
        bad("custom_track number", event("\"custom_track\":5"), RejectReason.WRONG_TYPE, "'custom_track' must be a string", "5"),
        bad("custom_track too long", event("\"custom_track\":\"" + "c".repeat(65) + "\""), RejectReason.INVALID_VALUE,
            "'custom_track' is longer than 64 characters"),
        bad("context field object", event("\"dl\":{\"href\":\"x\"}"), RejectReason.WRONG_TYPE,
            "'dl' must be a string, number or boolean", "got an object"),
        bad("context field array", event("\"utm_source\":[\"a\"]"), RejectReason.WRONG_TYPE, "'utm_source'", "got an array"),
        bad("negative job_id", event("\"job_id\":-1"), RejectReason.INVALID_VALUE, "'job_id' is -1, below the minimum 0"),
        bad("negative publisher_id", event("\"publisher_id\":-7"), RejectReason.INVALID_VALUE, "'publisher_id' is -7, below the minimum 0"),
        bad("negative group_id", event("\"group_id\":-3"), RejectReason.INVALID_VALUE, "'group_id' is -3, below the minimum 0"),
        bad("job_id beyond long", event("\"job_id\":99999999999999999999"), RejectReason.INVALID_VALUE,
            "'job_id' is out of range", "99999999999999999999"),
        bad("campaign_id beyond long", event("\"campaign_id\":-99999999999999999999"), RejectReason.INVALID_VALUE,
            "'campaign_id' is out of range"),
        bad("bid 1e12", event("\"bid\":1e12"), RejectReason.INVALID_VALUE, "'bid' is 1e12", "outside 0..10000"),
        bad("bid just over the maximum", event("\"bid\":10000.01"), RejectReason.INVALID_VALUE, "'bid' is 10000.01"),
        bad("bid negative", event("\"bid\":-1"), RejectReason.INVALID_VALUE, "'bid' is -1"),
        bad("bid overflowing double", event("\"bid\":1e400"), RejectReason.INVALID_VALUE, "'bid' is 1e400"),
        bad("ts in 1970", event2("\"ts\":\"1970-01-01 00:00:01\""), RejectReason.INVALID_VALUE, "'ts' is before the year 2000"),
        bad("ts epoch millis 0", event2("\"ts\":0"), RejectReason.INVALID_VALUE, "'ts' is before the year 2000"),
        bad("ts epoch seconds", event2("\"ts\":1714557600"), RejectReason.INVALID_VALUE, "'ts' is before the year 2000",
            "1970-01-20"),
        bad("ts negative millis", event2("\"ts\":-1"), RejectReason.INVALID_VALUE, "'ts' is before the year 2000"),
        bad("ts beyond long", event2("\"ts\":99999999999999999999"), RejectReason.INVALID_VALUE, "'ts' is out of range"),
        bad("ts unparseable text", event2("\"ts\":\"yesterday\""), RejectReason.INVALID_VALUE, "'ts' is not a timestamp",
            "\"yesterday\""),
        bad("ts month 13", event2("\"ts\":\"2024-13-01 10:00:00\""), RejectReason.INVALID_VALUE, "'ts' is not a timestamp",
            "2024-13-01"),
        bad("ts with letters in the fast-path shape", event2("\"ts\":\"2024-05-01 1a:00:00\""), RejectReason.INVALID_VALUE,
            "'ts' is not a timestamp"),
        bad("ts date only", event2("\"ts\":\"2024-05-01\""), RejectReason.INVALID_VALUE, "'ts' is not a timestamp"),
        bad("ts year beyond epoch millis", event2("\"ts\":\"+999999999-12-31T23:59:59Z\""), RejectReason.INVALID_VALUE,
            "'ts' is not a timestamp"),
        bad("ts far in the future", event2("\"ts\":\"2100-01-01T00:00:00Z\""), RejectReason.EVENT_TIME_IN_FUTURE,
            "2100-01-01T00:00:00Z"),
        bad("invalid UTF-8 start byte", withByte(event("\"dl\":\"ab\""), "ab", (byte) 0xFF), RejectReason.MALFORMED_JSON,
            "UTF-8"),
        bad("truncated UTF-8 sequence", withByte(event("\"dl\":\"ab\""), "ab", (byte) 0xC3), RejectReason.MALFORMED_JSON,
            "UTF-8"),
        bad("UTF-16 encoded event", ("{" + REQUIRED + "}").getBytes(StandardCharsets.UTF_16LE), RejectReason.MALFORMED_JSON,
            "not UTF-8"),
        bad("UTF-16 with byte-order mark", ("{" + REQUIRED + "}").getBytes(StandardCharsets.UTF_16), RejectReason.MALFORMED_JSON,
            "not UTF-8"),
        bad("raw newline inside a string", event("\"dt\":\"a\nb\""), RejectReason.MALFORMED_JSON, "CTRL-CHAR"),
        bad("single-quoted strings", bytes("{'create_time':'e1','ts':1714557600000}"), RejectReason.MALFORMED_JSON, "'''"),
        bad("comment", bytes("{/* c */" + REQUIRED + "}"), RejectReason.MALFORMED_JSON, "'/'"),
        bad("number with 1200 digits", event("\"cd\":" + "1".repeat(1200)), RejectReason.MALFORMED_JSON, "1200"));
  }

  @Test
  void replacesControlCharactersOfUnknownFieldNameInMessage() {
    String name = "evil\\u001b[31m\\nINFO forged\\u0000\\r";

    Object result = decoder.decode("{\"" + name + "\":1," + REQUIRED + "}", RECEIVED_AT);

    assertRejected(result, RejectReason.UNKNOWN_FIELD, "'evil?[31m?INFO forged??'");
    assertThat(((DecodeResult.Rejected) result).message()).doesNotContainPattern("\\p{Cntrl}");
  }

  @Test
  void cutsLongUnknownFieldNameInMessage() {
    String name = "n".repeat(5000);

    Object result = decoder.decode("{\"" + name + "\":1}", RECEIVED_AT);

    assertRejected(result, RejectReason.UNKNOWN_FIELD, "n".repeat(60) + "…'");
    assertThat(((DecodeResult.Rejected) result).message()).hasSizeLessThan(200);
  }

  @Test
  void replacesLoneSurrogatesInMessageAndKeepsPairsTheCutWouldSplit() {
    String escapedLone = "{" + REQUIRED + ",\"job_id\":\"\\ud800x\\udfff\"}";
    String pairAtTheCut = "{" + REQUIRED + ",\"job_id\":\"" + "a".repeat(59) + "\ud83d\ude00tail\"}";

    Object lone = decoder.decode(escapedLone, RECEIVED_AT);
    Object pair = decoder.decode(pairAtTheCut, RECEIVED_AT);

    assertRejected(lone, RejectReason.WRONG_TYPE, "got string \"?x?\"");
    assertRejected(pair, RejectReason.WRONG_TYPE, "a".repeat(59) + "\ud83d\ude00…\"");
  }

  @Test
  void cutsHugeBidNumberInMessage() {
    String digits = "9".repeat(999);

    Object result = decoder.decode("{" + REQUIRED + ",\"bid\":" + digits + "}", RECEIVED_AT);

    assertRejected(result, RejectReason.INVALID_VALUE, "'bid' is " + "9".repeat(60) + "…, outside 0..10000");
  }

  @Test
  void survivesJavaSerializationAsSparkShipsIt() throws Exception {
    EventDecoder kolkata = decoder(new EventLimits(ZoneId.of("Asia/Kolkata"), Duration.ofMinutes(5), 1024, 100));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(kolkata);
    }

    EventDecoder copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (EventDecoder) in.readObject();
    }

    assertThat(copy.limits()).isEqualTo(kolkata.limits());
    assertThat(copy.decode("{" + REQUIRED + "}", RECEIVED_AT)).isEqualTo(kolkata.decode("{" + REQUIRED + "}", RECEIVED_AT));
  }

  @Test
  void neverThrowsForRandomMutationsOfValidEvent() {
    Random random = new Random(20240501L);
    byte[] valid = FULL_EVENT.getBytes(UTF_8);
    byte[][] insertions = Stream.of("{", "}", "[", "]", "\"", ",", ":", "\\", "\\u00", "\\ud800", "null", "true", "-", "1e999",
        "99999999999999999999", "0.", "NaN", "\u0000", "\u00e9", "\ud83d\ude80", " ", "\"ts\":", "\"job_id\":")
        .map(s -> s.getBytes(UTF_8)).toArray(byte[][]::new);
    EventDecoder kolkata = decoder(new EventLimits(ZoneId.of("Asia/Kolkata"), Duration.ofMinutes(15), 65_536, 64));
    Set<RejectReason> seen = EnumSet.noneOf(RejectReason.class);
    int accepted = 0;

    for (int i = 0; i < 20_000; i++) {
      byte[] mutated = mutate(valid, random, insertions);
      EventDecoder subject = i % 2 == 0 ? decoder : kolkata;
      DecodeResult[] result = new DecodeResult[1];

      assertThatCode(() -> result[0] = subject.decode(mutated, RECEIVED_AT))
          .as("mutation %d: %s", i, new String(mutated, UTF_8))
          .doesNotThrowAnyException();
      assertThat(result[0]).as("mutation %d", i).isNotNull();
      if (result[0] instanceof DecodeResult.Rejected rejected) {
        seen.add(rejected.reason());
        assertThat(rejected.message()).as("mutation %d", i).doesNotContainPattern("\\p{Cntrl}").hasSizeLessThan(400);
      } else {
        accepted++;
      }
    }

    // The mutations reach deep into the decoder, not only its first check.
    assertThat(accepted).isPositive();
    assertThat(seen).contains(RejectReason.MALFORMED_JSON, RejectReason.UNKNOWN_FIELD, RejectReason.WRONG_TYPE,
        RejectReason.INVALID_VALUE);
  }

  private static byte[] mutate(byte[] valid, Random random, byte[][] insertions) {
    byte[] current = valid.clone();
    int operations = 1 + random.nextInt(4);
    for (int op = 0; op < operations && current.length > 0; op++) {
      int at = random.nextInt(current.length);
      switch (random.nextInt(5)) {
        case 0 -> current[at] = (byte) random.nextInt(256);
        case 1 -> current[at] ^= (byte) (1 << random.nextInt(8));
        case 2 -> current = Arrays.copyOf(current, at);
        case 3 -> current = insert(current, at, insertions[random.nextInt(insertions.length)]);
        default -> current = remove(current, at, 1 + random.nextInt(8));
      }
    }
    return current;
  }

  private static byte[] insert(byte[] bytes, int at, byte[] insertion) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + insertion.length);
    out.write(bytes, 0, at);
    out.writeBytes(insertion);
    out.write(bytes, at, bytes.length - at);
    return out.toByteArray();
  }

  private static byte[] remove(byte[] bytes, int at, int count) {
    int end = Math.min(bytes.length, at + count);
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
    out.write(bytes, 0, at);
    out.write(bytes, end, bytes.length - end);
    return out.toByteArray();
  }

  private static Arguments bad(String description, byte[] payload, RejectReason reason, String... expectedInMessage) {
    return arguments(description, payload, reason, expectedInMessage);
  }

  /** A valid event plus {@code extra} fields. */
  private static byte[] event(String extra) {
    return bytes("{" + REQUIRED + "," + extra + "}");
  }

  /** An event with {@code create_time} and the given {@code ts} field. */
  private static byte[] event2(String tsField) {
    return bytes("{\"create_time\":\"e1\"," + tsField + "}");
  }

  private static byte[] withByte(byte[] json, String marker, byte replacement) {
    String text = new String(json, UTF_8);
    byte[] copy = json.clone();
    copy[text.indexOf(marker)] = replacement;
    return copy;
  }

  /** The job-ads decoder as the stream without the raw store runs it: raw-only values checked, not kept. */
  private static EventDecoder decoder(EventLimits limits) {
    return new EventDecoder(SCHEMA, limits).withoutRawOnlyValues();
  }

  private static Object value(DecodedEvent event, String field) {
    return event.value(SCHEMA.indexOf(field));
  }

  private static List<Object> analyticValues(DecodedEvent event) {
    return Arrays.stream(ANALYTIC).map(field -> value(event, field)).toList();
  }

  /** The tracker context: the raw-only fields' values. */
  private static List<Object> rawOnlyValues(DecodedEvent event) {
    return SCHEMA.fields().stream().filter(EventField::rawOnly).map(field -> value(event, field.name())).toList();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  private static DecodedEvent accepted(Object result) {
    assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
    return ((DecodeResult.Accepted) result).event();
  }

  private static void assertRejected(Object result, RejectReason reason, String... expectedInMessage) {
    assertThat(result).isInstanceOfSatisfying(DecodeResult.Rejected.class, rejected -> {
      assertThat(rejected.reason()).as("reason of: %s", rejected.message()).isEqualTo(reason);
      assertThat(rejected.message()).contains(expectedInMessage);
    });
  }
}
