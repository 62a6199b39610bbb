package io.trackpipe.event;

/** Why a raw record was not accepted as a event of its domain. The code is what dead-letter headers and metrics carry. */
public enum RejectReason {
  EMPTY("empty"),
  TOO_LARGE("too_large"),
  MALFORMED_JSON("malformed_json"),
  /** A line of an imported CSV file that is not a record of its header: bad quoting, or too few or many values. */
  MALFORMED_CSV("malformed_csv"),
  NOT_AN_OBJECT("not_an_object"),
  UNKNOWN_FIELD("unknown_field"),
  DUPLICATE_FIELD("duplicate_field"),
  MISSING_FIELD("missing_field"),
  WRONG_TYPE("wrong_type"),
  INVALID_VALUE("invalid_value"),
  EVENT_TIME_IN_FUTURE("event_time_in_future"),
  /** A cross-field rule of the domain does not hold; the code carried is {@code rule:<name>}. */
  RULE_VIOLATED("rule");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
