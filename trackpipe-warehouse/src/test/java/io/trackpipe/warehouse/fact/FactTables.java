package io.trackpipe.warehouse.fact;

import static io.trackpipe.warehouse.fact.FactColumn.Merge.ADD;
import static io.trackpipe.warehouse.fact.FactColumn.Merge.KEEP_NON_NULL;
import static io.trackpipe.warehouse.fact.FactColumn.Merge.KEY;
import static io.trackpipe.warehouse.fact.FactColumn.Merge.REPLACE;

import java.util.List;

/** The events table as the spine declared it, for testing the writer on its own (the jobs build theirs from the rollup definitions). */
public final class FactTables {

  /** Hourly facts per job ad: the seed systems' {@code events} table. */
  public static final FactTable EVENTS = new FactTable("events", List.of(
      FactColumn.of("job_id", KEY),
      FactColumn.of("dates", KEY),
      FactColumn.of("hours", KEY),
      FactColumn.of("publisher_id", KEY),
      FactColumn.of("campaign_id", KEY),
      FactColumn.of("group_id", KEY),
      FactColumn.of("clicks", ADD),
      FactColumn.of("conversion", ADD),
      FactColumn.of("qualified_application", ADD),
      FactColumn.of("disqualified_application", ADD),
      FactColumn.of("spend_hour", ADD),
      FactColumn.derived("bid_set", "spend_hour / NULLIF(clicks, 0)"),
      FactColumn.of("company_id", KEEP_NON_NULL),
      FactColumn.of("sources", REPLACE),
      FactColumn.of("latest_update_time", FactColumn.Merge.WRITE_TIME)));

  private FactTables() {}
}
