package io.trackpipe.domain;

/** What the decoder does with a JSON field the schema does not declare. */
public enum UnknownFields {
  /** Reject the event ({@code unknown_field}): a typo in a tracker shows at once. */
  REFUSE,
  /** Accept the event and drop the field (trackers that send more than the analytics need). */
  IGNORE
}
