package io.trackpipe.domain;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A domain's dashboard page and API: what it shows, read from the domain's rollup tables. Every figure is a sum of a
 * rollup column over the filtered rows, a ratio of such sums (never an average of per-row ratios), or a distinct count
 * recounted from a distinct metric's side table over the filtered rows (never a sum of per-row counts).
 *
 * @param title the page's subtitle
 * @param tables the rollups a question may be answered from; the first is the finest (it has every dimension and
 *     hours), and each question reads the smallest listed table that holds the columns it filters and groups by
 * @param tiles measures shown as key figures, in order
 * @param timeChart measures drawn per hour (or day) over the range
 * @param heatmap hour of day × day of week of one measure, or null for none
 * @param top dimensions with a top-N table, in order
 * @param topMeasures the columns of the top-N tables
 * @param filters dimensions offered as filters, in order
 */
public record DashboardDefinition(String title, List<String> tables, List<Measure> measures,
    List<DashboardDimension> dimensions, List<String> tiles, List<String> timeChart, Heatmap heatmap, List<String> top,
    List<String> topMeasures, List<String> filters) implements java.io.Serializable {

  public DashboardDefinition {
    requireNonNull(title, "title is null");
    tables = List.copyOf(tables);
    measures = List.copyOf(measures);
    dimensions = List.copyOf(dimensions);
    tiles = List.copyOf(tiles);
    timeChart = List.copyOf(timeChart);
    top = List.copyOf(top);
    topMeasures = List.copyOf(topMeasures);
    filters = List.copyOf(filters);
  }

  /** How a measure's number is shown. */
  public enum Format {
    COUNT, NUMBER, MONEY, PERCENT;

    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A figure: {@code SUM(sum)} when {@code sum} is set; the number of different values of the distinct metric
   * {@code distinct} over the filtered rows, counted from its side table, when that is set; else the ratio of the sums
   * of the measures {@code numerator} and {@code denominator} (the denominator may add several measures: qualified /
   * (qualified + unqualified)), NULL when the denominator is 0.
   */
  public record Measure(String name, String label, Format format, String sum, String distinct, String numerator,
      List<String> denominator) implements java.io.Serializable {
    public Measure {
      requireNonNull(name, "name is null");
      requireNonNull(label, "label is null");
      requireNonNull(format, "format is null");
      denominator = List.copyOf(denominator);
      if ((sum != null) && (distinct != null)) throw new IllegalArgumentException("measure " + name + ": sum or distinct");
    }

    public boolean ratio() {
      return sum == null && distinct == null;
    }

    /** Whether this is a distinct count, recounted from a side table rather than summed. */
    public boolean isDistinct() {
      return distinct != null;
    }
  }

  /**
   * What facts can be filtered and ranked by: a key column of the tables, what its values are, and where display
   * names are.
   *
   * @param kind whether the column holds integer ids or text
   * @param values the accepted values of an enum (a text dimension whose field is an enum), in the field's order;
   *     empty for free text and ids
   * @param maxLength the longest value of a text dimension a filter may give (0 for ids): the field's max-length, at
   *     most {@link DomainCatalog#TEXT_KEY_CHARS}, the characters a key column keeps
   * @param names the warehouse table with display names, or null when the dimension has none (always for text)
   */
  public record DashboardDimension(String name, String column, String label, Kind kind, List<String> values,
      int maxLength, NameTable names) implements java.io.Serializable {
    public DashboardDimension {
      requireNonNull(name, "name is null");
      requireNonNull(column, "column is null");
      requireNonNull(label, "label is null");
      requireNonNull(kind, "kind is null");
      values = List.copyOf(values);
      if (kind == Kind.ID && (!values.isEmpty() || maxLength != 0)) {
        throw new IllegalArgumentException("dimension " + name + ": an id dimension has no values or length");
      }
      if (kind == Kind.TEXT && (names != null || maxLength <= 0)) {
        throw new IllegalArgumentException("dimension " + name + ": a text dimension has a length and no name table");
      }
    }

    /** An id dimension (an integer column). */
    public static DashboardDimension id(String name, String column, String label, NameTable names) {
      return new DashboardDimension(name, column, label, Kind.ID, List.of(), 0, names);
    }

    /** A text dimension: free text ({@code values} empty) or an enum. */
    public static DashboardDimension text(String name, String column, String label, List<String> values, int maxLength) {
      return new DashboardDimension(name, column, label, Kind.TEXT, values, maxLength, null);
    }

    /** Whether a filter picks from {@link #values()} rather than giving any text. */
    public boolean isEnum() {
      return kind == Kind.TEXT && !values.isEmpty();
    }
  }

  /** What a dimension's values are: integer ids (filters take lists of them), or text (one value, or an enum's list). */
  public enum Kind {
    ID, TEXT;

    /** The name in definition files and the API: {@code id} or {@code text}. */
    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A dimension table ({@code job}, {@code company}, …): the row whose {@code key} is the id has the name in {@code column}. */
  public record NameTable(String table, String key, String column) implements java.io.Serializable {}

  /** Hour of day × day of week of {@code measure}. */
  public record Heatmap(String measure) implements java.io.Serializable {}

  public Optional<Measure> measure(String name) {
    return measures.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  public Optional<DashboardDimension> dimension(String name) {
    return dimensions.stream().filter(d -> d.name().equals(name)).findFirst();
  }
}
