package io.trackpipe.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionTest {
  private final EventSchema schema = DomainCatalogTest.signups().schema();

  private boolean test(String condition, Object... values) {
    List<String> problems = new ArrayList<>();
    Condition bound = Condition.parse(condition).condition().bind(schema, "test", problems);
    assertThat(problems).isEmpty();
    return bound.test(values);
  }

  @Test
  void comparesFieldsWithLiteralsOfTheirType() {
    // fields: account_id, at, plan, amount (scale 2), country, confirmed
    assertThat(test("amount > 9.99", 1L, 0L, "pro", 1000L, "DE", true)).isTrue();
    assertThat(test("amount > 10", 1L, 0L, "pro", 1000L, "DE", true)).isFalse();
    assertThat(test("plan IN ('free', 'pro') AND country = 'DE'", 1L, 0L, "pro", 0L, "DE", null)).isTrue();
    assertThat(test("plan NOT IN ('pro')", 1L, 0L, "pro", 0L, "DE", null)).isFalse();
    assertThat(test("country IS NULL AND confirmed IS NOT NULL", 1L, 0L, null, null, null, false)).isTrue();
    assertThat(test("confirmed = true", 1L, 0L, null, null, null, false)).isFalse();
    assertThat(test("account_id >= 1 AND account_id <> 2", 1L, 0L, null, null, null, null)).isTrue();
    assertThat(test("country = 'it''s'", 1L, 0L, null, null, "it's", null)).isTrue();
  }

  @Test
  void aComparisonWithAMissingValueIsFalse() {
    assertThat(test("amount > 0", 1L, 0L, "pro", null, null, null)).isFalse();
    assertThat(test("amount != 0", 1L, 0L, "pro", null, null, null)).isFalse();
  }

  @Test
  void reportsWhatCannotBeParsedOrBound() {
    assertThat(Condition.parse("amount >").problem()).contains("expected a value at the end");
    assertThat(Condition.parse("amount > 0 OR plan = 'pro'").problem()).contains("expected AND, got 'OR'");
    assertThat(Condition.parse("country = 'open").problem()).contains("unterminated");
    List<String> problems = new ArrayList<>();
    Condition.parse("plan = 'gold' AND confirmed > true AND amount = 'x'").condition().bind(schema, "rule r", problems);
    assertThat(problems).hasSize(3).anyMatch(p -> p.contains("'gold' cannot be compared with enum field 'plan'"))
        .anyMatch(p -> p.contains("boolean field 'confirmed' is compared with = or != only"))
        .anyMatch(p -> p.contains("'x' cannot be compared with decimal field 'amount'"));
  }
}
