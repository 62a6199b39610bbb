package io.trackpipe.event.legacy;

import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The tracker's JSON fields, with the names the seed trackers use. This enum is the single
 * definition of the raw event schema; {@code docs/event-format.md} documents it for users.
 */
public enum TrackingField {
  /** The event's unique id: a time-based UUID string. Required. */
  CREATE_TIME("create_time", Kind.ID),
  /** Event time: {@code yyyy-MM-dd HH:mm:ss} in the configured zone, ISO-8601, or epoch millis. Required. */
  TS("ts", Kind.TIME),
  JOB_ID("job_id", Kind.ID_NUMBER),
  PUBLISHER_ID("publisher_id", Kind.ID_NUMBER),
  CAMPAIGN_ID("campaign_id", Kind.ID_NUMBER),
  GROUP_ID("group_id", Kind.ID_NUMBER),
  BID("bid", Kind.MONEY),
  /** {@code click}, {@code conversion}, {@code qualified}, {@code unqualified}; other values are kept but not counted. */
  CUSTOM_TRACK("custom_track", Kind.TEXT),
  BN("bn", Kind.FREE),
  CD("cd", Kind.FREE),
  DE("de", Kind.FREE),
  DL("dl", Kind.FREE),
  DT("dt", Kind.FREE),
  ED("ed", Kind.FREE),
  EV("ev", Kind.FREE),
  ID("id", Kind.FREE),
  MD("md", Kind.FREE),
  RL("rl", Kind.FREE),
  SR("sr", Kind.FREE),
  TZ("tz", Kind.FREE),
  UA("ua", Kind.FREE),
  UID("uid", Kind.FREE),
  UTM_CAMPAIGN("utm_campaign", Kind.FREE),
  UTM_CONTENT("utm_content", Kind.FREE),
  UTM_MEDIUM("utm_medium", Kind.FREE),
  UTM_SOURCE("utm_source", Kind.FREE),
  UTM_TERM("utm_term", Kind.FREE),
  V("v", Kind.FREE),
  VP("vp", Kind.FREE);

  /** How a field's JSON value is checked. */
  public enum Kind {
    /** Non-empty string. */
    ID,
    /** Timestamp string or epoch-millis number. */
    TIME,
    /** Non-negative integral number. */
    ID_NUMBER,
    /** Finite non-negative number. */
    MONEY,
    /** String. */
    TEXT,
    /** String, number or boolean: tracker context the pipeline keeps but does not interpret. */
    FREE
  }

  private static final Map<String, TrackingField> BY_JSON_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(f -> f.jsonName, Function.identity()));

  private final String jsonName;
  private final Kind kind;

  TrackingField(String jsonName, Kind kind) {
    this.jsonName = jsonName;
    this.kind = kind;
  }

  public String jsonName() {
    return jsonName;
  }

  public Kind kind() {
    return kind;
  }

  /** The field with this JSON name, or null when the tracker schema has no such field. */
  public static TrackingField byJsonName(String name) {
    return BY_JSON_NAME.get(name);
  }
}
