package io.trackpipe.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;
import org.junit.jupiter.api.Test;

/** The decoder built from a user's schema: every type, a hashed id, unknown fields ignored, null refused, a rule. */
class SchemaDecoderTest {
  private static final long NOW = 1_772_400_000_000L;
  private final EventSchema schema = DomainCatalogTest.signups().schema();
  private final EventDecoder decoder = new EventDecoder(schema, EventLimits.DEFAULT);

  @Test
  void decodesEveryTypeAndHashesTheIdFromItsFields() {
    DecodedEvent event = accepted("{\"account_id\":42,\"at\":1772360130,\"plan\":\"pro\",\"amount\":9.995,"
        + "\"country\":\"DE\",\"confirmed\":true,\"extra\":{\"ignored\":[1]}}");
    assertThat(event.eventTimeMillis()).isEqualTo(1_772_360_130_000L);
    assertThat(event.value(schema.indexOf("amount"))).isEqualTo(1000L); // 10.00 at scale 2
    assertThat(event.value(schema.indexOf("plan"))).isEqualTo("pro");
    assertThat(event.value(schema.indexOf("confirmed"))).isEqualTo(true);
    assertThat(event.id()).hasSize(32).matches("[0-9a-f]+");
    // The same id fields give the same id whatever else differs: a copy is a duplicate.
    DecodedEvent copy = accepted("{\"account_id\":42,\"at\":\"2026-03-01T10:15:30Z\",\"plan\":\"pro\",\"amount\":1,\"confirmed\":false}");
    assertThat(copy.id()).isEqualTo(event.id());
    assertThat(accepted("{\"account_id\":43,\"at\":1772360130,\"plan\":\"pro\",\"amount\":1,\"confirmed\":true}").id())
        .isNotEqualTo(event.id());
  }

  @Test
  void judgesEachFieldByItsDeclaredChecks() {
    rejected("{\"at\":1772360130,\"plan\":\"free\",\"confirmed\":true}", RejectReason.MISSING_FIELD, "missing required field 'account_id'");
    rejected("{\"account_id\":0,\"at\":1772360130,\"confirmed\":true}", RejectReason.INVALID_VALUE, "'account_id' is 0, below the minimum 1");
    rejected("{\"account_id\":1,\"at\":1772360130,\"plan\":\"gold\"}", RejectReason.INVALID_VALUE, "'plan' is \"gold\", not one of [free, pro]");
    rejected("{\"account_id\":1,\"at\":1772360130,\"amount\":1000.01}", RejectReason.INVALID_VALUE, "'amount' is 1000.01, outside 0..1000");
    rejected("{\"account_id\":1,\"at\":1772360130,\"country\":\"DEU\"}", RejectReason.INVALID_VALUE, "'country' is longer than 2 characters");
    rejected("{\"account_id\":1,\"at\":1772360130,\"confirmed\":null}", RejectReason.WRONG_TYPE, "'confirmed' must be true or false, got null");
    rejected("{\"account_id\":1,\"at\":\"01/03/2026 10:15\"}", RejectReason.INVALID_VALUE, "'at' is not a timestamp (expected ISO-8601, epoch seconds)");
    rejected("{\"account_id\":1,\"at\":true}", RejectReason.WRONG_TYPE, "'at' must be a timestamp");
    rejected("{\"account_id\":\"1; DROP TABLE x\",\"at\":1772360130}", RejectReason.WRONG_TYPE, "'account_id' must be an integer, got string \"1; DROP TABLE x\"");
  }

  @Test
  void aBrokenRuleIsItsOwnReason() {
    DecodeResult result = decoder.decode("{\"account_id\":1,\"at\":1772360130,\"plan\":\"pro\",\"amount\":0}", NOW);
    assertThat(result).isInstanceOfSatisfying(DecodeResult.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(RejectReason.RULE_VIOLATED);
      assertThat(r.code()).isEqualTo("rule:pro_pays");
      assertThat(r.message()).isEqualTo("a pro signup has an amount");
    });
    // A missing amount does not satisfy "amount > 0" either; a free plan is not concerned.
    assertThat(decoder.decode("{\"account_id\":1,\"at\":1772360130,\"plan\":\"pro\"}", NOW)).isInstanceOf(DecodeResult.Rejected.class);
    accepted("{\"account_id\":1,\"at\":1772360130,\"plan\":\"free\",\"amount\":0}");
  }

  private DecodedEvent accepted(String json) {
    DecodeResult result = decoder.decode(json, NOW);
    assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
    return ((DecodeResult.Accepted) result).event();
  }

  private void rejected(String json, RejectReason reason, String message) {
    assertThat(decoder.decode(json, NOW)).isInstanceOfSatisfying(DecodeResult.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(reason);
      assertThat(r.message()).contains(message);
    });
  }
}
