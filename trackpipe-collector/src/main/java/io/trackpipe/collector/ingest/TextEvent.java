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
 * Turns named text values into the JSON object a tracker would have posted to the same domain: the query parameters of
 * a pixel request ({@code /v1/pixel.gif?job_id=1532&custom_track=click}) and the cells of a CSV row imported by
 * {@code trackpipe import}. Names map onto the domain's fields. Text values take the JSON type their field needs when
 * the text is a well-formed value of that type (integer fields and epoch timestamps as integers, decimal fields as
 * numbers, boolean fields as {@code true}/{@code false}); otherwise a value stays a string and the schema check rejects
 * it as {@code wrong_type}, as it would a posted event. Names that are not fields are kept too, so the domain's
 * {@code unknown-fields} rule applies to them as to a posted event, rather than them being silently trimmed. Immutable
 * and thread-safe.
 */
public final class TextEvent {
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,18})");
  private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]{0,18})(\\.[0-9]{1,18})?([eE][+-]?[0-9]{1,3})?");

  /** What a text value may become in JSON, by field name; absent names stay strings. */
  private enum Shape { INTEGER, NUMBER, BOOLEAN }

  private final Map<String, Shape> shapes;

  private TextEvent(Map<String, Shape> shapes) {
    this.shapes = Map.copyOf(shapes);
  }

  /** The converter of a domain: its fields' types decide what each value becomes. */
  public static TextEvent of(EventSchema schema) {
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
    return new TextEvent(shapes);
  }

  /**
   * A pixel's event. Every parameter is written, an empty one as {@code ""} (a tracker may send {@code custom_track=}
   * on purpose), a repeated one repeatedly ({@code duplicate_field}).
   *
   * @param parameters query parameters in request order, the write key already removed
   */
  public byte[] fromQuery(List<Map.Entry<String, String>> parameters) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256)) {
      try (JsonGenerator json = JSON.createGenerator(out)) {
        json.writeStartObject();
        for (Map.Entry<String, String> parameter : parameters) {
          write(json, parameter.getKey(), parameter.getValue());
        }
        json.writeEndObject();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write an event to memory", e);
    }
  }

  /**
   * A CSV row's event: the value under each column, in column order. An empty cell is a field not sent: CSV cannot tell
   * an empty text from a missing value, and a missing one is what an empty cell of a number or a time means.
   *
   * @param columns the header's names
   * @param values the row's values, as many as there are columns
   */
  public byte[] fromRow(List<String> columns, List<String> values) {
    if (columns.size() != values.size()) {
      throw new IllegalArgumentException(values.size() + " values for " + columns.size() + " columns");
    }
    try (ByteArrayBuilder out = new ByteArrayBuilder(256)) {
      try (JsonGenerator json = JSON.createGenerator(out)) {
        json.writeStartObject();
        for (int i = 0; i < columns.size(); i++) {
          String value = values.get(i);
          if (!value.isEmpty()) write(json, columns.get(i), value);
        }
        json.writeEndObject();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write an event to memory", e);
    }
  }

  private void write(JsonGenerator json, String name, String text) throws IOException {
    json.writeFieldName(name);
    Shape shape = shapes.get(name);
    if (shape == Shape.INTEGER && INTEGER.matcher(text).matches()
        || shape == Shape.NUMBER && NUMBER.matcher(text).matches()) {
      json.writeNumber(text);
    } else if (shape == Shape.BOOLEAN && (text.equals("true") || text.equals("false"))) {
      json.writeBoolean(text.equals("true"));
    } else {
      json.writeString(text);
    }
  }
}
