package io.trackpipe.collector.fileimport;

import io.trackpipe.event.RejectReason;
import java.io.IOException;

/** JSON lines: each line that is not blank is one event, judged whole by the domain's intake. */
public final class JsonLinesSource implements EventSource {
  private final LineReader lines;
  private final int maxLineBytes;
  private long blank;

  /** @param maxLineBytes a longer line is a {@code too_large} dead letter (the decoder's payload limit) */
  public JsonLinesSource(LineReader lines, int maxLineBytes) {
    this.lines = lines;
    this.maxLineBytes = maxLineBytes;
  }

  @Override
  public ImportItem next() throws IOException {
    while (true) {
      LineReader.Line line = lines.next();
      if (line == null) return null;
      if (line.tooLong()) return tooLarge(line, maxLineBytes);
      if (line.blank()) {
        blank++;
        continue;
      }
      return new ImportItem.Event(line.number(), line.bytes());
    }
  }

  static ImportItem.Refused tooLarge(LineReader.Line line, int maxLineBytes) {
    return new ImportItem.Refused(line.number(), line.bytes(), RejectReason.TOO_LARGE, "line of " + line.length()
        + " bytes exceeds the limit of " + maxLineBytes + " bytes; the dead letter keeps its first "
        + line.bytes().length + " bytes");
  }

  @Override
  public long linesRead() {
    return lines.lineNumber();
  }

  @Override
  public long blankLines() {
    return blank;
  }

  @Override
  public long bytesRead() {
    return lines.bytesRead();
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
