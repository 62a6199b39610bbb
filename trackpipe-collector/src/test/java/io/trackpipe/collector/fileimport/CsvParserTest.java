package io.trackpipe.collector.fileimport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CsvParserTest {
  @Test
  void splitsPlainValuesVerbatimSpacesAndEmptyValuesIncluded() {
    assertThat(parse("42, pro ,,9.90,")).isEqualTo(new CsvParser.Values(java.util.List.of("42", " pro ", "", "9.90", "")));
  }

  @Test
  void aQuotedValueKeepsCommasLineEndsAndDoubledQuotes() {
    assertThat(parse("1,\"Zürich, \"\"old town\"\"\",\"two\nlines\",\"\""))
        .isEqualTo(new CsvParser.Values(java.util.List.of("1", "Zürich, \"old town\"", "two\nlines", "")));
  }

  @Test
  void sqlLookingTextIsJustText() {
    assertThat(parse("7,\"Robert'); DROP TABLE events;--\""))
        .isEqualTo(new CsvParser.Values(java.util.List.of("7", "Robert'); DROP TABLE events;--")));
  }

  @Test
  void aQuotedValueStillOpenAtTheEndAsksForTheNextLine() {
    assertThat(parse("1,\"starts here")).isInstanceOf(CsvParser.Unclosed.class);
    assertThat(parse("1,\"ends with a doubled quote\"\"")).isInstanceOf(CsvParser.Unclosed.class);
  }

  @Test
  void aQuoteInsideAnUnquotedValueIsMalformedAndSaysWhere() {
    assertThat(parse("1,O\"Brien,3")).isInstanceOfSatisfying(CsvParser.Malformed.class,
        m -> assertThat(m.message()).startsWith("column 2: a quote inside an unquoted value"));
  }

  @Test
  void textAfterAClosingQuoteIsMalformed() {
    assertThat(parse("\"a\"b,c")).isInstanceOfSatisfying(CsvParser.Malformed.class,
        m -> assertThat(m.message()).startsWith("column 1: 'b' after the closing quote"));
  }

  @Test
  void anEmptyRecordIsOneEmptyValue() {
    assertThat(parse("")).isEqualTo(new CsvParser.Values(java.util.List.of("")));
  }

  private static CsvParser.Parsed parse(String record) {
    return CsvParser.parse(record.getBytes(StandardCharsets.UTF_8));
  }
}
