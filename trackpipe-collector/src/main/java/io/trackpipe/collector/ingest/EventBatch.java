package io.trackpipe.collector.ingest;

import io.trackpipe.event.RejectReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a request body into the raw bytes of each event, without judging the events themselves (that is
 * {@link EventIntake}'s job). Two framings are understood, told apart by the first byte that is not white space:
 *
 * <ul>
 *   <li>{@code [} — a JSON array of events. When its framing is broken (an unclosed string or bracket, a missing comma)
 *       no element can be trusted, so the whole body is refused ({@code malformed_json}); an element that is framed
 *       soundly but is not valid JSON inside is one rejected event.
 *   <li>anything else — JSON lines: one event per line, blank lines skipped. Lines are independent, so a broken line is
 *       just one rejected event.
 * </ul>
 *
 * Each event keeps its original bytes exactly, so a rejected one can be kept in the dead-letter topic as it was sent.
 */
public final class EventBatch {
  /** Deeper nesting is no event of ours: the schema's values are all scalars. */
  private static final int MAX_DEPTH = 64;

  /** The outcome of splitting: the events, or why the body as a whole is refused. */
  public sealed interface Split {}

  /** The events in request order; the position in the list is the event's index in answers and dead letters. */
  public record Events(List<byte[]> events) implements Split {
    public Events {
      events = List.copyOf(events);
    }
  }

  /** The body as a whole is refused; {@link RejectReason#TOO_LARGE} when it holds too many events. */
  public record Refused(RejectReason reason, String message) implements Split {}

  private EventBatch() {}

  public static Split split(byte[] body, int maxEvents) {
    int first = 0;
    while (first < body.length && isWhitespace(body[first])) first++;
    if (first == body.length) {
      return new Refused(RejectReason.EMPTY, "empty request body: expected a JSON array of events or JSON lines");
    }
    return body[first] == '[' ? splitArray(body, maxEvents) : splitLines(body, maxEvents);
  }

  /**
   * Finds each element's bytes with a single scan that follows strings, escapes and nested brackets, without parsing
   * values: each event is parsed once, by the decoder. Broken framing (an unclosed string or bracket, brackets that do
   * not match, a missing or extra comma, content after the array) refuses the body; an element whose framing is sound
   * but whose content is not valid JSON is one rejected event.
   */
  private static Split splitArray(byte[] body, int maxEvents) {
    List<byte[]> events = new ArrayList<>();
    byte[] open = new byte[MAX_DEPTH];
    int count = 0;
    int i = skipWhitespace(body, 0) + 1; // past '['
    i = skipWhitespace(body, i);
    if (i < body.length && body[i] == ']') {
      return afterArray(body, i + 1, events);
    }
    while (true) {
      if (i >= body.length) return unclosed();
      int start = i;
      int depth = 0;
      scan:
      while (i < body.length) {
        byte b = body[i];
        switch (b) {
          case '"' -> {
            i = skipString(body, i);
            if (i < 0) return new Refused(RejectReason.MALFORMED_JSON, "malformed JSON: a string in the array is not closed");
            if (depth == 0) break scan;
            continue;
          }
          case '{', '[' -> {
            if (depth == MAX_DEPTH) {
              return new Refused(RejectReason.MALFORMED_JSON, "malformed JSON: nested deeper than " + MAX_DEPTH + " levels");
            }
            open[depth++] = b;
          }
          case '}', ']' -> {
            if (depth == 0) break scan; // the end of a scalar element: the array's own ']'
            byte expected = b == '}' ? (byte) '{' : (byte) '[';
            if (open[--depth] != expected) {
              return new Refused(RejectReason.MALFORMED_JSON, "malformed JSON: '" + (char) b + "' at byte " + i
                  + " does not close '" + (char) open[depth] + "'");
            }
            if (depth == 0) {
              i++;
              break scan;
            }
          }
          case ',', ' ', '\t', '\r', '\n' -> {
            if (depth == 0) break scan;
          }
          default -> { }
        }
        i++;
      }
      if (depth > 0) return unclosed();
      if (i == start) {
        return new Refused(RejectReason.MALFORMED_JSON, "malformed JSON: an element of the array is missing at byte " + i);
      }
      if (++count <= maxEvents) events.add(Arrays.copyOfRange(body, start, i));
      i = skipWhitespace(body, i);
      if (i >= body.length) return unclosed();
      if (body[i] == ']') {
        return count > maxEvents ? tooMany(count, maxEvents) : afterArray(body, i + 1, events);
      }
      if (body[i] != ',') {
        return new Refused(RejectReason.MALFORMED_JSON, "malformed JSON: expected ',' or ']' after an element at byte " + i);
      }
      i = skipWhitespace(body, i + 1);
    }
  }

  /** The index just past the string's closing quote, or -1 when the string is not closed. */
  private static int skipString(byte[] body, int openingQuote) {
    for (int i = openingQuote + 1; i < body.length; i++) {
      byte b = body[i];
      if (b == '\\') {
        i++;
      } else if (b == '"') {
        return i + 1;
      }
    }
    return -1;
  }

  private static Split afterArray(byte[] body, int from, List<byte[]> events) {
    if (skipWhitespace(body, from) != body.length) {
      return new Refused(RejectReason.MALFORMED_JSON, "malformed JSON: content after the array of events");
    }
    return new Events(events);
  }

  private static Refused unclosed() {
    return new Refused(RejectReason.MALFORMED_JSON, "malformed JSON: the array of events is not closed");
  }

  private static int skipWhitespace(byte[] body, int from) {
    int i = from;
    while (i < body.length && isWhitespace(body[i])) i++;
    return i;
  }

  private static Split splitLines(byte[] body, int maxEvents) {
    List<byte[]> events = new ArrayList<>();
    int count = 0;
    int start = 0;
    while (start < body.length) {
      int newline = indexOf(body, (byte) '\n', start);
      int end = newline < 0 ? body.length : newline;
      int contentEnd = end > start && body[end - 1] == '\r' ? end - 1 : end;
      if (!isBlank(body, start, contentEnd) && ++count <= maxEvents) {
        events.add(Arrays.copyOfRange(body, start, contentEnd));
      }
      start = end + 1;
    }
    return count > maxEvents ? tooMany(count, maxEvents) : new Events(events);
  }

  private static Refused tooMany(int count, int maxEvents) {
    return new Refused(RejectReason.TOO_LARGE,
        "request holds " + count + " events, more than the limit of " + maxEvents + " per request");
  }

  private static int indexOf(byte[] bytes, byte wanted, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == wanted) return i;
    }
    return -1;
  }

  private static boolean isBlank(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isWhitespace(bytes[i])) return false;
    }
    return true;
  }

  private static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }
}
