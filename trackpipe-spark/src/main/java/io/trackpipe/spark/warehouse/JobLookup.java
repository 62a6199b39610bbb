package io.trackpipe.spark.warehouse;

import io.trackpipe.dimension.Job;
import io.trackpipe.warehouse.dimension.DimensionTables;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code job} dimension as a small Spark dataset for enrichment, re-read from the warehouse once it is older
 * than the refresh interval, so jobs added while the stream runs are picked up without a restart.
 * Used from the driver's batch thread only.
 */
public final class JobLookup {
  public static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("company_id", DataTypes.LongType, false)
      .add("industry", DataTypes.StringType, false);

  private final DimensionTables dimensions;
  private final Duration refresh;
  private final Clock clock;
  private Dataset<Row> current;
  private Instant loadedAt = Instant.MIN;

  public JobLookup(DimensionTables dimensions, Duration refresh, Clock clock) {
    this.dimensions = dimensions;
    this.refresh = refresh;
    this.clock = clock;
  }

  public Dataset<Row> current(SparkSession spark) throws SQLException {
    Instant now = clock.instant();
    if (current == null || !now.isBefore(loadedAt.plus(refresh))) {
      List<Row> rows = new ArrayList<>();
      for (Job job : dimensions.jobs()) {
        rows.add(RowFactory.create(job.id(), job.companyId(), job.industry()));
      }
      current = spark.createDataFrame(rows, SCHEMA);
      loadedAt = now;
    }
    return current;
  }
}
