package io.trackpipe.spark.enrich;

import static org.apache.spark.sql.functions.udf;

import io.trackpipe.dimension.Job;
import io.trackpipe.warehouse.dimension.DimensionTables;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * The {@code job} dimension as a lookup for enrichment ({@code job_id → company_id}), broadcast to the executors and
 * re-read from the warehouse once older than the refresh interval, so jobs added while the stream runs are used
 * without a restart. A broadcast map, not a join: the lookup costs no extra Spark job per micro-batch.
 * Used from the driver's batch thread only.
 */
public final class JobLookup {
  private final LoadJobs source;
  private final Duration refresh;
  private final Clock clock;
  private Broadcast<HashMap<Long, Long>> companies;
  private Instant loadedAt = Instant.MIN;

  /** Where the jobs come from: the warehouse in the job, a list in tests. */
  @FunctionalInterface
  public interface LoadJobs {
    List<Job> load() throws SQLException;
  }

  public JobLookup(LoadJobs source, Duration refresh, Clock clock) {
    this.source = source;
    this.refresh = refresh;
    this.clock = clock;
  }

  public static JobLookup fromWarehouse(DimensionTables dimensions, Duration refresh) {
    return new JobLookup(dimensions::jobs, refresh, Clock.systemUTC());
  }

  /** A fixed set of jobs, never refreshed. */
  public static JobLookup of(List<Job> jobs) {
    return new JobLookup(() -> jobs, Duration.ofDays(36_500), Clock.systemUTC());
  }

  /** {@code company_id} of the job in {@code jobId}, null for an unknown job; current as of this call. */
  public Column companyIdOf(SparkSession spark, Column jobId) throws SQLException {
    Instant now = clock.instant();
    if (companies == null || !now.isBefore(loadedAt.plus(refresh))) {
      HashMap<Long, Long> byJob = new HashMap<>();
      for (Job job : source.load()) {
        byJob.put(job.id(), job.companyId());
      }
      if (companies != null) companies.unpersist();
      companies = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(byJob);
      loadedAt = now;
    }
    Broadcast<HashMap<Long, Long>> current = companies;
    UserDefinedFunction lookup = udf((UDF1<Long, Long>) job -> job == null ? null : current.value().get(job), DataTypes.LongType);
    return lookup.apply(jobId);
  }
}
