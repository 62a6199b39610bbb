package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTest {

  @Test
  void writesEachRecordAsOneLineThatReadsBackByteForByte(@TempDir Path dir) throws IOException {
    GeneratorConfig config = GeneratorConfig.builder(SampleDimensions.generate(2))
        .duplicateRatio(0.1).lateRatio(0.1).malformedRatio(0.2).build();
    List<GeneratedRecord> records = EventGeneratorTest.generate(config, 5_000);
    Path file = dir.resolve("events.jsonl");

    try (JsonLinesSink sink = JsonLinesSink.toFile(file)) {
      records.forEach(sink::send);
    }

    List<byte[]> lines = splitLines(Files.readAllBytes(file));
    assertThat(lines).hasSameSizeAs(records);
    for (int i = 0; i < records.size(); i++) {
      assertThat(lines.get(i)).as("line %d", i + 1).isEqualTo(records.get(i).value());
    }
  }

  @Test
  void flushMakesSentRecordsVisible() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonLinesSink sink = new JsonLinesSink(out, "memory");
    sink.send(new GeneratedRecord("1", "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        GeneratedRecord.Kind.VALID));

    assertThat(out.size()).as("buffered until flushed").isZero();
    sink.flush();
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}\n");
    sink.close();
    sink.close();
  }

  @Test
  void aFileThatCannotBeOpenedIsNamedInTheError(@TempDir Path dir) {
    Path impossible = dir.resolve("missing-folder").resolve("events.jsonl");

    assertThatThrownBy(() -> JsonLinesSink.toFile(impossible))
        .isInstanceOf(EventSinkException.class)
        .hasMessageContaining("Cannot open " + impossible);
  }

  private static List<byte[]> splitLines(byte[] content) {
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n') {
        lines.add(Arrays.copyOfRange(content, start, i));
        start = i + 1;
      }
    }
    assertThat(start).as("the file ends with a newline").isEqualTo(content.length);
    return lines;
  }
}
