package io.trackpipe.generator;

/**
 * The kinds of bad input the generator emits as {@link GeneratedRecord.Kind#MALFORMED} records, in the order it
 * cycles through them: the n-th malformed record of a run is {@code values()[n % values().length]}. Each is built
 * from a fresh, otherwise valid event, so it carries a real-looking id, time and job.
 */
public enum Malformation {
  /** The JSON object is cut off part-way, as a crashed tracker or a torn write leaves it. */
  TRUNCATED_JSON(null, null, "JSON cut off part-way"),
  /** Valid JSON but not an object: in turn an array holding the event, a string, a number, {@code null}. */
  NOT_AN_OBJECT(null, null, "JSON that is not an object"),
  /** {@code "job_id":"abc"}. */
  JOB_ID_NOT_A_NUMBER(JobAdsField.JOB_ID, "\"abc\"", "job_id is a string that is not a number"),
  /** {@code "bid":"cheap"}. */
  BID_NOT_A_NUMBER(JobAdsField.BID, "\"cheap\"", "bid is a string"),
  /** No {@code ts} field. */
  MISSING_TS(JobAdsField.TS, null, "no ts field"),
  /** No {@code create_time} field (the event id). */
  MISSING_CREATE_TIME(JobAdsField.CREATE_TIME, null, "no create_time field"),
  /** An extra field the schema does not know ({@code "jobId"}, a tracker's misspelling of {@code job_id}). */
  UNKNOWN_FIELD(null, null, "a field the schema does not have"),
  /** {@code "bid":1e12}: no click costs a trillion. */
  ABSURD_BID(JobAdsField.BID, "1e12", "bid of 1e12"),
  /** {@code "bid":-0.5}. */
  NEGATIVE_BID(JobAdsField.BID, "-0.5", "negative bid"),
  /** {@code "ts":"1970-01-01 00:00:00"}: a tracker with an unset clock. */
  TS_IN_1970(JobAdsField.TS, "\"1970-01-01 00:00:00\"", "ts in 1970"),
  /** {@code "ts":"2099-12-31 23:59:59"}: far in the future. */
  TS_FAR_IN_FUTURE(JobAdsField.TS, "\"2099-12-31 23:59:59\"", "ts in 2099"),
  /** {@code "job_id":"1; DROP TABLE events"}: must end up as a rejected string, never reach SQL. */
  SQL_IN_JOB_ID(JobAdsField.JOB_ID, "\"1; DROP TABLE events\"", "SQL injection attempt in job_id");

  /** The misspelt field {@link #UNKNOWN_FIELD} adds. */
  static final String UNKNOWN_FIELD_NAME = "jobId";

  private final JobAdsField field;
  private final byte[] replacement;
  private final String description;

  Malformation(JobAdsField field, String replacementJson, String description) {
    this.field = field;
    this.replacement = replacementJson == null ? null : JsonBuffer.ascii(replacementJson);
    this.description = description;
  }

  /** A short phrase for people: "bid of 1e12". */
  public String description() {
    return description;
  }

  /** The one field whose value this malformation replaces or removes; null for whole-record malformations. */
  JobAdsField field() {
    return field;
  }

  /** The JSON text written instead of {@link #field()}'s value; null when the field is left out. */
  byte[] replacement() {
    return replacement;
  }
}
