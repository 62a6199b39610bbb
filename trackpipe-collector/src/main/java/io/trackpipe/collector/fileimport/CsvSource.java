package io.trackpipe.collector.fileimport;

import io.trackpipe.collector.ingest.TextEvent;
import io.trackpipe.event.RejectReason;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * CSV with a header row: each following record is one event, its values under the header's names converted by the
 * domain's field types ({@link TextEvent#fromRow}). A quoted value may span lines; a record that is not one of the
 * header's ({@code malformed_csv}: bad quoting, a quote never closed, another number of values) rejects only the line it
 * starts on, and reading resumes on the next line, so one stray quote costs one line, not the rest of the file.
 */
public final class CsvSource implements EventSource {
  private final LineReader lines;
  private final List<String> columns;
  private final TextEvent events;
  private final int maxRecordBytes;
  /** Lines read ahead while looking for the end of a quoted value, to be read again after a rejected record. */
  private final Deque<LineReader.Line> readAgain = new ArrayDeque<>();
  private long blank;

  private CsvSource(LineReader lines, List<String> columns, TextEvent events, int maxRecordBytes) {
    this.lines = lines;
    this.columns = List.copyOf(columns);
    this.events = events;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** The header, or why the input has none that can be read. */
  public sealed interface Opened {}

  /** A source positioned after its header, whose column names ({@link #columns()}) are still to be checked. */
  public record Ready(CsvSource source) implements Opened {}

  public record NoHeader(String problem) implements Opened {}

  /**
   * Reads the header row (names trimmed: field names hold no spaces).
   *
   * @param maxRecordBytes a longer line or record is a dead letter ({@code too_large} / {@code malformed_csv})
   */
  public static Opened open(LineReader lines, TextEvent events, int maxRecordBytes) throws IOException {
    LineReader.Line header = lines.next();
    while (header != null && header.blank()) header = lines.next();
    if (header == null) return new NoHeader("no header row: the input is empty");
    if (header.tooLong()) return new NoHeader("the header row is longer than " + maxRecordBytes + " bytes");
    CsvParser.Parsed parsed = CsvParser.parse(header.bytes());
    if (parsed instanceof CsvParser.Malformed malformed) return new NoHeader("the header row: " + malformed.message());
    if (parsed instanceof CsvParser.Unclosed) return new NoHeader("the header row has a quote that is not closed");
    List<String> names = ((CsvParser.Values) parsed).values().stream().map(String::trim).toList();
    return new Ready(new CsvSource(lines, names, events, maxRecordBytes));
  }

  public List<String> columns() {
    return columns;
  }

  @Override
  public ImportItem next() throws IOException {
    while (true) {
      LineReader.Line first = nextLine();
      if (first == null) return null;
      if (first.tooLong()) return JsonLinesSource.tooLarge(first, maxRecordBytes);
      if (first.blank()) {
        blank++;
        continue;
      }
      return record(first);
    }
  }

  private ImportItem record(LineReader.Line first) throws IOException {
    List<LineReader.Line> spanned = new ArrayList<>();
    byte[] record = first.bytes();
    while (true) {
      CsvParser.Parsed parsed = CsvParser.parse(record);
      if (parsed instanceof CsvParser.Values values) {
        if (values.values().size() != columns.size()) {
          return malformed(first, spanned, values.values().size() + " values, but the header has " + columns.size()
              + " columns");
        }
        return new ImportItem.Event(first.number(), events.fromRow(columns, values.values()));
      }
      if (parsed instanceof CsvParser.Malformed malformed) return malformed(first, spanned, malformed.message());
      LineReader.Line more = nextLine();
      if (more == null) return malformed(first, spanned, "a quoted value is not closed before the end of the input");
      if (more.tooLong() || record.length + 1L + more.length() > maxRecordBytes) {
        readAgain.addFirst(more);
        return malformed(first, spanned, "a quoted value is not closed within " + maxRecordBytes + " bytes");
      }
      spanned.add(more);
      byte[] longer = new byte[record.length + 1 + more.bytes().length];
      System.arraycopy(record, 0, longer, 0, record.length);
      longer[record.length] = '\n';
      System.arraycopy(more.bytes(), 0, longer, record.length + 1, more.bytes().length);
      record = longer;
    }
  }

  /** Rejects the record's first line; the lines read after it are read again as records of their own. */
  private ImportItem malformed(LineReader.Line first, List<LineReader.Line> spanned, String problem) {
    for (int i = spanned.size() - 1; i >= 0; i--) readAgain.addFirst(spanned.get(i));
    String where = spanned.isEmpty() ? "" : " (a record starting on this line and read up to line "
        + spanned.get(spanned.size() - 1).number() + "; the lines after this one are read again)";
    return new ImportItem.Refused(first.number(), first.bytes(), RejectReason.MALFORMED_CSV, "malformed CSV: " + problem
        + where);
  }

  private LineReader.Line nextLine() throws IOException {
    return readAgain.isEmpty() ? lines.next() : readAgain.pollFirst();
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
