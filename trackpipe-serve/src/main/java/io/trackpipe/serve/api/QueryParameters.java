package io.trackpipe.serve.api;

import io.trackpipe.domain.DashboardDefinition;
import io.trackpipe.domain.DashboardDefinition.DashboardDimension;
import io.trackpipe.domain.DashboardDefinition.Kind;
import io.trackpipe.domain.DashboardDefinition.Measure;
import io.trackpipe.serve.query.FactFilter;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jetty.util.Fields;

/**
 * A request's query parameters, checked: only the route's known parameters, each at most once, each well-formed and
 * within limits. Every problem is a {@link BadRequest} naming the parameter and what it must be.
 */
final class QueryParameters {
  /** The parameters of every fact query: the date range, then one filter per dashboard dimension. */
  static List<String> filters(DashboardDefinition dashboard) {
    List<String> names = new ArrayList<>(List.of("from", "to"));
    dashboard.dimensions().forEach(d -> names.add(d.name()));
    return names;
  }

  static final int MAX_IDS_PER_FILTER = 100;
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern ID = Pattern.compile("\\d{1,18}");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,9}");
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private final Map<String, String> values;

  private QueryParameters(Map<String, String> values) {
    this.values = values;
  }

  /** @param allowed the route's parameter names */
  static QueryParameters of(Fields fields, List<String> allowed) {
    Map<String, String> values = new java.util.HashMap<>();
    for (Fields.Field field : fields) {
      String name = field.getName();
      if (!allowed.contains(name)) {
        throw new BadRequest(name, "unknown parameter '" + shown(name) + "'"
            + (allowed.isEmpty() ? ": this route takes none" : " (allowed: " + String.join(", ", allowed) + ")"));
      }
      if (field.getValues().size() > 1) {
        throw new BadRequest(name, "parameter '" + name + "' is given " + field.getValues().size()
            + " times; give it once (lists are comma-separated)");
      }
      values.put(name, field.getValue());
    }
    return new QueryParameters(values);
  }

  /** The date range and dimension filters; without from/to, the last 7 days up to {@code today}. */
  FactFilter filter(LocalDate today, int maxRangeDays, DashboardDefinition dashboard) {
    LocalDate to = date("to", today);
    LocalDate from = date("from", to.minusDays(6));
    if (from.isAfter(to)) {
      throw new BadRequest("from", "from (" + from + ") must not be after to (" + to + ")");
    }
    long days = ChronoUnit.DAYS.between(from, to) + 1;
    if (days > maxRangeDays) {
      throw new BadRequest("from", "the range " + from + " … " + to + " covers " + days + " days; at most "
          + maxRangeDays + " are allowed (serve.max-range-days)");
    }
    Map<String, List<?>> values = new java.util.LinkedHashMap<>();
    for (DashboardDimension d : dashboard.dimensions()) {
      values.put(d.name(), d.kind() == Kind.ID ? ids(d.name()) : d.isEnum() ? enumValues(d) : text(d));
    }
    return new FactFilter(from, to, values);
  }

  int integer(String name, int defaultValue, int min, int max) {
    String v = values.get(name);
    if (v == null) return defaultValue;
    String must = name + " must be a whole number from " + min + " to " + max + ", got '" + shown(v) + "'";
    if (!WHOLE_NUMBER.matcher(v).matches()) throw new BadRequest(name, must);
    int n = Integer.parseInt(v);
    if (n < min || n > max) throw new BadRequest(name, must);
    return n;
  }

  <E> E choice(String name, E defaultValue, Map<String, E> choices) {
    String v = values.get(name);
    if (v == null) return defaultValue;
    E chosen = choices.get(v);
    if (chosen == null) {
      throw new BadRequest(name, name + " must be one of " + String.join(", ", choices.keySet()) + ", got '"
          + shown(v) + "'");
    }
    return chosen;
  }

  Measure measure(String name, Measure defaultValue, DashboardDefinition dashboard) {
    Map<String, Measure> byName = new java.util.LinkedHashMap<>();
    for (Measure m : dashboard.measures()) byName.put(m.name(), m);
    return choice(name, defaultValue, byName);
  }

  /** A comma-separated list of distinct dimensions, at most {@code max}. */
  List<DashboardDimension> dimensions(String name, int max, DashboardDefinition dashboard) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) return List.of();
    Set<DashboardDimension> chosen = new LinkedHashSet<>();
    for (String part : v.split(",", -1)) {
      DashboardDimension d = dashboard.dimension(part.strip()).orElse(null);
      if (d == null) {
        throw new BadRequest(name, name + " must be a comma-separated list of " + dashboard.dimensions().stream()
            .map(DashboardDimension::name).collect(Collectors.joining(", ")) + ", got '" + shown(v) + "'");
      }
      if (!chosen.add(d)) throw new BadRequest(name, name + " names " + d.name() + " twice");
    }
    if (chosen.size() > max) throw new BadRequest(name, name + " takes at most " + max + " dimensions");
    return List.copyOf(chosen);
  }

  /**
   * A comma-separated list of distinct column names, each one of {@code allowed}, at most {@code max}: names from the
   * request are only ever compared with the definition's, never put into SQL.
   */
  List<String> columns(String name, int max, List<String> allowed) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) return List.of();
    Set<String> chosen = new LinkedHashSet<>();
    for (String part : v.split(",", -1)) {
      String column = part.strip();
      if (!allowed.contains(column)) {
        throw new BadRequest(name, name + " must be a comma-separated list of " + (allowed.isEmpty() ? "(none: this"
            + " table has no key besides its time)" : String.join(", ", allowed)) + ", got '" + shown(v) + "'");
      }
      if (!chosen.add(column)) throw new BadRequest(name, name + " names " + column + " twice");
    }
    if (chosen.size() > max) throw new BadRequest(name, name + " takes at most " + max + " columns");
    return List.copyOf(chosen);
  }

  private LocalDate date(String name, LocalDate defaultValue) {
    String v = values.get(name);
    if (v == null) return defaultValue;
    String must = name + " must be a date YYYY-MM-DD, got '" + shown(v) + "'";
    if (!DATE.matcher(v).matches()) throw new BadRequest(name, must);
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw new BadRequest(name, must);
    }
  }

  private List<Long> ids(String name) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) return List.of();
    String must = name + " must be a comma-separated list of up to " + MAX_IDS_PER_FILTER
        + " ids (whole numbers), got '" + shown(v) + "'";
    String[] parts = v.split(",", -1);
    if (parts.length > MAX_IDS_PER_FILTER) throw new BadRequest(name, must);
    Set<Long> ids = new LinkedHashSet<>();
    for (String part : parts) {
      if (!ID.matcher(part.strip()).matches()) throw new BadRequest(name, must);
      ids.add(Long.parseLong(part.strip()));
    }
    return new ArrayList<>(ids);
  }

  /** An enum dimension's filter: a comma-separated list of its values. */
  private List<String> enumValues(DashboardDimension d) {
    String v = values.get(d.name());
    if (v == null || v.isEmpty()) return List.of();
    Set<String> chosen = new LinkedHashSet<>();
    for (String part : v.split(",", -1)) {
      if (!d.values().contains(part)) {
        throw new BadRequest(d.name(), d.name() + " must be a comma-separated list of " + String.join(", ", d.values())
            + ", got '" + shown(part) + "'");
      }
      chosen.add(part);
    }
    return List.copyOf(chosen);
  }

  /**
   * A free-text dimension's filter: one value, compared exactly (case counts), at most the dimension's
   * length (stored values are cut to that, so a longer one could never match) and without control characters.
   */
  private List<String> text(DashboardDimension d) {
    String v = values.get(d.name());
    if (v == null || v.isEmpty()) return List.of();
    if (v.codePointCount(0, v.length()) > d.maxLength()) {
      throw new BadRequest(d.name(), d.name() + " is at most " + d.maxLength() + " characters (values longer than that"
          + " are stored cut to it), got " + v.codePointCount(0, v.length()));
    }
    if (CONTROL.matcher(v).find()) {
      throw new BadRequest(d.name(), d.name() + " must not contain control characters, got '" + shown(v) + "'");
    }
    return List.of(v);
  }

  /** A client's value, bounded and without control characters, before it goes into an answer. */
  static String shown(String value) {
    String cut = value.length() > 60 ? value.substring(0, 60) + "…" : value;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
