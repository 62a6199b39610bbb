package io.trackpipe.collector.fileimport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {
  @Test
  void numbersLinesAndDropsLineEndsOfEitherKindAndTheByteOrderMark() throws IOException {
    List<LineReader.Line> lines = read(bytes("\uFEFFa,b\r\n\r\nc\nlast"), 100);

    assertThat(lines).extracting(l -> l.number() + ":" + text(l.bytes()))
        .containsExactly("1:a,b", "2:", "3:c", "4:last");
    assertThat(lines.get(1).blank()).isTrue();
  }

  @Test
  void aByteOrderMarkIsDroppedOnlyAtTheStart() throws IOException {
    assertThat(read(bytes("x\n\uFEFFy\n"), 100)).extracting(l -> text(l.bytes())).containsExactly("x", "\uFEFFy");
  }

  @Test
  void aLineOverTheLimitKeepsItsFirstBytesAndItsLengthAndTheNextLineIsRead() throws IOException {
    String huge = "x".repeat(300_000);
    List<LineReader.Line> lines = read(bytes("ok\n" + huge + "\r\nafter\n"), 65_536);

    assertThat(lines).hasSize(3);
    assertThat(lines.get(1).tooLong()).isTrue();
    assertThat(lines.get(1).length()).isEqualTo(300_000);
    assertThat(lines.get(1).bytes()).hasSize(LineReader.KEPT_PREFIX_BYTES);
    assertThat(text(lines.get(2).bytes())).isEqualTo("after");
    assertThat(lines.get(2).number()).isEqualTo(3);
  }

  @Test
  void aLineOfExactlyTheLimitWithACarriageReturnIsNotTooLong() throws IOException {
    List<LineReader.Line> lines = read(bytes("y".repeat(10) + "\r\n" + "z".repeat(11) + "\n"), 10);

    assertThat(lines.get(0).tooLong()).isFalse();
    assertThat(text(lines.get(0).bytes())).isEqualTo("y".repeat(10));
    assertThat(lines.get(1).tooLong()).isTrue();
  }

  @Test
  void linesSpanningManySmallReadsAreWhole() throws IOException {
    // An input that hands out one byte per read, as a slow pipe may.
    byte[] data = bytes("first line\r\nsecond\n");
    InputStream trickle = new InputStream() {
      int i;

      @Override
      public int read() {
        return i < data.length ? data[i++] & 0xFF : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (i >= data.length) return -1;
        b[off] = data[i++];
        return 1;
      }
    };
    List<LineReader.Line> lines = new ArrayList<>();
    try (LineReader reader = new LineReader(trickle, 100)) {
      for (LineReader.Line l = reader.next(); l != null; l = reader.next()) lines.add(l);
      assertThat(reader.bytesRead()).isEqualTo(data.length);
    }
    assertThat(lines).extracting(l -> text(l.bytes())).containsExactly("first line", "second");
  }

  @Test
  void anEmptyInputHasNoLines() throws IOException {
    assertThat(read(new byte[0], 10)).isEmpty();
    assertThat(read(bytes("\uFEFF"), 10)).isEmpty();
  }

  static List<LineReader.Line> read(byte[] input, int maxLineBytes) throws IOException {
    List<LineReader.Line> lines = new ArrayList<>();
    try (LineReader reader = new LineReader(new ByteArrayInputStream(input), maxLineBytes)) {
      for (LineReader.Line l = reader.next(); l != null; l = reader.next()) lines.add(l);
    }
    return lines;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
