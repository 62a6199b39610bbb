package io.trackpipe.session;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;

/**
 * One counted page view, as sessions see it.
 *
 * @param timeMillis the event time, epoch milliseconds
 * @param eventId the event's id: orders views of one user at the same millisecond
 * @param dimensions the values of {@link SessionDefinition#dimensions()}, in order, never null (a missing value is
 *     already its default)
 */
public record PageView(String user, long timeMillis, String eventId, String page, List<Object> dimensions)
    implements Comparable<PageView> {
  public PageView {
    requireNonNull(user, "user is null");
    requireNonNull(eventId, "eventId is null");
    requireNonNull(page, "page is null");
    // Unmodifiable without List.copyOf's null check: values were defaulted by the caller, checked there.
    dimensions = Collections.unmodifiableList(new java.util.ArrayList<>(dimensions));
  }

  /** A user's order: by time, then by event id (two views at one millisecond keep one order everywhere). */
  @Override
  public int compareTo(PageView other) {
    int byTime = Long.compare(timeMillis, other.timeMillis);
    return byTime != 0 ? byTime : eventId.compareTo(other.eventId);
  }
}
