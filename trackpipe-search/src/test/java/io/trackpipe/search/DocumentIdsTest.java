package io.trackpipe.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentIdsTest {

  @Test
  void joinsTheKeyValuesInKeyOrder() {
    assertThat(DocumentIds.of(List.of("42", "2026-12-06", "14", "0"))).isEqualTo("42|2026-12-06|14|0");
  }

  @Test
  void escapesSeparatorsSoThatDifferentKeysNeverShareAnId() {
    String a = DocumentIds.of(List.of("a|b", "c"));
    String b = DocumentIds.of(List.of("a", "b|c"));
    assertThat(a).isEqualTo("a\\|b|c");
    assertThat(b).isEqualTo("a|b\\|c");
    assertThat(DocumentIds.of(List.of("a\\", "b"))).isNotEqualTo(DocumentIds.of(List.of("a", "\\b")));
  }

  @Test
  void hashesKeysLongerThanTheServersLimit() {
    String longValue = "é".repeat(300); // 600 bytes in UTF-8
    String id = DocumentIds.of(List.of(longValue, "1"));
    assertThat(id).startsWith("sha256:").hasSize("sha256:".length() + 64);
    assertThat(DocumentIds.of(List.of(longValue, "1"))).isEqualTo(id);
    assertThat(DocumentIds.of(List.of(longValue, "2"))).isNotEqualTo(id);
    // A short key that looks like a hashed one is hashed too, so it cannot collide with one.
    assertThat(DocumentIds.of(List.of("sha256:" + id.substring(7)))).isNotEqualTo(id);
  }

  @Test
  void refusesANullKeyValue() {
    assertThatThrownBy(() -> DocumentIds.of(java.util.Arrays.asList("1", null))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("primary key");
  }
}
