package io.trackpipe.generator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A growable UTF-8 byte buffer with the few JSON primitives the generator needs. One buffer is reused for every
 * record, and string values are escaped once up front ({@link #quoted}), which keeps generation at several hundred
 * thousand records per second. Not thread-safe.
 */
final class JsonBuffer {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
  static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
  static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

  private byte[] bytes = new byte[2048];
  private int length;

  void reset() {
    length = 0;
  }

  int length() {
    return length;
  }

  /** Keeps only the first {@code newLength} bytes. */
  void truncate(int newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IllegalArgumentException("cannot truncate " + length + " bytes to " + newLength);
    }
    length = newLength;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, length);
  }

  void raw(byte b) {
    ensureRoom(1);
    bytes[length++] = b;
  }

  void raw(byte[] chunk) {
    ensureRoom(chunk.length);
    System.arraycopy(chunk, 0, bytes, length, chunk.length);
    length += chunk.length;
  }

  void append(JsonBuffer other) {
    ensureRoom(other.length);
    System.arraycopy(other.bytes, 0, bytes, length, other.length);
    length += other.length;
  }

  /** A pre-encoded value, or JSON {@code null} when there is none. */
  void rawOrNull(byte[] chunk) {
    raw(chunk == null ? NULL : chunk);
  }

  void bool(boolean value) {
    raw(value ? TRUE : FALSE);
  }

  void number(long value) {
    if (value == Long.MIN_VALUE) {
      raw(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
      return;
    }
    ensureRoom(20);
    if (value < 0) {
      bytes[length++] = '-';
      value = -value;
    }
    int digits = digitCount(value);
    int end = length + digits;
    for (int i = end - 1; i >= length; i--) {
      bytes[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    length = end;
  }

  /** An amount of money in cents as a decimal with two places: 85 → {@code 0.85}, 300 → {@code 3.00}. */
  void cents(int cents) {
    if (cents < 0) {
      raw((byte) '-');
      cents = -cents;
    }
    number(cents / 100);
    ensureRoom(3);
    int fraction = cents % 100;
    bytes[length++] = '.';
    bytes[length++] = (byte) ('0' + fraction / 10);
    bytes[length++] = (byte) ('0' + fraction % 10);
  }

  /** Lower-case hex, left-padded with zeros to {@code digits}. */
  void hex(long value, int digits) {
    ensureRoom(digits);
    for (int i = digits - 1; i >= 0; i--) {
      bytes[length + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
    length += digits;
  }

  /** A positive value with exactly {@code digits} decimal digits, zero-padded: for dates and times. */
  void paddedNumber(int value, int digits) {
    ensureRoom(digits);
    for (int i = digits - 1; i >= 0; i--) {
      bytes[length + i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    length += digits;
  }

  /** {@code text} as a JSON string literal in UTF-8, quotes included, with every character JSON requires escaped. */
  static byte[] quoted(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            // U+2028/2029 are legal JSON but break JavaScript consumers that eval lines.
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static int digitCount(long value) {
    int digits = 1;
    long limit = 10;
    while (digits < 19 && value >= limit) {
      digits++;
      limit *= 10;
    }
    return digits;
  }

  private void ensureRoom(int extra) {
    if (length + extra > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
    }
  }
}
