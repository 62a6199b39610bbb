package io.trackpipe.collector.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.domain.TimeFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the query parameters of a pixel request ({@code /v1/pixel.gif?job_id=1532&custom_track=click}) into the JSON
 * object a tracker would have posted to the same domain. Parameters map onto the domain's fields by name. Query values
 * are all text, so each takes the JSON type its field needs when the text is a well-formed value of that type (integer
 * fields and epoch timestamps as integers, decimal fields as numbers, boolean fields as {@code true}/{@code false});
 * otherwise it stays a string and the schema check rejects it as {@code wrong_type}, as it would a posted event.
 * Parameters that are not fields are kept too, so the domain's {@code unknown-fields} rule applies to them as to a
 * posted event, rather than them being silently trimmed. Repeated parameters are written repeatedly
 * ({@code duplicate_field}). Immutable and thread-safe.
 */
public final class PixelEvent {
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,18})");
  private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]{0,18})(\\.[0-9]{1,18})?([eE][+-]?[0-9]{1,3})?");

  /** What a query value may become in JSON, by field name; absent names stay strings. */
  private enum Shape { INTEGER, NUMBER, BOOLEAN }

  private final Map<String, Shape> shapes;

  private PixelEvent(Map<String, Shape> shapes) {
    this.shapes = Map.copyOf(shapes);
  }

  /** The pixel of a domain: its fields' types decide what each parameter becomes. */
  public static PixelEvent of(EventSchema schema) {
    Map<String, Shape> shapes = new HashMap<>();
    for (EventField field : schema.fields()) {
      Shape shape = switch (field.type()) {
        case INTEGER -> Shape.INTEGER;
        case DECIMAL -> Shape.NUMBER;
        case BOOLEAN -> Shape.BOOLEAN;
        case TIMESTAMP -> field.formats().contains(TimeFormat.EPOCH_MILLIS)
            || field.formats().contains(TimeFormat.EPOCH_SECONDS) ? Shape.INTEGER : null;
        case TEXT, ENUM, ANY -> null;
      };
      if (shape != null) shapes.put(field.name(), shape);
    }
    return new PixelEvent(shapes);
  }

  /** @param parameters query parameters in request order, the write key already removed */
  public byte[] toJson(List<Map.Entry<String, String>> parameters) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256)) {
      try (JsonGenerator json = JSON.createGenerator(out)) {
        json.writeStartObject();
        for (Map.Entry<String, String> parameter : parameters) {
          json.writeFieldName(parameter.getKey());
          String text = parameter.getValue();
          Shape shape = shapes.get(parameter.getKey());
          if (shape == Shape.INTEGER && INTEGER.matcher(text).matches()
              || shape == Shape.NUMBER && NUMBER.matcher(text).matches()) {
            json.writeNumber(text);
          } else if (shape == Shape.BOOLEAN && (text.equals("true") || text.equals("false"))) {
            json.writeBoolean(text.equals("true"));
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
}
