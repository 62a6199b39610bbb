package io.trackpipe.collector.fileimport;

import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.domain.UnknownFields;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The first row of an imported CSV file: the names of its columns, which must be the domain's fields. Checked before
 * anything is sent, so a file for another domain (or with a typo in a column) is refused whole rather than becoming a
 * million dead letters.
 */
public final class CsvHeader {
  private CsvHeader() {}

  /**
   * Every problem of the header at once (empty when it fits the domain): names that are empty or repeated, columns that
   * are not fields (when the domain refuses unknown fields; otherwise they are sent and ignored downstream, as from the
   * collector), and fields an event needs that no column carries. The id and the event time are not needed when the
   * domain lets them be supplied ({@code when-missing: assign} / {@code arrival}).
   *
   * @param columns the header's names, trimmed
   */
  public static List<String> problems(String domain, EventSchema schema, List<String> columns) {
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Set<String> repeated = new LinkedHashSet<>();
    List<String> unknown = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      String name = columns.get(i);
      if (name.isEmpty()) {
        problems.add("column " + (i + 1) + " has no name");
        continue;
      }
      if (!seen.add(name)) repeated.add(name);
      if (schema.field(name).isEmpty() && schema.unknownFields() == UnknownFields.REFUSE) unknown.add(name);
    }
    if (!repeated.isEmpty()) problems.add("column(s) named twice: " + quoted(repeated));
    if (!unknown.isEmpty()) {
      problems.add("unknown column(s) " + quoted(unknown) + ": not fields of domain '" + domain + "' (its fields: "
          + String.join(", ", schema.fieldNames()) + ")");
    }
    List<String> missing = needed(schema).stream().filter(name -> !seen.contains(name)).toList();
    if (!missing.isEmpty()) {
      problems.add("missing column(s) " + quoted(missing) + ": every event of domain '" + domain + "' needs them");
    }
    return problems;
  }

  /** The fields an event cannot do without, in declaration order. */
  static List<String> needed(EventSchema schema) {
    Set<String> needed = new LinkedHashSet<>();
    for (EventField field : schema.fields()) {
      if (field.required()) needed.add(field.name());
      if (field.name().equals(schema.id().field()) && !schema.id().collectorAssigns()) needed.add(field.name());
      if (field.name().equals(schema.time().field()) && !schema.time().arrivalWhenMissing()) needed.add(field.name());
    }
    if (!schema.id().hashed() && schema.id().collectorAssigns()) needed.remove(schema.id().field());
    if (schema.time().arrivalWhenMissing()) needed.remove(schema.time().field());
    return List.copyOf(needed);
  }

  private static String quoted(Iterable<String> names) {
    List<String> quoted = new ArrayList<>();
    names.forEach(name -> quoted.add("'" + name + "'"));
    return String.join(", ", quoted);
  }
}
