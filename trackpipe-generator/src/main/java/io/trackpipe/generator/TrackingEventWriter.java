package io.trackpipe.generator;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Writes a {@link SyntheticEvent} as the trackers' JSON: every {@link JobAdsField}, in declaration order, with
 * {@code ts} as {@code yyyy-MM-dd HH:mm:ss} in UTC. Optionally applies a field-level {@link Malformation}. Not
 * thread-safe: it caches the last formatted second, since consecutive events mostly share it.
 */
final class TrackingEventWriter {
  private static final JobAdsField[] FIELDS = JobAdsField.values();
  /** {@code "name":} per field, and with a leading comma for all but the first written field. */
  private static final byte[][] NAMES = new byte[FIELDS.length][];
  private static final byte[][] NAMES_AFTER_COMMA = new byte[FIELDS.length][];
  private static final byte[] CHARACTER_SET = JsonBuffer.quoted("UTF-8");
  private static final byte[] EMPTY_STRING = JsonBuffer.quoted("");
  private static final byte[] UNKNOWN_FIELD_NAME = JsonBuffer.ascii(",\"" + Malformation.UNKNOWN_FIELD_NAME + "\":");
  private static final int TRACKER_SCRIPT_VERSION = 1;

  static {
    for (JobAdsField field : FIELDS) {
      NAMES[field.ordinal()] = JsonBuffer.ascii("\"" + field.jsonName() + "\":");
      NAMES_AFTER_COMMA[field.ordinal()] = JsonBuffer.ascii(",\"" + field.jsonName() + "\":");
    }
  }

  private final JsonBuffer cachedTs = new JsonBuffer();
  private long cachedSecond = Long.MIN_VALUE;

  /** @param malformation a field-level malformation to apply, or null for a valid event */
  void write(SyntheticEvent event, Malformation malformation, JsonBuffer out) {
    JobAdsField broken = malformation == null ? null : malformation.field();
    out.raw((byte) '{');
    boolean first = true;
    for (JobAdsField field : FIELDS) {
      if (field == broken && malformation.replacement() == null) {
        continue; // the malformation drops this field
      }
      out.raw(first ? NAMES[field.ordinal()] : NAMES_AFTER_COMMA[field.ordinal()]);
      first = false;
      if (field == broken) {
        out.raw(malformation.replacement());
      } else {
        writeValue(field, event, out);
      }
    }
    if (malformation == Malformation.UNKNOWN_FIELD) {
      out.raw(UNKNOWN_FIELD_NAME);
      out.raw(event.job().jobId());
    }
    out.raw((byte) '}');
  }

  private void writeValue(JobAdsField field, SyntheticEvent event, JsonBuffer out) {
    Visitor visitor = event.visitor();
    switch (field) {
      case CREATE_TIME -> TimeUuidSequence.writeQuoted(event.createTime(), out);
      case TS -> writeTs(event.eventTime().getEpochSecond(), out);
      case JOB_ID -> out.rawOrNull(event.jobId());
      case PUBLISHER_ID -> out.rawOrNull(event.publisherId());
      case CAMPAIGN_ID -> out.rawOrNull(event.campaignId());
      case GROUP_ID -> out.rawOrNull(event.groupId());
      case BID -> {
        if (event.bidCents() == SyntheticEvent.NO_BID) {
          out.raw(JsonBuffer.NULL);
        } else {
          out.cents(event.bidCents());
        }
      }
      case CUSTOM_TRACK -> out.rawOrNull(event.customTrack());
      case BN -> out.raw(visitor.browserName());
      case CD -> out.number(visitor.colorDepth());
      case DE -> out.raw(CHARACTER_SET);
      case DL -> out.raw(event.job().pageUrl());
      case DT -> out.raw(event.job().title());
      case ED -> out.raw(EMPTY_STRING);
      case EV -> out.number(event.eventVersion());
      case ID -> out.raw(event.site().trackerId());
      case MD -> out.bool(visitor.mobile());
      case RL -> out.raw(event.site().referrer());
      case SR -> out.raw(visitor.screen());
      case TZ -> out.number(visitor.timeZoneOffset());
      case UA -> out.raw(visitor.userAgent());
      case UID -> out.raw(visitor.userId());
      case UTM_CAMPAIGN -> out.raw(event.job().utmCampaign());
      case UTM_CONTENT -> out.rawOrNull(event.utmContent());
      case UTM_MEDIUM -> out.raw(event.utmMedium());
      case UTM_SOURCE -> out.raw(event.site().utmSource());
      case UTM_TERM -> out.rawOrNull(event.utmTerm());
      case V -> out.number(TRACKER_SCRIPT_VERSION);
      case VP -> out.raw(visitor.viewport());
      // A field added to the schema must be given a generated value here; failing loudly beats silent gaps.
      default -> throw new IllegalStateException("the generator has no value for tracking field " + field);
    }
  }

  private void writeTs(long epochSecond, JsonBuffer out) {
    if (epochSecond != cachedSecond) {
      LocalDateTime time = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
      cachedTs.reset();
      cachedTs.raw((byte) '"');
      cachedTs.paddedNumber(time.getYear(), 4);
      cachedTs.raw((byte) '-');
      cachedTs.paddedNumber(time.getMonthValue(), 2);
      cachedTs.raw((byte) '-');
      cachedTs.paddedNumber(time.getDayOfMonth(), 2);
      cachedTs.raw((byte) ' ');
      cachedTs.paddedNumber(time.getHour(), 2);
      cachedTs.raw((byte) ':');
      cachedTs.paddedNumber(time.getMinute(), 2);
      cachedTs.raw((byte) ':');
      cachedTs.paddedNumber(time.getSecond(), 2);
      cachedTs.raw((byte) '"');
      cachedSecond = epochSecond;
    }
    out.append(cachedTs);
  }
}
