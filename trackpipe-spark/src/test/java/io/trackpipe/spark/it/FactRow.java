package io.trackpipe.spark.it;

import java.math.BigDecimal;
import java.time.LocalDate;

/** The measures of one {@code events} row, comparable between the warehouse and a recount. */
public record FactRow(long clicks, long conversion, long qualified, long unqualified, BigDecimal spend, BigDecimal bidSet,
    Long companyId, long impressions) {

  public static String key(long job, LocalDate date, int hour, long publisher, long campaign, long group) {
    return job + "|" + date + "|" + hour + "|" + publisher + "|" + campaign + "|" + group;
  }
}
