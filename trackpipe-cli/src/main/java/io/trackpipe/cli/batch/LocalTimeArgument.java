package io.trackpipe.cli.batch;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * A --from/--to value: local wall-clock time in {@code stream.time-zone} ({@code 2024-05-01}, {@code 2024-05-01T10:00}),
 * or an instant with an offset ({@code 2024-05-01T10:00+07:00}, {@code …Z}), converted to that zone.
 */
final class LocalTimeArgument {
  private LocalTimeArgument() {}

  /** @throws IllegalArgumentException saying which forms are accepted */
  static LocalDateTime parse(String option, String text, ZoneId zone) {
    String t = text.trim();
    try {
      if (t.matches("\\d{4}-\\d{2}-\\d{2}")) return LocalDate.parse(t).atStartOfDay();
      if (t.endsWith("Z") || t.matches(".*T.*[+-]\\d{2}:\\d{2}$")) {
        return OffsetDateTime.parse(t).atZoneSameInstant(zone).toLocalDateTime();
      }
      return LocalDateTime.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " '" + text + "' is not a date or time: use 2024-05-01, 2024-05-01T10:00 "
          + "(local time in stream.time-zone, " + zone + ") or 2024-05-01T10:00+07:00");
    }
  }
}
