package io.trackpipe.serve.query;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Sums of facts, and the KPIs derived from them. Every KPI is a ratio of sums, rounded to 6 decimals, and null when
 * its denominator is 0 (shown as "–").
 */
public record Totals(long impressions, long clicks, long conversions, long qualified, long unqualified,
    BigDecimal spend) {

  public static final Totals ZERO = new Totals(0, 0, 0, 0, 0, BigDecimal.ZERO);
  private static final int SCALE = 6;

  public Totals {
    requireNonNull(spend, "spend is null");
    spend = spend.setScale(SCALE, RoundingMode.HALF_UP);
  }

  /** Clicks per impression. */
  public BigDecimal ctr() {
    return ratio(BigDecimal.valueOf(clicks), impressions);
  }

  /** Spend per click. */
  public BigDecimal cpc() {
    return ratio(spend, clicks);
  }

  /** Spend per conversion. */
  public BigDecimal cpa() {
    return ratio(spend, conversions);
  }

  /** Conversions per click. */
  public BigDecimal conversionRate() {
    return ratio(BigDecimal.valueOf(conversions), clicks);
  }

  /** Qualified share of the judged applications. */
  public BigDecimal qualifiedRatio() {
    return ratio(BigDecimal.valueOf(qualified), qualified + unqualified);
  }

  private static BigDecimal ratio(BigDecimal numerator, long denominator) {
    if (denominator == 0) return null;
    return numerator.divide(BigDecimal.valueOf(denominator), SCALE, RoundingMode.HALF_UP);
  }
}
