package io.trackpipe.collector.fileimport;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The physical lines of an input, numbered from 1, as bytes without their line end ({@code \n} or {@code \r\n}); a
 * UTF-8 byte order mark at the start of the input is dropped. A line longer than the limit is not held in memory: its
 * first {@link #KEPT_PREFIX_BYTES} are kept as a sample for its dead letter, the rest is skipped up to the next line,
 * so one huge line costs neither the run nor the lines after it. Not thread-safe.
 */
public final class LineReader implements Closeable {
  /** What a dead letter keeps of a line that is too long, as the collector keeps of a body that is too large. */
  public static final int KEPT_PREFIX_BYTES = 1024;
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /**
   * One line.
   *
   * @param bytes the line, or its first {@link #KEPT_PREFIX_BYTES} when it is {@link #tooLong()}
   * @param length the line's whole length in bytes, without its line end
   */
  public record Line(long number, byte[] bytes, long length, boolean tooLong) {
    public Line {
      requireNonNull(bytes, "bytes is null");
    }

    /** Empty or only spaces and tabs: no record. */
    public boolean blank() {
      if (tooLong) return false;
      for (byte b : bytes) {
        if (b != ' ' && b != '\t') return false;
      }
      return true;
    }
  }

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buffer = new byte[256 * 1024];
  private int position;
  private int limit;
  private boolean ended;
  private boolean started;
  private long lineNumber;
  private long bytesRead;
  /** The line being assembled when it spans buffer refills; grows up to the line limit. */
  private byte[] pending = new byte[1024];

  /** @param maxLineBytes longer lines are returned {@link Line#tooLong()}, with a prefix only */
  public LineReader(InputStream in, int maxLineBytes) {
    this.in = requireNonNull(in, "in is null");
    if (maxLineBytes <= 0) throw new IllegalArgumentException("maxLineBytes must be > 0");
    this.maxLineBytes = maxLineBytes;
  }

  /** The next line, or null at the end of the input. A last line without a line end is a line. */
  public Line next() throws IOException {
    if (!started) {
      started = true;
      skipByteOrderMark();
    }
    int length = 0; // bytes of the line held in pending
    long total = 0; // bytes of the line seen, held or not
    byte last = 0;
    while (true) {
      if (position == limit && !fill()) {
        if (total == 0) return null;
        if (last == '\r') {
          total--;
          length = (int) Math.min(length, total);
        }
        return line(length, total);
      }
      int newline = indexOfNewline();
      int end = newline < 0 ? limit : newline;
      int chunk = end - position;
      // One byte of slack: a line of exactly the limit may still be followed by the '\r' of its line end.
      int keep = total + chunk <= maxLineBytes + 1L ? chunk : Math.max(0, Math.min(chunk, KEPT_PREFIX_BYTES - length));
      if (keep > 0) {
        if (length + keep > pending.length) pending = Arrays.copyOf(pending, Math.max(length + keep, pending.length * 2));
        System.arraycopy(buffer, position, pending, length, keep);
        length += keep;
      }
      if (chunk > 0) last = buffer[end - 1];
      total += chunk;
      if (newline >= 0) {
        position = newline + 1;
        if (total > 0 && last == '\r') {
          total--;
          length = (int) Math.min(length, total);
        }
        return line(length, total);
      }
      position = limit;
    }
  }

  private Line line(int length, long total) {
    lineNumber++;
    boolean tooLong = total > maxLineBytes;
    byte[] bytes = Arrays.copyOf(pending, tooLong ? Math.min(length, KEPT_PREFIX_BYTES) : length);
    return new Line(lineNumber, bytes, total, tooLong);
  }

  private int indexOfNewline() {
    for (int i = position; i < limit; i++) {
      if (buffer[i] == '\n') return i;
    }
    return -1;
  }

  private boolean fill() throws IOException {
    if (ended) return false;
    int n = in.read(buffer, 0, buffer.length);
    if (n < 0) {
      ended = true;
      return false;
    }
    position = 0;
    limit = n;
    bytesRead += n;
    return true;
  }

  private void skipByteOrderMark() throws IOException {
    while (limit < BOM.length && !ended) {
      int n = in.read(buffer, limit, buffer.length - limit);
      if (n < 0) {
        ended = true;
      } else {
        limit += n;
        bytesRead += n;
      }
    }
    if (limit >= BOM.length && buffer[0] == BOM[0] && buffer[1] == BOM[1] && buffer[2] == BOM[2]) position = BOM.length;
  }

  /** The lines returned so far. */
  public long lineNumber() {
    return lineNumber;
  }

  /** Bytes read from the input so far (ahead of the lines returned by up to one buffer). */
  public long bytesRead() {
    return bytesRead;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
