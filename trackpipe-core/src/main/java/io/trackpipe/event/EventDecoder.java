package io.trackpipe.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.domain.FieldType;
import io.trackpipe.domain.Rule;
import io.trackpipe.domain.TimeFormat;
import io.trackpipe.domain.UnknownFields;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.HexFormat;

/**
 * Decodes and validates one raw record against a domain's {@link EventSchema}: the fields' types and checks, the id,
 * the event time and the rules. Every problem becomes a {@link DecodeResult.Rejected} with a reason; nothing throws for
 * bad input. The collector, the stream and the generators' checks use this one decoder, so they judge alike.
 *
 * <p>A streaming parser and a single pass keep this cheap: it runs once per event on the hot path of the streaming job
 * and the collector. Instances are immutable and thread-safe.
 */
public final class EventDecoder implements Serializable {
  private static final long serialVersionUID = 2L;
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final int SNIPPET_CHARS = 60;
  private static final long[] POWERS_OF_TEN = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
      100_000_000L, 1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L};
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  });

  private final EventSchema schema;
  private final EventLimits limits;
  private final FieldIndex positions;
  private final EventField[] fields;
  private final int idIndex;
  private final int timeIndex;
  private final int[] hashIndexes;
  private final Rule[] rules;
  private final int[] requiredIndexes;
  /** Numeric bounds, resolved once: no BigDecimal per event. */
  private final long[] minLong;
  private final long[] maxLong;
  private final double[] minDouble;
  private final double[] maxDouble;
  private final boolean keepRawOnly;
  /** Per timestamp field, which {@link TimeFormat}s it accepts, as bits by ordinal. */
  private final int[] formatBits;

  /** A decoder that keeps every field's value, the raw-only ones included (for the raw store). */
  public EventDecoder(EventSchema schema, EventLimits limits) {
    this(schema, limits, true);
  }

  private EventDecoder(EventSchema schema, EventLimits limits, boolean keepRawOnly) {
    this.schema = schema;
    this.limits = limits;
    this.keepRawOnly = keepRawOnly;
    this.positions = new FieldIndex(schema.fieldNames());
    this.fields = schema.fields().toArray(EventField[]::new);
    this.idIndex = schema.id().hashed() ? -1 : schema.indexOf(schema.id().field());
    this.timeIndex = schema.indexOf(schema.time().field());
    this.hashIndexes = schema.id().hashOf().stream().mapToInt(schema::indexOf).toArray();
    this.rules = schema.rules().toArray(Rule[]::new);
    this.requiredIndexes = java.util.stream.IntStream.range(0, fields.length)
        .filter(i -> fields[i].required() && i != idIndex && i != timeIndex).toArray();
    this.formatBits = new int[fields.length];
    this.minLong = new long[fields.length];
    this.maxLong = new long[fields.length];
    this.minDouble = new double[fields.length];
    this.maxDouble = new double[fields.length];
    for (int i = 0; i < fields.length; i++) {
      EventField f = fields[i];
      minLong[i] = f.min() == null ? Long.MIN_VALUE : f.min().setScale(0, java.math.RoundingMode.CEILING).longValue();
      maxLong[i] = f.max() == null ? Long.MAX_VALUE : f.max().setScale(0, java.math.RoundingMode.FLOOR).longValue();
      minDouble[i] = f.min() == null ? Double.NEGATIVE_INFINITY : f.min().doubleValue();
      maxDouble[i] = f.max() == null ? Double.POSITIVE_INFINITY : f.max().doubleValue();
      for (TimeFormat format : f.formats()) formatBits[i] |= 1 << format.ordinal();
    }
  }

  /**
   * A decoder that accepts and rejects exactly the same records, but leaves the raw-only fields' values null: they are
   * checked, not copied (the stream without the raw store carries no use for them).
   */
  public EventDecoder withoutRawOnlyValues() {
    return new EventDecoder(schema, limits, false);
  }

  /** Whether decoded events carry the raw-only fields' values. */
  public boolean keepsRawOnlyValues() {
    return keepRawOnly;
  }

  public EventSchema schema() {
    return schema;
  }

  public EventLimits limits() {
    return limits;
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

  /** Convenience for callers holding text. */
  public DecodeResult decode(String payload, long receivedAtMillis) {
    return decode(payload.getBytes(StandardCharsets.UTF_8), receivedAtMillis);
  }

  private DecodeResult decodeObject(JsonParser parser, long receivedAtMillis) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return reject(RejectReason.NOT_AN_OBJECT, "expected a JSON object, got " + describe(parser.currentToken()));
    }
    Object[] values = new Object[fields.length];
    byte[] seen = new byte[fields.length]; // 0 not sent, 1 sent as null, 2 sent with a value
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      int index = positions.positionOf(name);
      if (index < 0) {
        if (schema.unknownFields() == UnknownFields.REFUSE) {
          return reject(RejectReason.UNKNOWN_FIELD, "unknown field '" + snippet(name) + "' (see the domain's fields: trackpipe domains)");
        }
        parser.nextToken();
        parser.skipChildren();
        continue;
      }
      if (seen[index] != 0) return reject(RejectReason.DUPLICATE_FIELD, "field '" + name + "' appears twice");
      seen[index] = 1;
      EventField field = fields[index];
      JsonToken value = parser.nextToken();
      if (value == JsonToken.VALUE_NULL) {
        if (field.nullIsMissing()) continue;
        return wrongType(field, expected(field), parser);
      }
      Object decoded = value(field, index, value, parser);
      if (decoded instanceof DecodeResult.Rejected rejected) return rejected;
      values[index] = decoded; // null for a raw-only value checked but not kept
      seen[index] = 2;
    }
    if (token != JsonToken.END_OBJECT) {
      return reject(RejectReason.MALFORMED_JSON, "malformed JSON object");
    }
    if (parser.nextToken() != null) {
      return reject(RejectReason.MALFORMED_JSON, "unexpected content after the JSON object");
    }
    if (idIndex >= 0 && values[idIndex] == null) {
      return reject(RejectReason.MISSING_FIELD, "missing required field '" + fields[idIndex].name() + "' (the event id)");
    }
    if (values[timeIndex] == null) {
      return reject(RejectReason.MISSING_FIELD, "missing required field '" + fields[timeIndex].name() + "' (the event time)");
    }
    for (int index : requiredIndexes) {
      if (seen[index] != 2) return reject(RejectReason.MISSING_FIELD, "missing required field '" + fields[index].name() + "'");
    }
    long eventTime = (Long) values[timeIndex];
    if (eventTime > receivedAtMillis + limits.maxFutureSkew().toMillis()) {
      return reject(RejectReason.EVENT_TIME_IN_FUTURE, "event time " + Instant.ofEpochMilli(eventTime)
          + " is more than " + limits.maxFutureSkew() + " after its arrival at " + Instant.ofEpochMilli(receivedAtMillis));
    }
    for (Rule rule : rules) {
      if (rule.when().test(values) && !rule.require().test(values)) {
        return new DecodeResult.Rejected(RejectReason.RULE_VIOLATED, rule.message(), rule.name());
      }
    }
    String id = idIndex >= 0 ? String.valueOf(values[idIndex]) : hashId(values);
    return new DecodeResult.Accepted(new DecodedEvent(id, eventTime, values));
  }

  /** The field's value, or a {@link DecodeResult.Rejected}. */
  private Object value(EventField field, int index, JsonToken value, JsonParser parser) throws IOException {
    switch (field.type()) {
      case INTEGER -> {
        if (value != JsonToken.VALUE_NUMBER_INT) return wrongType(field, "an integer", parser);
        if (!fitsLong(parser)) return outOfRange(field, parser);
        long number = parser.getLongValue();
        if (number < minLong[index] || number > maxLong[index]) {
          return outside(field, Long.toString(number));
        }
        return number;
      }
      case DECIMAL -> {
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
          return wrongType(field, "a number", parser);
        }
        double amount = parser.getDoubleValue();
        double scaled = amount * POWERS_OF_TEN[field.scale()];
        if (!(amount >= minDouble[index] && amount <= maxDouble[index]) || !(Math.abs(scaled) < 9.0e18)) {
          return outside(field, snippet(parser.getText()));
        }
        long unscaled = Math.round(scaled);
        if (Math.abs(Math.abs(scaled - unscaled) - 0.5) < 1e-6) {
          // Near a tie the double may round the wrong way (9.995 is 9.99499… as a double): round the exact text, half up.
          unscaled = parser.getDecimalValue().setScale(field.scale(), java.math.RoundingMode.HALF_UP).unscaledValue().longValueExact();
        }
        return unscaled;
      }
      case TEXT -> {
        if (value != JsonToken.VALUE_STRING) return wrongType(field, "a string", parser);
        return text(field, index, parser);
      }
      case ENUM -> {
        if (value != JsonToken.VALUE_STRING) return wrongType(field, "a string", parser);
        String text = parser.getText();
        if (!field.values().contains(text)) {
          return reject(RejectReason.INVALID_VALUE, "field '" + field.name() + "' is \"" + snippet(text) + "\", not one of " + field.values());
        }
        return field.values().get(field.values().indexOf(text)); // the definition's instance: no copy kept per event
      }
      case BOOLEAN -> {
        if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) return wrongType(field, "true or false", parser);
        return value == JsonToken.VALUE_TRUE;
      }
      case TIMESTAMP -> {
        return time(field, formatBits[index], value, parser);
      }
      case ANY -> {
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          return wrongType(field, "a string, number or boolean", parser);
        }
        int max = field.maxLength() > 0 ? field.maxLength() : limits.maxFieldChars();
        if (value == JsonToken.VALUE_STRING && parser.getTextLength() > max) {
          return reject(RejectReason.INVALID_VALUE, "field '" + field.name() + "' is longer than " + max + " characters");
        }
        return keepRawOnly || !field.rawOnly() ? parser.getText() : null;
      }
      default -> throw new IllegalStateException("unhandled type " + field.type());
    }
  }

  private Object text(EventField field, int index, JsonParser parser) throws IOException {
    int max = field.maxLength() > 0 ? field.maxLength() : limits.maxFieldChars();
    if (parser.getTextLength() > max) {
      return reject(RejectReason.INVALID_VALUE, "field '" + field.name() + "' is longer than " + max + " characters");
    }
    if (!keepRawOnly && field.rawOnly()) return null;
    String text = parser.getText();
    if (index == idIndex && text.isBlank()) return reject(RejectReason.INVALID_VALUE, "field '" + field.name() + "' is empty");
    return text;
  }

  private Object time(EventField field, int formats, JsonToken value, JsonParser parser) throws IOException {
    long millis;
    boolean millisAllowed = (formats & 1 << TimeFormat.EPOCH_MILLIS.ordinal()) != 0;
    boolean secondsAllowed = (formats & 1 << TimeFormat.EPOCH_SECONDS.ordinal()) != 0;
    boolean localAllowed = (formats & 1 << TimeFormat.LOCAL.ordinal()) != 0;
    boolean isoAllowed = (formats & 1 << TimeFormat.ISO_8601.ordinal()) != 0;
    if (value == JsonToken.VALUE_NUMBER_INT && (millisAllowed || secondsAllowed)) {
      if (!fitsLong(parser)) return outOfRange(field, parser);
      long number = parser.getLongValue();
      if (millisAllowed) {
        millis = number;
      } else {
        if (Math.abs(number) > Long.MAX_VALUE / 1000) return outOfRange(field, parser);
        millis = number * 1000;
      }
    } else if (value == JsonToken.VALUE_STRING && (localAllowed || isoAllowed)) {
      String text = parser.getText();
      try {
        millis = parseTimestamp(text, localAllowed, isoAllowed);
      } catch (DateTimeException | ArithmeticException e) { // ArithmeticException: a year too far out for epoch millis
        return reject(RejectReason.INVALID_VALUE, "field '" + field.name() + "' is not a timestamp (expected "
            + formats(field) + "): \"" + snippet(text) + "\"");
      }
    } else {
      return wrongType(field, "a timestamp (" + formats(field) + ")", parser);
    }
    if (millis < EventLimits.MIN_EVENT_TIME_MILLIS) {
      return reject(RejectReason.INVALID_VALUE, "field '" + field.name() + "' is before the year 2000: " + Instant.ofEpochMilli(millis));
    }
    return millis;
  }

  private static String formats(EventField field) {
    StringBuilder out = new StringBuilder();
    for (TimeFormat f : field.formats()) {
      if (out.length() > 0) out.append(", ");
      out.append(switch (f) {
        case LOCAL -> "yyyy-MM-dd HH:mm:ss";
        case ISO_8601 -> "ISO-8601";
        case EPOCH_MILLIS -> "epoch millis";
        case EPOCH_SECONDS -> "epoch seconds";
      });
    }
    return out.toString();
  }

  /** {@code yyyy-MM-dd HH:mm:ss} (the trackers' format) on a fast path; any ISO-8601 form otherwise. */
  long parseTimestamp(String text, boolean localAllowed, boolean isoAllowed) {
    if (localAllowed && text.length() == 19 && text.charAt(10) == ' ' && text.charAt(4) == '-' && text.charAt(7) == '-'
        && text.charAt(13) == ':' && text.charAt(16) == ':') {
      LocalDateTime local = LocalDateTime.of(digits(text, 0, 4), digits(text, 5, 7), digits(text, 8, 10),
          digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19));
      return toMillis(local);
    }
    if (!isoAllowed) throw new DateTimeException("not yyyy-MM-dd HH:mm:ss");
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

  /**
   * The id of a domain without an id field: the first 128 bits of SHA-256 over the {@code hash-of} fields' names and
   * decoded values, as 32 hex digits. Equal values give equal ids, so exact copies of an event are dropped as
   * duplicates; values that differ in any of the fields are different events.
   */
  private String hashId(Object[] values) {
    MessageDigest digest = SHA_256.get();
    digest.reset();
    for (int index : hashIndexes) {
      digest.update(fields[index].name().getBytes(StandardCharsets.UTF_8));
      Object value = values[index];
      digest.update((byte) (value == null ? 1 : 0));
      if (value != null) digest.update(String.valueOf(value).getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
    }
    return HexFormat.of().formatHex(digest.digest(), 0, 16);
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

  private static String expected(EventField field) {
    return switch (field.type()) {
      case INTEGER -> "an integer";
      case DECIMAL -> "a number";
      case TEXT, ENUM -> "a string";
      case BOOLEAN -> "true or false";
      case TIMESTAMP -> "a timestamp (" + formats(field) + ")";
      case ANY -> "a string, number or boolean";
    };
  }

  private static DecodeResult.Rejected outside(EventField field, String shown) {
    String range;
    if (field.min() != null && field.max() != null) range = "outside " + field.min().toPlainString() + ".." + field.max().toPlainString();
    else if (field.min() != null) range = "below the minimum " + field.min().toPlainString();
    else if (field.max() != null) range = "above the maximum " + field.max().toPlainString();
    else range = "out of range";
    return reject(RejectReason.INVALID_VALUE, "field '" + field.name() + "' is " + shown + ", " + range);
  }

  private static DecodeResult.Rejected outOfRange(EventField field, JsonParser parser) throws IOException {
    return reject(RejectReason.INVALID_VALUE, "field '" + field.name() + "' is out of range: " + snippet(parser.getText()));
  }

  private static DecodeResult.Rejected reject(RejectReason reason, String message) {
    return new DecodeResult.Rejected(reason, message);
  }

  private static DecodeResult.Rejected wrongType(EventField field, String expected, JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    String got = describe(token);
    if (token == JsonToken.VALUE_STRING) {
      got = "string \"" + snippet(parser.getText()) + "\"";
    } else if (token != null && token.isScalarValue() && token != JsonToken.VALUE_NULL) {
      got = got + " " + snippet(parser.getText());
    }
    return reject(RejectReason.WRONG_TYPE, "field '" + field.name() + "' must be " + expected + ", got " + got);
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
  public static String snippet(String text) {
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
}
