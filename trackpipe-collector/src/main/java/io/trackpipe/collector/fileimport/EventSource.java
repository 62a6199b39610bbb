package io.trackpipe.collector.fileimport;

import java.io.Closeable;
import java.io.IOException;

/** The records of one imported input, in order: {@link JsonLinesSource} or {@link CsvSource}. Not thread-safe. */
public interface EventSource extends Closeable {
  /** The next record, or null at the end of the input; blank lines are skipped. */
  ImportItem next() throws IOException;

  /** Physical lines read so far (a CSV value may span lines; a CSV file's header is one). */
  long linesRead();

  /** Blank lines skipped so far. */
  long blankLines();

  /** Bytes read from the input so far. */
  long bytesRead();
}
