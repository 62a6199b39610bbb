package io.trackpipe.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How a setting's text becomes a typed value. Parsers throw {@link IllegalArgumentException} with a message for people. */
public record ValueType<T>(String name, Function<String, T> parser) {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  public static final ValueType<String> STRING = new ValueType<>("string", s -> s);
  public static final ValueType<Integer> INT = new ValueType<>("integer", s -> {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an integer: '" + s + "'");
    }
  });
  public static final ValueType<Long> LONG = new ValueType<>("integer", s -> {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an integer: '" + s + "'");
    }
  });
  public static final ValueType<Double> NUMBER = new ValueType<>("number", s -> {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: '" + s + "'");
    }
  });
  public static final ValueType<Boolean> BOOLEAN = new ValueType<>("boolean", s -> switch (s.trim().toLowerCase(Locale.ROOT)) {
    case "true", "yes", "on" -> true;
    case "false", "no", "off" -> false;
    default -> throw new IllegalArgumentException("not a boolean (true/false): '" + s + "'");
  });
  /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 such as {@code PT2H}. */
  public static final ValueType<Duration> DURATION_TYPE = new ValueType<>("duration", ValueType::parseDuration);
  public static final ValueType<ZoneId> ZONE = new ValueType<>("time zone", s -> {
    try {
      return ZoneId.of(s.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a time zone id (e.g. UTC, Asia/Ho_Chi_Minh, +07:00): '" + s + "'");
    }
  });
  public static final ValueType<Path> PATH = new ValueType<>("path", s -> Path.of(s.trim()));

  public T parse(String text) {
    return parser.apply(text);
  }

  static Duration parseDuration(String text) {
    String trimmed = text.trim();
    if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
      try {
        Duration duration = Duration.parse(trimmed);
        duration.toMillis(); // everything downstream works in millis
        return duration;
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("not a duration: '" + text + "'");
      }
    }
    Matcher m = DURATION.matcher(trimmed.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration (use e.g. 500ms, 10s, 5m, 2h, 1d): '" + text + "'");
    }
    try {
      long amount = Long.parseLong(m.group(1));
      Duration duration = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
      duration.toMillis(); // everything downstream works in millis
      return duration;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("duration out of range: '" + text + "'");
    }
  }

  /** The shortest text that parses back to this duration, for printing effective configuration. */
  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms != 0) return ms / 86_400_000 + "d";
    if (ms % 3_600_000 == 0 && ms != 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0 && ms != 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }
}
