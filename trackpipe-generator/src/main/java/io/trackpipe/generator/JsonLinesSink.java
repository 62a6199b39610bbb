package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes each record's value followed by {@code '\n'}: JSON lines, the format Spark's batch job and {@code kcat}
 * read. Keys are not written. Generated values never contain a raw newline (the JSON writer escapes them), so every
 * record, malformed ones included, is exactly one line.
 */
public final class JsonLinesSink implements EventSink {
  private static final int BUFFER_BYTES = 256 * 1024;

  private final OutputStream out;
  private final String destination;
  private boolean closed;

  /**
   * @param out closed by {@link #close()}
   * @param destination names the target in error messages, e.g. a file name or "standard output"
   */
  public JsonLinesSink(OutputStream out, String destination) {
    this.out = new BufferedOutputStream(requireNonNull(out, "out is null"), BUFFER_BYTES);
    this.destination = requireNonNull(destination, "destination is null");
  }

  /** Creates or truncates {@code file}. */
  public static JsonLinesSink toFile(Path file) {
    try {
      return new JsonLinesSink(Files.newOutputStream(file), file.toString());
    } catch (IOException e) {
      throw new EventSinkException("Cannot open " + file + " for writing generated events: " + e.getMessage(), e);
    }
  }

  @Override
  public void send(GeneratedRecord record) {
    try {
      out.write(record.value());
      out.write('\n');
    } catch (IOException e) {
      throw failure("write to", e);
    }
  }

  @Override
  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw failure("flush", e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw failure("close", e);
    }
  }

  private EventSinkException failure(String action, IOException e) {
    return new EventSinkException("Cannot " + action + " " + destination + ": " + e.getMessage(), e);
  }
}
