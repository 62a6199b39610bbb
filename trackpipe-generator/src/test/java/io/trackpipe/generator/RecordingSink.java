package io.trackpipe.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Keeps what it is sent, in memory, and counts flushes; optionally reacts to each record. */
final class RecordingSink implements EventSink {
  final List<GeneratedRecord> records = new ArrayList<>();
  private final Consumer<GeneratedRecord> onSend;
  int flushes;
  boolean closed;

  RecordingSink() {
    this(record -> { });
  }

  RecordingSink(Consumer<GeneratedRecord> onSend) {
    this.onSend = onSend;
  }

  @Override
  public void send(GeneratedRecord record) {
    records.add(record);
    onSend.accept(record);
  }

  @Override
  public void flush() {
    flushes++;
  }

  @Override
  public void close() {
    closed = true;
  }

  long count(GeneratedRecord.Kind kind) {
    return records.stream().filter(r -> r.kind() == kind).count();
  }
}
