package io.trackpipe.collector.ingest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.domain.FieldType;
import io.trackpipe.domain.TimeFormat;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Judges one event of a domain exactly as the streaming job will ({@link EventDecoder} built from the domain's
 * {@link EventSchema}, same limits), and completes what the schema lets the collector supply: an event without its id
 * field gets one from its {@link AssignedIds} when the id says {@code when-missing: assign}, and one without its event time gets
 * the receive time when the time says {@code when-missing: arrival} (a pixel in an e-mail has no clock to send). A
 * field sent as {@code null} counts as missing where the schema says so; a field that is present but wrong is never
 * replaced, it is rejected.
 *
 * <p>Valid events keep the client's bytes untouched; completed ones are rewritten with the id and the time first and
 * every other field as sent (same names, same values, numbers as written). The Kafka key is the first non-null value of
 * the schema's {@code partition-key} fields, else the event id. Thread-safe.
 */
public final class EventIntake {
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final EventDecoder decoder;
  private final AssignedIds ids;
  private final EventLimits limits;
  /** The id field when the collector assigns missing ids, else null. */
  private final String assignedId;
  /** The event-time field when the collector stamps missing times with the arrival, else null. */
  private final EventField arrivalTime;
  private final int[] keyIndexes;
  private final EventField[] keyFields;

  public EventIntake(EventSchema schema, EventLimits limits, AssignedIds ids) {
    requireNonNull(schema, "schema is null");
    this.limits = requireNonNull(limits, "limits is null");
    this.ids = requireNonNull(ids, "ids is null");
    // Raw-only values are checked, not kept: copying them costs a fifth of the decode, and only a key may need one.
    this.decoder = new EventDecoder(schema, limits).withoutRawOnlyValues();
    this.assignedId = schema.id().collectorAssigns() ? schema.id().field() : null;
    this.arrivalTime = schema.time().arrivalWhenMissing() ? schema.field(schema.time().field()).orElseThrow() : null;
    this.keyIndexes = schema.partitionKey().stream().mapToInt(schema::indexOf).toArray();
    this.keyFields = schema.partitionKey().stream().map(name -> schema.field(name).orElseThrow())
        .toArray(EventField[]::new);
  }

  /**
   * @param raw the event as the client sent it
   * @param receivedAtMillis when the request arrived; the Kafka timestamp of the record and the time of events sent
   *     without one
   */
  public IntakeResult admit(byte[] raw, long receivedAtMillis) {
    DecodeResult result = decoder.decode(raw, receivedAtMillis);
    if (result instanceof DecodeResult.Accepted accepted) {
      return new IntakeResult.Accepted(raw, key(accepted.event(), raw));
    }
    DecodeResult.Rejected rejected = (DecodeResult.Rejected) result;
    if (rejected.reason() != RejectReason.MISSING_FIELD || (assignedId == null && arrivalTime == null)) {
      return rejected(rejected);
    }
    // Only a structurally valid object gets this far: the decoder checks everything else before required fields.
    byte[] completed = complete(raw, receivedAtMillis);
    if (completed == null) return rejected(rejected); // nothing the collector may supply was missing
    DecodeResult second = decoder.decode(completed, receivedAtMillis);
    if (second instanceof DecodeResult.Accepted accepted) {
      return new IntakeResult.Accepted(completed, key(accepted.event(), completed));
    }
    return rejected((DecodeResult.Rejected) second);
  }

  private static IntakeResult.Rejected rejected(DecodeResult.Rejected rejected) {
    return new IntakeResult.Rejected(rejected.reason(), rejected.code(), rejected.message());
  }

  /**
   * The object with the id and the time first, filled in where they were missing or null; null when neither was
   * missing (or neither may be supplied).
   */
  private byte[] complete(byte[] raw, long receivedAtMillis) {
    String timeName = arrivalTime == null ? null : arrivalTime.name();
    try (JsonParser parser = JSON.createParser(raw); ByteArrayBuilder out = new ByteArrayBuilder(raw.length + 64)) {
      parser.nextToken();
      // A first pass finds which of the two are really there (non-null), so they can lead the rewritten object.
      String idText = null;
      JsonToken timeToken = null;
      String timeText = null;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (name.equals(assignedId) && value != JsonToken.VALUE_NULL) {
          idText = parser.getText();
        } else if (name.equals(timeName) && value != JsonToken.VALUE_NULL) {
          timeToken = value;
          timeText = parser.getText();
        }
        parser.skipChildren();
      }
      boolean assignId = assignedId != null && idText == null;
      boolean stampTime = arrivalTime != null && timeToken == null;
      if (!assignId && !stampTime) return null;
      try (JsonGenerator json = JSON.createGenerator(out)) {
        json.writeStartObject();
        if (assignedId != null) {
          json.writeStringField(assignedId, assignId ? ids.idFor(raw, receivedAtMillis) : idText);
        }
        if (arrivalTime != null) {
          json.writeFieldName(timeName);
          if (stampTime) {
            writeArrival(json, receivedAtMillis);
          } else if (timeToken == JsonToken.VALUE_STRING) {
            json.writeString(timeText);
          } else {
            json.writeNumber(timeText);
          }
        }
        try (JsonParser again = JSON.createParser(raw)) {
          again.nextToken();
          while (again.nextToken() == JsonToken.FIELD_NAME) {
            String name = again.currentName();
            JsonToken value = again.nextToken();
            if (name.equals(assignedId) || name.equals(timeName)) continue;
            json.writeFieldName(name);
            copyScalar(value, again, json);
          }
        }
        json.writeEndObject();
      }
      return out.toByteArray();
    } catch (IOException e) {
      // Unreachable for an object the decoder has read through; kept loud rather than silently wrong.
      throw new UncheckedIOException("cannot rewrite an event the decoder accepted as JSON", e);
    }
  }

  /** The receive time in the first form the time field accepts that keeps it: epoch millis, ISO-8601, local, seconds. */
  private void writeArrival(JsonGenerator json, long receivedAtMillis) throws IOException {
    if (arrivalTime.formats().contains(TimeFormat.EPOCH_MILLIS)) {
      json.writeNumber(receivedAtMillis);
    } else if (arrivalTime.formats().contains(TimeFormat.ISO_8601)) {
      json.writeString(Instant.ofEpochMilli(receivedAtMillis).toString());
    } else if (arrivalTime.formats().contains(TimeFormat.LOCAL)) {
      json.writeString(LOCAL.format(LocalDateTime.ofInstant(Instant.ofEpochMilli(receivedAtMillis), limits.zone())));
    } else {
      json.writeNumber(receivedAtMillis / 1000);
    }
  }

  /** Values of a structurally valid event are scalars; numbers are copied as sent, not through a double. */
  private static void copyScalar(JsonToken value, JsonParser parser, JsonGenerator json) throws IOException {
    switch (value) {
      case VALUE_STRING -> json.writeString(parser.getText());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> json.writeNumber(parser.getText());
      case VALUE_TRUE -> json.writeBoolean(true);
      case VALUE_FALSE -> json.writeBoolean(false);
      case VALUE_NULL -> json.writeNull();
      default -> json.copyCurrentStructure(parser);
    }
  }

  /**
   * The first partition-key field with a value (events with equal keys keep their order), else the event id. A raw-only
   * field's value is not in the decoded event: it is read from the bytes, which happens only when the fields before it
   * are null.
   */
  private byte[] key(DecodedEvent event, byte[] value) {
    for (int i = 0; i < keyIndexes.length; i++) {
      EventField field = keyFields[i];
      if (field.rawOnly()) {
        String text = rawText(value, field.name());
        if (text != null) return text.getBytes(StandardCharsets.UTF_8);
        continue;
      }
      Object decoded = event.value(keyIndexes[i]);
      if (decoded != null) return keyText(field, decoded).getBytes(StandardCharsets.UTF_8);
    }
    return event.id().getBytes(StandardCharsets.UTF_8);
  }

  /** A scalar field's JSON text (as the decoder would keep it), or null when absent or null. */
  private static String rawText(byte[] value, String name) {
    try (JsonParser parser = JSON.createParser(value)) {
      parser.nextToken();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken token = parser.nextToken();
        if (field.equals(name)) {
          return token == JsonToken.VALUE_NULL || !token.isScalarValue() ? null : parser.getText();
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null; // already decoded once, so unreachable; the next key field or the event id is a fine key then
    }
  }

  /** Decimals travel unscaled: the key is the number as written in plain form (1.25, not 1250000). */
  private static String keyText(EventField field, Object value) {
    if (field.type() == FieldType.DECIMAL) return BigDecimal.valueOf((Long) value, field.scale()).toPlainString();
    return value.toString();
  }
}
