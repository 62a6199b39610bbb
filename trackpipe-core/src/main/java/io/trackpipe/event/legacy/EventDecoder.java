package io.trackpipe.event.legacy;

import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Decodes and validates one raw tracking record against {@link TrackingField}. Every problem becomes a
 * {@link DecodeResult.Rejected} with a reason; nothing throws for bad input.
 *
 * <p>A streaming parser and a single pass keep this cheap: it runs once per event on the hot path of the
 * streaming job and the collector. Instances are immutable and thread-safe.
 */
public final class EventDecoder implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final int SNIPPET_CHARS = 60;

  private final EventLimits limits;
  private final boolean keepContext;

  public EventDecoder(EventLimits limits) {
    this(limits, false);
  }

  private EventDecoder(EventLimits limits, boolean keepContext) {
    this.limits = limits;
    this.keepContext = keepContext;
  }

  public EventLimits limits() {
    return limits;
  }

  /**
   * A decoder that also keeps the tracker context ({@link DecodedEvent#context()}), for the raw store. It accepts and
   * rejects exactly the same records; only the copy of the free fields' text costs extra.
   */
  public EventDecoder keepingContext() {
    return new EventDecoder(limits, true);
  }

  public boolean keepsContext() {
    return keepContext;
  }

  /**
   * @param payload the raw record, UTF-8 JSON
   * @param receivedAtMillis when the pipeline received it (the Kafka record timestamp); bounds future event times
   */
  public DecodeResult decode(byte[] payload, long receivedAtMillis) {
    if (payload == null || payload.length == 0) {
      return new DecodeResult.Rejected(RejectReason.EMPTY, "empty record: expected a JSON object");
    }
    if (payload.length > limits.maxPayloadBytes()) {
      return new DecodeResult.Rejected(RejectReason.TOO_LARGE,
          "record of " + payload.length + " bytes exceeds the limit of " + limits.maxPayloadBytes() + " bytes");
    }
    if (looksLikeUtf16Or32(payload)) {
      // Jackson would silently detect and decode these; the format is UTF-8 only.
      return new DecodeResult.Rejected(RejectReason.MALFORMED_JSON, "record is not UTF-8 (it looks like UTF-16 or UTF-32)");
    }
    try (JsonParser parser = JSON.createParser(payload)) {
      return decodeObject(parser, receivedAtMillis);
    } catch (InputCoercionException e) {
      return new DecodeResult.Rejected(RejectReason.INVALID_VALUE, "number out of range: " + firstLine(e));
    } catch (JsonParseException e) {
      return new DecodeResult.Rejected(RejectReason.MALFORMED_JSON, "malformed JSON: " + firstLine(e));
    } catch (IOException | RuntimeException e) {
      return new DecodeResult.Rejected(RejectReason.MALFORMED_JSON, "unreadable record: " + firstLine(e));
    }
  }

  private DecodeResult decodeObject(JsonParser parser, long receivedAtMillis) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return new DecodeResult.Rejected(RejectReason.NOT_AN_OBJECT, "expected a JSON object, got " + describe(parser.currentToken()));
    }
    long seen = 0; // bit per TrackingField ordinal; the schema has fewer than 64 fields
    String id = null;
    long eventTime = Long.MIN_VALUE;
    Long jobId = null, publisherId = null, campaignId = null, groupId = null, bidMicros = null;
    String customTrack = null;
    TrackerContext.Builder context = keepContext ? new TrackerContext.Builder() : null;

    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      TrackingField field = TrackingField.byJsonName(name);
      if (field == null) {
        return reject(RejectReason.UNKNOWN_FIELD, "unknown field '" + snippet(name) + "' (see docs/event-format.md for the schema)");
      }
      long bit = 1L << field.ordinal();
      if ((seen & bit) != 0) {
        return reject(RejectReason.DUPLICATE_FIELD, "field '" + name + "' appears twice");
      }
      seen |= bit;
      JsonToken value = parser.nextToken();
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field.kind()) {
        case ID -> {
          if (value != JsonToken.VALUE_STRING) return wrongType(field, "a string", parser);
          id = parser.getText();
          if (id.isBlank()) return reject(RejectReason.INVALID_VALUE, "field '" + name + "' is empty");
          if (id.length() > 128) return reject(RejectReason.INVALID_VALUE, "field '" + name + "' is longer than 128 characters");
        }
        case TIME -> {
          DecodeResultOrTime parsed = parseTime(field, value, parser);
          if (parsed.rejected != null) return parsed.rejected;
          eventTime = parsed.millis;
        }
        case ID_NUMBER -> {
          if (value != JsonToken.VALUE_NUMBER_INT) return wrongType(field, "an integer", parser);
          if (!fitsLong(parser)) return outOfRange(field, parser);
          long number = parser.getLongValue();
          if (number < 0) return reject(RejectReason.INVALID_VALUE, "field '" + name + "' is negative: " + number);
          switch (field) {
            case JOB_ID -> jobId = number;
            case PUBLISHER_ID -> publisherId = number;
            case CAMPAIGN_ID -> campaignId = number;
            case GROUP_ID -> groupId = number;
            default -> throw new IllegalStateException("unhandled id field " + field);
          }
        }
        case MONEY -> {
          if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            return wrongType(field, "a number", parser);
          }
          double amount = parser.getDoubleValue();
          if (!(amount >= 0 && amount <= EventLimits.MAX_BID)) {
            return reject(RejectReason.INVALID_VALUE,
                "field '" + name + "' is " + snippet(parser.getText()) + ", outside 0.." + (long) EventLimits.MAX_BID);
          }
          bidMicros = Math.round(amount * 1_000_000d);
        }
        case TEXT -> {
          if (value != JsonToken.VALUE_STRING) return wrongType(field, "a string", parser);
          String text = parser.getText();
          if (text.length() > 64) return reject(RejectReason.INVALID_VALUE, "field '" + name + "' is longer than 64 characters");
          customTrack = text;
        }
        case FREE -> {
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            return wrongType(field, "a string, number or boolean", parser);
          }
          if (value == JsonToken.VALUE_STRING && parser.getTextLength() > limits.maxFieldChars()) {
            return reject(RejectReason.INVALID_VALUE,
                "field '" + name + "' is longer than " + limits.maxFieldChars() + " characters");
          }
          if (context != null) context.put(field, parser.getText());
        }
      }
    }
    if (token != JsonToken.END_OBJECT) {
      return reject(RejectReason.MALFORMED_JSON, "malformed JSON object");
    }
    if (parser.nextToken() != null) {
      return reject(RejectReason.MALFORMED_JSON, "unexpected content after the JSON object");
    }
    if (id == null) {
      return reject(RejectReason.MISSING_FIELD, "missing required field 'create_time' (the event id)");
    }
    if (eventTime == Long.MIN_VALUE) {
      return reject(RejectReason.MISSING_FIELD, "missing required field 'ts' (the event time)");
    }
    if (eventTime > receivedAtMillis + limits.maxFutureSkew().toMillis()) {
      return reject(RejectReason.EVENT_TIME_IN_FUTURE, "event time " + java.time.Instant.ofEpochMilli(eventTime)
          + " is more than " + limits.maxFutureSkew() + " after its arrival at " + java.time.Instant.ofEpochMilli(receivedAtMillis));
    }
    return new DecodeResult.Accepted(
        new DecodedEvent(id, eventTime, jobId, publisherId, campaignId, groupId, bidMicros, customTrack,
            context == null ? TrackerContext.EMPTY : context.build()));
  }

  private record DecodeResultOrTime(long millis, DecodeResult rejected) {}

  private DecodeResultOrTime parseTime(TrackingField field, JsonToken value, JsonParser parser) throws IOException {
    long millis;
    if (value == JsonToken.VALUE_NUMBER_INT) {
      if (!fitsLong(parser)) return new DecodeResultOrTime(0, outOfRange(field, parser));
      millis = parser.getLongValue();
    } else if (value == JsonToken.VALUE_STRING) {
      String text = parser.getText();
      try {
        millis = parseTimestamp(text);
      } catch (DateTimeException | ArithmeticException e) { // ArithmeticException: a year too far out for epoch millis
        return new DecodeResultOrTime(0, reject(RejectReason.INVALID_VALUE, "field '" + field.jsonName()
            + "' is not a timestamp (expected yyyy-MM-dd HH:mm:ss, ISO-8601 or epoch millis): \"" + snippet(text) + "\""));
      }
    } else {
      return new DecodeResultOrTime(0, wrongType(field, "a timestamp string or epoch millis", parser));
    }
    if (millis < EventLimits.MIN_EVENT_TIME_MILLIS) {
      return new DecodeResultOrTime(0, reject(RejectReason.INVALID_VALUE,
          "field '" + field.jsonName() + "' is before the year 2000: " + java.time.Instant.ofEpochMilli(millis)));
    }
    return new DecodeResultOrTime(millis, null);
  }

  /** {@code yyyy-MM-dd HH:mm:ss} (the trackers' format) on a fast path; any ISO-8601 form otherwise. */
  long parseTimestamp(String text) {
    if (text.length() == 19 && text.charAt(10) == ' ' && text.charAt(4) == '-' && text.charAt(7) == '-'
        && text.charAt(13) == ':' && text.charAt(16) == ':') {
      LocalDateTime local = LocalDateTime.of(digits(text, 0, 4), digits(text, 5, 7), digits(text, 8, 10),
          digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19));
      return toMillis(local);
    }
    try {
      TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parse(text.replace(' ', 'T'));
      if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
        return OffsetDateTime.from(parsed).toInstant().toEpochMilli();
      }
      return toMillis(LocalDateTime.from(parsed));
    } catch (DateTimeParseException e) {
      throw new DateTimeException(e.getMessage(), e);
    }
  }

  private long toMillis(LocalDateTime local) {
    if (limits.zone() instanceof ZoneOffset offset) {
      return local.toInstant(offset).toEpochMilli();
    }
    return local.atZone(limits.zone()).toInstant().toEpochMilli();
  }

  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') throw new DateTimeException("not a digit at position " + i);
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /**
   * Jackson picks the encoding from the first bytes; a NUL byte or a UTF-16 byte-order mark there means UTF-16 or
   * UTF-32, and neither can start UTF-8 JSON text.
   */
  private static boolean looksLikeUtf16Or32(byte[] payload) {
    int first = payload[0] & 0xFF;
    return first == 0 || first == 0xFE || first == 0xFF || (payload.length > 1 && payload[1] == 0);
  }

  private static boolean fitsLong(JsonParser parser) throws IOException {
    JsonParser.NumberType type = parser.getNumberType();
    return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG;
  }

  private static DecodeResult outOfRange(TrackingField field, JsonParser parser) throws IOException {
    return reject(RejectReason.INVALID_VALUE, "field '" + field.jsonName() + "' is out of range: " + snippet(parser.getText()));
  }

  private static DecodeResult reject(RejectReason reason, String message) {
    return new DecodeResult.Rejected(reason, message);
  }

  private static DecodeResult wrongType(TrackingField field, String expected, JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    String got = describe(token);
    if (token == JsonToken.VALUE_STRING) {
      got = "string \"" + snippet(parser.getText()) + "\"";
    } else if (token != null && token.isScalarValue()) {
      got = got + " " + snippet(parser.getText());
    }
    return reject(RejectReason.WRONG_TYPE, "field '" + field.jsonName() + "' must be " + expected + ", got " + got);
  }

  private static String describe(JsonToken token) {
    if (token == null) return "nothing";
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }

  /**
   * Bounded and control-character free, so a hostile value cannot flood logs or forge log lines. Surrogates that do not
   * form a pair (sent as {@code \ud800}, or left by the cut) become {@code ?} too: JSON and UTF-8 writers cannot carry
   * them.
   */
  static String snippet(String text) {
    boolean cut = text.length() > SNIPPET_CHARS;
    int end = cut ? SNIPPET_CHARS : text.length();
    StringBuilder out = new StringBuilder(end + 1);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i)); // a pair stays whole, even one the cut would split
      } else {
        out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
      }
    }
    return cut ? out.append('…').toString() : out.toString();
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return snippet(newline < 0 ? message : message.substring(0, newline));
  }

  /** Convenience for callers holding text. */
  public DecodeResult decode(String payload, long receivedAtMillis) {
    return decode(payload.getBytes(StandardCharsets.UTF_8), receivedAtMillis);
  }
}
