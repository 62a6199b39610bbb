package io.trackpipe.serve.query;

/**
 * What top-N lists can be sorted by: sums, and KPIs that are ratios of sums (never averages of per-row ratios). A
 * ratio with a zero denominator is NULL and sorts last.
 */
public enum Measure {
  IMPRESSIONS("impressions", "SUM(impressions)"),
  CLICKS("clicks", "SUM(clicks)"),
  CONVERSIONS("conversions", "SUM(conversion)"),
  QUALIFIED("qualified", "SUM(qualified_application)"),
  UNQUALIFIED("unqualified", "SUM(disqualified_application)"),
  SPEND("spend", "SUM(spend_hour)"),
  CTR("ctr", "SUM(clicks) / NULLIF(SUM(impressions), 0)"),
  CPC("cpc", "SUM(spend_hour) / NULLIF(SUM(clicks), 0)"),
  CPA("cpa", "SUM(spend_hour) / NULLIF(SUM(conversion), 0)"),
  CONVERSION_RATE("conversion_rate", "SUM(conversion) / NULLIF(SUM(clicks), 0)"),
  QUALIFIED_RATIO("qualified_ratio",
      "SUM(qualified_application) / NULLIF(SUM(qualified_application) + SUM(disqualified_application), 0)");

  private final String apiName;
  private final String sql;

  Measure(String apiName, String sql) {
    this.apiName = apiName;
    this.sql = sql;
  }

  public String apiName() {
    return apiName;
  }

  /** An aggregate expression over {@code events}; a constant, never built from input. */
  String sql() {
    return sql;
  }

  /** @return the measure named {@code apiName}, or null */
  public static Measure parse(String apiName) {
    for (Measure m : values()) {
      if (m.apiName.equals(apiName)) return m;
    }
    return null;
  }
}
