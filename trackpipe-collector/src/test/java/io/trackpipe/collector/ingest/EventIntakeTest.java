package io.trackpipe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIntakeTest {
  private static final long NOW = Instant.parse("2024-05-01T10:00:03.123Z").toEpochMilli();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final Domain JOB_ADS = DomainCatalog.load(List.of(), List.of()).jobAds();

  private final EventIntake intake = new EventIntake(JOB_ADS.schema(), EventLimits.DEFAULT, new EventIds());

  @Test
  void aCompleteEventKeepsTheClientsBytesAndIsKeyedByJob() {
    String event = "{ \"create_time\":\"e-1\", \"ts\":\"2024-05-01 10:00:00\",\"job_id\":1532, \"bid\":0.850 }";

    IntakeResult result = intake.admit(bytes(event), NOW);

    assertThat(result).isInstanceOfSatisfying(IntakeResult.Accepted.class, accepted -> {
      assertThat(text(accepted.value())).isEqualTo(event);
      assertThat(text(accepted.key())).isEqualTo("1532");
    });
  }

  @Test
  void anEventWithoutJobIsKeyedByVisitorElseByItsId() {
    IntakeResult byVisitor = intake.admit(bytes("{\"create_time\":\"e-2\",\"ts\":1714557600000,\"uid\":\"1-abc\"}"), NOW);
    IntakeResult byId = intake.admit(bytes("{\"create_time\":\"e-3\",\"ts\":1714557600000,\"job_id\":null}"), NOW);

    assertThat(text(((IntakeResult.Accepted) byVisitor).key())).isEqualTo("1-abc");
    assertThat(text(((IntakeResult.Accepted) byId).key())).isEqualTo("e-3");
  }

  @Test
  void aMissingIdIsAssignedAsATimeBasedUuidAndTheRestIsKeptAsSent() throws Exception {
    IntakeResult result = intake.admit(bytes("{\"ts\":\"2024-05-01 10:00:00\",\"job_id\":7,\"bid\":0.850,\"dt\":\"Ü \\\"q\\\"\","
        + "\"cd\":24,\"ed\":true}"), NOW);

    JsonNode event = json(((IntakeResult.Accepted) result).value());
    UUID id = UUID.fromString(event.get("create_time").asText());
    assertThat(id.version()).isEqualTo(1);
    assertThat(id.timestamp()).isEqualTo(NOW * 10_000 + 0x01B21DD213814000L);
    assertThat(event.get("ts").asText()).isEqualTo("2024-05-01 10:00:00");
    assertThat(event.get("job_id").asLong()).isEqualTo(7);
    assertThat(event.get("bid").decimalValue()).isEqualByComparingTo("0.850");
    assertThat(new String(((IntakeResult.Accepted) result).value(), StandardCharsets.UTF_8)).contains("\"bid\":0.850");
    assertThat(event.get("dt").asText()).isEqualTo("Ü \"q\"");
    assertThat(event.get("cd").asInt()).isEqualTo(24);
    assertThat(event.get("ed").asBoolean()).isTrue();
  }

  @Test
  void aMissingOrNullEventTimeBecomesTheReceiveTime() throws Exception {
    IntakeResult missing = intake.admit(bytes("{\"create_time\":\"e-4\",\"job_id\":7}"), NOW);
    IntakeResult nulled = intake.admit(bytes("{\"ts\":null,\"create_time\":null,\"job_id\":7}"), NOW);

    JsonNode first = json(((IntakeResult.Accepted) missing).value());
    assertThat(first.get("create_time").asText()).isEqualTo("e-4");
    assertThat(first.get("ts").asLong()).isEqualTo(NOW);
    JsonNode second = json(((IntakeResult.Accepted) nulled).value());
    assertThat(second.get("ts").asLong()).isEqualTo(NOW);
    assertThat(second.get("create_time").asText()).hasSize(36);
    assertThat(second.size()).isEqualTo(3);
  }

  @Test
  void completedEventsDecodeTheSameWayInTheStreamingJob() {
    IntakeResult result = intake.admit(bytes("{\"job_id\":7,\"custom_track\":\"click\",\"bid\":1.25}"), NOW);

    DecodeResult decoded = new EventDecoder(JOB_ADS.schema(), EventLimits.DEFAULT)
        .decode(((IntakeResult.Accepted) result).value(), NOW);
    assertThat(decoded).isInstanceOfSatisfying(DecodeResult.Accepted.class, accepted -> {
      assertThat(accepted.event().eventTimeMillis()).isEqualTo(NOW);
      assertThat(accepted.event().value(JOB_ADS.schema().indexOf("bid"))).isEqualTo(1_250_000L);
      assertThat(accepted.event().value(JOB_ADS.schema().indexOf("custom_track"))).isEqualTo("click");
    });
  }

  @Test
  void aFieldThatIsPresentButWrongIsRejectedNotReplaced() {
    assertThat(intake.admit(bytes("{\"create_time\":\"\",\"job_id\":7}"), NOW)).isEqualTo(
        new IntakeResult.Rejected(RejectReason.INVALID_VALUE, "field 'create_time' is empty"));
    assertThat(intake.admit(bytes("{\"ts\":\"yesterday\"}"), NOW))
        .isInstanceOfSatisfying(IntakeResult.Rejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID_VALUE));
    assertThat(intake.admit(bytes("{\"job_id\":\"7\"}"), NOW))
        .isInstanceOfSatisfying(IntakeResult.Rejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.WRONG_TYPE));
  }

  @Test
  void aCompletedEventStillHasItsFutureTimeChecked() {
    assertThat(intake.admit(bytes("{\"ts\":\"2100-01-01T00:00:00Z\"}"), NOW))
        .isInstanceOfSatisfying(IntakeResult.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(RejectReason.EVENT_TIME_IN_FUTURE));
  }

  @Test
  void badInputIsRejectedWithTheDecodersReason() {
    assertThat(intake.admit(bytes("{\"clicks\":1}"), NOW))
        .isInstanceOfSatisfying(IntakeResult.Rejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.UNKNOWN_FIELD));
    assertThat(intake.admit(bytes("[1]"), NOW))
        .isInstanceOfSatisfying(IntakeResult.Rejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.NOT_AN_OBJECT));
    assertThat(intake.admit(bytes("{\"job_id\":1"), NOW))
        .isInstanceOfSatisfying(IntakeResult.Rejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED_JSON));
  }

  @Test
  void idsAssignedAtTheSameMillisecondAreDistinct() {
    EventIds ids = new EventIds();
    assertThat(java.util.stream.IntStream.range(0, 100_000).mapToObj(i -> ids.next(NOW)).distinct().count())
        .isEqualTo(100_000);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static JsonNode json(byte[] bytes) throws Exception {
    return MAPPER.readTree(bytes);
  }
}
