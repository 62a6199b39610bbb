package io.trackpipe.generator;

import io.trackpipe.event.RejectReason;

/**
 * The kinds of bad input the {@link SchemaEventGenerator} makes of a domain's events, in the order it cycles through
 * the ones the schema allows. Each starts from a fresh valid event and breaks one thing.
 */
public enum SchemaMalformation {
  /** The JSON object cut off part-way, as a crashed tracker or a torn write leaves it. */
  BROKEN_JSON(RejectReason.MALFORMED_JSON),
  /** Valid JSON but not an object: in turn an array holding the event, the event as a JSON string, {@code null}. */
  NOT_AN_OBJECT(RejectReason.NOT_AN_OBJECT),
  /** One field with a value of another type (a number field with a string, …), cycling through the fields. */
  WRONG_TYPE(RejectReason.WRONG_TYPE),
  /**
   * One field with a value its definition refuses: above max (or below min), an enum value it does not list, a text
   * longer than max-length, a timestamp before 2000.
   */
  OUT_OF_RANGE(RejectReason.INVALID_VALUE),
  /** A required field left out (the id and event time too, unless the collector fills them in). */
  MISSING_FIELD(RejectReason.MISSING_FIELD),
  /** A field the schema does not declare; only for domains that refuse unknown fields. */
  UNKNOWN_FIELD(RejectReason.UNKNOWN_FIELD),
  /** An event for which a rule applies but does not hold; only for domains with rules. */
  RULE_BROKEN(RejectReason.RULE_VIOLATED);

  private final RejectReason expectedReason;

  SchemaMalformation(RejectReason expectedReason) {
    this.expectedReason = expectedReason;
  }

  /** Why the pipeline rejects such a record. */
  public RejectReason expectedReason() {
    return expectedReason;
  }
}
