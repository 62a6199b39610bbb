package io.trackpipe.warehouse.summary;

import java.util.List;
import java.util.Set;

/**
 * The summaries of {@code events} (migration V3): the same sums by a coarser key. An hourly summary is recomputed
 * from {@code events} for the hours that changed; a daily one from its hourly source for the days that changed.
 * Listed by rows per day, smallest first (for a few hundred campaigns and companies, tens of publishers and
 * thousands of jobs), so a reader can take the first that has the key columns it needs.
 */
public enum SummaryTable {
  HOUR("summary_hour", true, List.of(), null),
  DAY_CAMPAIGN("summary_day_campaign", false, List.of("campaign_id"), "summary_hour_campaign"),
  DAY_COMPANY("summary_day_company", false, List.of("company_id"), "summary_hour_company"),
  HOUR_PUBLISHER("summary_hour_publisher", true, List.of("publisher_id"), null),
  DAY_JOB("summary_day_job", false, List.of("job_id", "campaign_id", "company_id", "group_id"), "summary_hour_job"),
  HOUR_CAMPAIGN("summary_hour_campaign", true, List.of("campaign_id"), null),
  HOUR_COMPANY("summary_hour_company", true, List.of("company_id"), null),
  DAY_PUBLISHER_CONTEXT("summary_day_publisher_context", false,
      List.of("publisher_id", "campaign_id", "company_id", "group_id"), "summary_day_publisher_job"),
  HOUR_GROUP("summary_hour_group", true, List.of("group_id"), null),
  // Recomputed from a whole day of events: listed before the daily tables made from it.
  DAY_PUBLISHER_JOB("summary_day_publisher_job", false,
      List.of("publisher_id", "job_id", "campaign_id", "company_id", "group_id"), "events"),
  HOUR_JOB("summary_hour_job", true, List.of("job_id", "campaign_id", "company_id", "group_id"), null);

  /** The summed columns, named as in {@code events}. */
  public static final List<String> SUMS = List.of("impressions", "clicks", "conversion", "qualified_application",
      "disqualified_application", "spend_hour");

  private final String table;
  private final boolean hourly;
  private final List<String> keyColumns;
  private final String source;

  SummaryTable(String table, boolean hourly, List<String> keyColumns, String source) {
    this.table = table;
    this.hourly = hourly;
    this.keyColumns = keyColumns;
    this.source = source;
  }

  public String table() {
    return table;
  }

  /** True when the table has {@code hours}; a daily table answers only whole-day questions without hours. */
  public boolean hourly() {
    return hourly;
  }

  /** The {@code events} columns it keeps, besides {@code dates} (and {@code hours}). */
  public List<String> keyColumns() {
    return keyColumns;
  }

  /** The table it is recomputed from: {@code events} for hourly summaries. */
  String source() {
    return source == null ? "events" : source;
  }

  /** Daily tables computed from other daily tables go last: their sources must be recomputed first. */
  int recomputeOrder() {
    if (hourly) return 0;
    if (source().equals("events") || source().startsWith("summary_hour")) return 1;
    return 2;
  }

  public boolean covers(Set<String> columns) {
    return keyColumns.containsAll(columns);
  }
}
