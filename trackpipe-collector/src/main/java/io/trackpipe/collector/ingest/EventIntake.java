package io.trackpipe.collector.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.trackpipe.event.legacy.DecodeResult;
import io.trackpipe.event.legacy.DecodedEvent;
import io.trackpipe.event.legacy.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;
import io.trackpipe.event.legacy.TrackingField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Judges one event exactly as the streaming job will ({@link EventDecoder}, same limits), and completes what the
 * collector may supply: an event without {@code create_time} gets a new time-based id, and one without {@code ts} gets
 * the receive time as its event time (a pixel in an e-mail has no clock to send). A field sent as {@code null} counts
 * as missing, as everywhere in the schema; a field that is present but wrong is never replaced, it is rejected.
 *
 * <p>Valid events keep the client's bytes untouched; completed ones are rewritten field by field (same names, same
 * values, numbers as sent). Thread-safe.
 */
public final class EventIntake {
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final String CREATE_TIME = TrackingField.CREATE_TIME.jsonName();
  private static final String TS = TrackingField.TS.jsonName();
  private static final String UID = TrackingField.UID.jsonName();

  private final EventDecoder decoder;
  private final EventIds ids;

  public EventIntake(EventLimits limits, EventIds ids) {
    this.decoder = new EventDecoder(limits);
    this.ids = ids;
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
    if (rejected.reason() != RejectReason.MISSING_FIELD) {
      return new IntakeResult.Rejected(rejected.reason(), rejected.message());
    }
    // Only a structurally valid object gets this far: the decoder checks everything else before required fields.
    byte[] completed = complete(raw, receivedAtMillis);
    DecodeResult second = decoder.decode(completed, receivedAtMillis);
    if (second instanceof DecodeResult.Accepted accepted) {
      return new IntakeResult.Accepted(completed, key(accepted.event(), completed));
    }
    DecodeResult.Rejected again = (DecodeResult.Rejected) second;
    return new IntakeResult.Rejected(again.reason(), again.message());
  }

  /** The object with {@code create_time} and {@code ts} first, filled in where they were missing or null. */
  private byte[] complete(byte[] raw, long receivedAtMillis) {
    try (JsonParser parser = JSON.createParser(raw); ByteArrayBuilder out = new ByteArrayBuilder(raw.length + 64)) {
      try (JsonGenerator json = JSON.createGenerator(out)) {
        parser.nextToken();
        // A first pass finds which of the two are really there (non-null), so they can lead the rewritten object.
        String createTime = null;
        JsonToken tsToken = null;
        String tsText = null;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken value = parser.nextToken();
          if (name.equals(CREATE_TIME) && value != JsonToken.VALUE_NULL) {
            createTime = parser.getText();
          } else if (name.equals(TS) && value != JsonToken.VALUE_NULL) {
            tsToken = value;
            tsText = parser.getText();
          }
          parser.skipChildren();
        }
        json.writeStartObject();
        json.writeStringField(CREATE_TIME, createTime != null ? createTime : ids.next(receivedAtMillis).toString());
        if (tsToken == JsonToken.VALUE_STRING) {
          json.writeStringField(TS, tsText);
        } else if (tsToken != null) {
          json.writeFieldName(TS);
          json.writeNumber(tsText);
        } else {
          json.writeNumberField(TS, receivedAtMillis);
        }
        try (JsonParser again = JSON.createParser(raw)) {
          again.nextToken();
          while (again.nextToken() == JsonToken.FIELD_NAME) {
            String name = again.currentName();
            JsonToken value = again.nextToken();
            if (name.equals(CREATE_TIME) || name.equals(TS)) continue;
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

  /** Job id when there is one (per-job order), else the visitor id (per-visitor order), else the event id. */
  private static byte[] key(DecodedEvent event, byte[] value) {
    if (event.jobId() != null) return Long.toString(event.jobId()).getBytes(StandardCharsets.US_ASCII);
    String uid = uid(value);
    return (uid != null ? uid : event.id()).getBytes(StandardCharsets.UTF_8);
  }

  private static String uid(byte[] value) {
    try (JsonParser parser = JSON.createParser(value)) {
      parser.nextToken();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        if (name.equals(UID)) {
          return token == JsonToken.VALUE_NULL || !token.isScalarValue() ? null : parser.getText();
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null; // already decoded once, so unreachable; the event id is a fine key then
    }
  }
}
