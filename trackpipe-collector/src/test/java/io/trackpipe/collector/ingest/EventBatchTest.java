package io.trackpipe.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.event.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBatchTest {

  @Test
  void anArrayIsSplitIntoTheExactBytesOfEachElement() {
    String body = " [ {\"a\": 1,\n \"b\":[1,2]} ,\"text, with ] and \\\"\", 12.5e3 ,true,null, [1,{\"x\":2}],{} ] \n";

    assertThat(texts(EventBatch.split(bytes(body), 100))).containsExactly(
        "{\"a\": 1,\n \"b\":[1,2]}", "\"text, with ] and \\\"\"", "12.5e3", "true", "null", "[1,{\"x\":2}]", "{}");
  }

  @Test
  void jsonLinesAreSplitPerLineSkippingBlankLinesAndCarriageReturns() {
    String body = "{\"a\":1}\r\n\n   \n{broken\n{\"b\":2}";

    assertThat(texts(EventBatch.split(bytes(body), 100))).containsExactly("{\"a\":1}", "{broken", "{\"b\":2}");
  }

  @Test
  void aSingleObjectIsOneLine() {
    assertThat(texts(EventBatch.split(bytes("{\"a\":1}"), 100))).containsExactly("{\"a\":1}");
  }

  @Test
  void anEmptyArrayHoldsNoEvents() {
    assertThat(texts(EventBatch.split(bytes("[]"), 100))).isEmpty();
  }

  @Test
  void aBrokenArrayIsRefusedAsAWhole() {
    assertThat(EventBatch.split(bytes("[{\"a\":1},{\"b\":"), 100))
        .isInstanceOfSatisfying(EventBatch.Refused.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED_JSON));
    assertThat(EventBatch.split(bytes("[{\"a\":1}] {}"), 100))
        .isInstanceOfSatisfying(EventBatch.Refused.class, r -> assertThat(r.message()).contains("content after"));
    assertThat(EventBatch.split(bytes("[{\"a\":1}"), 100))
        .isInstanceOfSatisfying(EventBatch.Refused.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED_JSON));
  }

  @Test
  void brokenFramingRefusesTheBodyButABrokenElementIsOnlyThatElement() {
    assertThat(texts(EventBatch.split(bytes("[{\"a\" 1}, {\"b\":\"}]\"}]"), 100)))
        .containsExactly("{\"a\" 1}", "{\"b\":\"}]\"}");
    for (String broken : new String[] {"[{\"a\":1]}", "[{},]", "[,{}]", "[{} {}]", "[\"open]", "[{\"a\":[1,2}]", "[{}]]"}) {
      assertThat(EventBatch.split(bytes(broken), 100)).as(broken).isInstanceOfSatisfying(EventBatch.Refused.class,
          r -> assertThat(r.reason()).isEqualTo(RejectReason.MALFORMED_JSON));
    }
  }

  @Test
  void anEmptyBodyIsRefused() {
    assertThat(EventBatch.split(bytes(" \n\t"), 100))
        .isInstanceOfSatisfying(EventBatch.Refused.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.EMPTY));
  }

  @Test
  void moreEventsThanTheLimitAreRefusedAsTooLargeInBothFramings() {
    assertThat(EventBatch.split(bytes("[{},{},{}]"), 2)).isInstanceOfSatisfying(EventBatch.Refused.class, r -> {
      assertThat(r.reason()).isEqualTo(RejectReason.TOO_LARGE);
      assertThat(r.message()).isEqualTo("request holds 3 events, more than the limit of 2 per request");
    });
    assertThat(EventBatch.split(bytes("{}\n{}\n{}\n"), 2))
        .isInstanceOfSatisfying(EventBatch.Refused.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.TOO_LARGE));
    assertThat(texts(EventBatch.split(bytes("{}\n{}\n"), 2))).hasSize(2);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> texts(EventBatch.Split split) {
    assertThat(split).isInstanceOf(EventBatch.Events.class);
    return ((EventBatch.Events) split).events().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
  }
}
