package io.trackpipe.collector.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A request's query parameters in request order, decoded strictly ({@code application/x-www-form-urlencoded}, UTF-8).
 * Jetty's own parser groups repeated names, which would reorder a pixel's fields; and a broken escape or invalid UTF-8
 * must be the client's 400, not an exception.
 */
final class QueryString {
  private QueryString() {}

  /**
   * @param rawQuery the query as sent (without {@code ?}), or null
   * @throws IllegalArgumentException naming the first problem, when the query is not URL encoding of UTF-8 text
   */
  static List<Map.Entry<String, String>> parse(String rawQuery) {
    List<Map.Entry<String, String>> parameters = new ArrayList<>();
    if (rawQuery == null || rawQuery.isEmpty()) return parameters;
    for (String pair : rawQuery.split("&", -1)) {
      if (pair.isEmpty()) continue;
      int equals = pair.indexOf('=');
      String name = decode(equals < 0 ? pair : pair.substring(0, equals));
      String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
      parameters.add(new AbstractMap.SimpleImmutableEntry<>(name, value));
    }
    return parameters;
  }

  /** The first value of {@code name}, or null. */
  static String first(List<Map.Entry<String, String>> parameters, String name) {
    for (Map.Entry<String, String> parameter : parameters) {
      if (parameter.getKey().equals(name)) return parameter.getValue();
    }
    return null;
  }

  private static String decode(String text) {
    if (text.indexOf('%') < 0 && text.indexOf('+') < 0) return text;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '+') {
        bytes.write(' ');
      } else if (c == '%') {
        int high = i + 1 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
        int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
        if (high < 0 || low < 0) {
          throw new IllegalArgumentException("'%' at position " + i + " of a parameter is not followed by two hex digits");
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else {
        // Jetty hands the query over as sent; anything beyond ASCII here was sent raw, as UTF-8.
        byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(raw, 0, raw.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("an escaped parameter is not UTF-8 text");
    }
  }
}
