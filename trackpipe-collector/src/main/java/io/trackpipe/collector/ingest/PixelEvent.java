package io.trackpipe.collector.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.trackpipe.event.legacy.TrackingField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the query parameters of a pixel request ({@code /v1/pixel.gif?job_id=1532&custom_track=click}) into the JSON
 * object a tracker would have posted. Query values are all text, so each takes the JSON type its field needs when the
 * text is a well-formed value of that type (ids and epoch-millis {@code ts} as integers, {@code bid} as a number);
 * otherwise it stays a string and the schema check rejects it as {@code wrong_type}, as it would a posted event.
 * Parameters that are not schema fields are kept too, so the event is rejected ({@code unknown_field}) rather than
 * silently trimmed. Repeated parameters are written repeatedly ({@code duplicate_field}).
 */
public final class PixelEvent {
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,18})");
  private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]{0,18})(\\.[0-9]{1,18})?([eE][+-]?[0-9]{1,3})?");

  private PixelEvent() {}

  /** @param parameters query parameters in request order, the write key already removed */
  public static byte[] toJson(List<Map.Entry<String, String>> parameters) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256)) {
      try (JsonGenerator json = JSON.createGenerator(out)) {
        json.writeStartObject();
        for (Map.Entry<String, String> parameter : parameters) {
          json.writeFieldName(parameter.getKey());
          String text = parameter.getValue();
          if (isNumber(TrackingField.byJsonName(parameter.getKey()), text)) {
            json.writeNumber(text);
          } else {
            json.writeString(text);
          }
        }
        json.writeEndObject();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a pixel event to memory", e);
    }
  }

  private static boolean isNumber(TrackingField field, String text) {
    if (field == null) return false;
    return switch (field.kind()) {
      case ID_NUMBER, TIME -> INTEGER.matcher(text).matches();
      case MONEY -> NUMBER.matcher(text).matches();
      default -> false;
    };
  }
}
