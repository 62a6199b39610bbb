package io.trackpipe.collector.ingest;

/**
 * Where the id of an event sent without one comes from, for domains whose id says {@code when-missing: assign}. The
 * collector gives each such event a new time-based id ({@link EventIds}); {@code trackpipe import} derives it from the
 * event's content ({@link ContentIds}), so a file imported twice is counted once downstream. Implementations are
 * thread-safe.
 */
public interface AssignedIds {
  /**
   * @param event the event as it came, without its id
   * @param receivedAtMillis when it arrived
   * @return the id to give it, as text
   */
  String idFor(byte[] event, long receivedAtMillis);
}
