package io.trackpipe.collector.fileimport;

import static java.util.Objects.requireNonNull;

import io.trackpipe.event.RejectReason;

/** What one record of an imported file is: an event for the domain's intake, or input refused before it. */
public sealed interface ImportItem {
  /** The line the record starts on, from 1 (the header of a CSV file is line 1). */
  long line();

  /** An event as JSON: a JSON line as read, or a CSV row written as the object a tracker would post. */
  record Event(long line, byte[] json) implements ImportItem {
    public Event {
      requireNonNull(json, "json is null");
    }
  }

  /**
   * A line that is no event: {@code malformed_csv}, or {@code too_large} (then {@code input} is its first bytes).
   *
   * @param input what the dead letter keeps: the line as read, or its first bytes
   */
  record Refused(long line, byte[] input, RejectReason reason, String message) implements ImportItem {
    public Refused {
      requireNonNull(input, "input is null");
      requireNonNull(reason, "reason is null");
      requireNonNull(message, "message is null");
    }
  }
}
