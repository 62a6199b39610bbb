package io.trackpipe.generator;

/**
 * Where generated records go. Sends may be buffered or asynchronous; {@link #flush()} returns once every record sent
 * so far is delivered, and a delivery failure is thrown from {@link #send}, {@link #flush()} or {@link #close()} as an
 * {@link EventSinkException}, never swallowed.
 *
 * <p>Implementations need not be thread-safe: one thread sends, flushes and closes.
 */
public interface EventSink extends AutoCloseable {

  void send(GeneratedRecord record);

  void flush();

  /** Flushes, then releases the sink's resources. Calling it again does nothing. */
  @Override
  void close();
}
