package io.trackpipe.spark.hive;

import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.Domain;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TimeGrain;
import io.trackpipe.spark.rollup.RollupPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A warehouse table the export copies: a rollup's table or a distinct metric's side table.
 *
 * @param dayColumn the rollup's day dimension: the Hive table is partitioned by it when the warehouse table has it as a
 *     DATE column; empty: the table is rewritten whole
 */
public record ExportTable(String name, Optional<String> dayColumn) {
  public ExportTable {
    requireNonNull(name, "name is null");
    requireNonNull(dayColumn, "dayColumn is null");
  }

  /** Every table the domain's rollups write, in the order of the definitions (side tables first, as they are written). */
  public static List<ExportTable> of(Domain domain) {
    List<ExportTable> tables = new ArrayList<>();
    for (RollupDefinition rollup : domain.rollups().rollups()) {
      Optional<String> day = rollup.dimensions().stream().filter(d -> d.time() == TimeGrain.DAY).map(Dimension::name).findFirst();
      for (Metric metric : rollup.metrics()) {
        if (metric.kind() == Metric.Kind.DISTINCT) tables.add(new ExportTable(RollupPlan.sideTableName(rollup, metric), day));
      }
      tables.add(new ExportTable(rollup.table(), day));
    }
    return tables;
  }
}
