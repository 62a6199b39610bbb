package io.trackpipe.serve.query;

import java.util.Locale;

/** What facts can be grouped and filtered by: the columns of {@code events} that identify a row's context. */
public enum Dimension {
  JOB("job_id", "job", "title"),
  CAMPAIGN("campaign_id", null, null),
  PUBLISHER("publisher_id", "master_publisher", "name"),
  COMPANY("company_id", "company", "name"),
  GROUP("group_id", null, null);

  private final String column;
  private final String nameTable;
  private final String nameColumn;

  Dimension(String column, String nameTable, String nameColumn) {
    this.column = column;
    this.nameTable = nameTable;
    this.nameColumn = nameColumn;
  }

  /** The column of {@code events}; a constant, never built from input. */
  String column() {
    return column;
  }

  /** The dimension table holding display names, or null when there is none (campaigns and groups have ids only). */
  String nameTable() {
    return nameTable;
  }

  String nameColumn() {
    return nameColumn;
  }

  /** The name used in the API ({@code campaign}, {@code publisher}, …). */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the dimension named {@code apiName}, or null */
  public static Dimension parse(String apiName) {
    for (Dimension d : values()) {
      if (d.apiName().equals(apiName)) return d;
    }
    return null;
  }
}
