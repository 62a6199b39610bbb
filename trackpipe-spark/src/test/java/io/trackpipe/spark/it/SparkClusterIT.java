package io.trackpipe.spark.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedSparkCluster;
import io.trackpipe.embedded.SparkSubmission;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.spark.batch.BatchJob;
import io.trackpipe.spark.batch.BatchMain;
import io.trackpipe.spark.stream.StreamMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs as a cluster runs them: the shaded job jar handed to {@code spark-submit} against a Spark standalone cluster
 * (a master and two workers, child JVMs on loopback), on the embedded Kafka, MariaDB and Cassandra. The driver of the
 * streaming job runs in client mode and in cluster mode; a worker is killed, and separately the driver, mid-stream; the
 * facts must equal the independent recount, and {@code batch --once} on the cluster must heal the hours whose events
 * came too late for the stream, also when the driver of its first run is killed inside its commit. The checkpoint and the dedup store are in the test's folder, which every process of the
 * cluster shares on one machine (a real cluster needs them on a shared or the driver's own disk: docs/cluster.md).
 */
class SparkClusterIT {
  private static final Logger LOG = LoggerFactory.getLogger(SparkClusterIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 20_261_206L;
  private static final int BACKLOG = 12_000;
  private static final int MORE_AFTER_KILL = 2_000;
  private static final int RESENT_FROM_BACKLOG = 300;
  private static final int TOO_LATE = 400;
  private static final Duration ALLOWED_LATENESS = Duration.ofHours(2);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(240);
  /** Small batches, so that the backlog takes several of them and a kill lands inside one. */
  private static final String MAX_EVENTS_PER_BATCH = "1500";
  private static final String EXECUTOR_MEMORY = "640m";
  private static final String DRIVER_MEMORY = "640m";

  @TempDir static Path clusterDir;
  private static EmbeddedSparkCluster cluster;

  @TempDir Path work;

  @BeforeAll
  static void startCluster() {
    cluster = EmbeddedSparkCluster.start(clusterDir, EmbeddedSparkCluster.Options.defaults());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) cluster.close();
  }

  @Test
  void inClientModeCountsEveryEventOnceWhenAWorkerIsKilledMidStreamAndMidBatch() throws Exception {
    StreamFixture f = StreamFixture.create("cluster_client", work);
    RawStoreFixture raw = RawStoreFixture.create("cluster_client", EmbeddedCassandra.shared().contactPoint());
    Traffic traffic = new Traffic(f, SEED);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    // 40 minutes of arrivals ending 10 minutes ago.
    traffic.generate(BACKLOG, now.minus(Duration.ofMinutes(50)), 200, Duration.ZERO);
    // Events of two days ago arriving now: too late for the stream, stored raw; batch --once counts them.
    traffic.generate(TOO_LATE, now.minus(Duration.ofHours(50)), 100, Duration.ofHours(50).minusMinutes(10));

    boolean workerKilled = false;
    try (SparkSubmission driver = cluster.submit(submit("client", StreamMain.class, "trackpipe-stream-client", false,
        StreamJobProcess.arguments(f, streamSettings(raw))), "768m", work.resolve("client-driver.log"))) {
      RunningJob job = clientDriver(driver);
      StreamProgress.awaitWarehouseBatch(f, job, 2, 50);
      assertThat(applicationNames()).as("the applications the master knows").contains("trackpipe-stream-client");
      long next = f.committedBatch() + 1;
      StreamProgress.awaitFile(job, f.checkpointDir.resolve("offsets").resolve(String.valueOf(next)));
      Thread.sleep(300); // the batch's tasks are running on both workers' executors
      long countedAtKill = WarehouseRows.countedTotal(f.facts());
      cluster.killWorker(1);
      workerKilled = true;
      assertThat(driver.isAlive()).as("the driver outlives a worker").isTrue();

      traffic.generate(MORE_AFTER_KILL, now.minus(Duration.ofMinutes(9)), 200, Duration.ZERO);
      traffic.resend(RESENT_FROM_BACKLOG, now.minus(Duration.ofMinutes(2)));
      Map<String, FactRow> expected = Recount.of(traffic.valid, traffic.jobs, ALLOWED_LATENESS);
      long expectedTotal = WarehouseRows.countedTotal(expected);
      StreamProgress.awaitDrained(f, job, expectedTotal, DRAIN_TIMEOUT);
      driver.stop();

      assertThat(countedAtKill).as("work left when the worker was killed").isLessThan(expectedTotal);
      assertThat(f.facts()).as("facts after a worker was killed in batch %d", next).isEqualTo(expected);
      try (Connection c = f.warehouse.connect()) {
        WarehouseRows.assertKpiTablesMatchEvents(c, "client mode, a worker killed");
      }
      assertThat(raw.rowsById().keySet()).as("the raw store holds each valid event once")
          .isEqualTo(traffic.validIds());
      assertThat(driver.logText()).as("the driver saw the executor of the killed worker go").containsPattern(
          "(?i)lost executor|executor \\d+ .*(lost|removed)|ExecutorLostFailure");
      assertThat(expectedTotal).as("a meaningful test").isGreaterThan(12_000);

      // batch --once with a worker killed while its application runs: the lost executor's tasks run again on the
      // other; the cycle commits once, in one transaction from the driver.
      cluster.restartWorker(1);
      workerKilled = false;
      try (SparkSubmission batch = cluster.submit(submit("client", BatchMain.class, "trackpipe-batch-client", false,
          batchArguments(f, raw)), "768m", work.resolve("client-batch.log"))) {
        // Both executors registered with the driver, and the cycle's first tasks started: kill mid-batch.
        awaitLogLines(batch, "Registered executor .* with ID", 2);
        awaitLogLines(batch, "Starting task ", 1);
        cluster.killWorker(1);
        workerKilled = true;
        assertThat(batch.awaitExit(DRAIN_TIMEOUT)).as("the batch's exit code\n%s", batch.logTail()).isZero();
        assertThat(batch.logText()).as("the batch saw the executor of the killed worker go").containsPattern(
            "(?i)lost executor|executor \\d+ .*(lost|removed)|ExecutorLostFailure");
        assertThat(batch.logText()).containsPattern("Batch cycle of job-ads: \\d+ event hours written since the last"
            + " one; [1-9]\\d* hours");
      }
      assertThat(f.facts()).as("facts after batch --once with a worker killed: every valid event once, late ones"
          + " included").isEqualTo(Recount.of(traffic.valid, traffic.jobs, Duration.ofDays(365)));
      assertThat(f.facts()).isNotEqualTo(expected);
      try (Connection c = f.warehouse.connect()) {
        WarehouseRows.assertKpiTablesMatchEvents(c, "client mode, after the batch with a worker killed");
      }
    } finally {
      if (workerKilled) cluster.restartWorker(1);
    }
  }

  /** Waits until the driver's log has {@code count} lines matching {@code regex}. */
  private static void awaitLogLines(SparkSubmission driver, String regex, int count) throws Exception {
    java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (driver.logText().lines().filter(line -> pattern.matcher(line).find()).count() >= count) return;
      if (!driver.isAlive()) break;
      Thread.sleep(50);
    }
    fail("the driver's log never had " + count + " lines matching '" + regex + "'\n" + driver.logTail());
  }

  @Test
  void inClusterModeASupervisedDriverKilledMidStreamRestartsAndTheBatchHealsLateHoursAfterADriverKilledMidCycle() throws Exception {
    StreamFixture f = StreamFixture.create("cluster_driver", work);
    RawStoreFixture raw = RawStoreFixture.create("cluster_driver", EmbeddedCassandra.shared().contactPoint());
    Traffic traffic = new Traffic(f, SEED + 1);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    traffic.generate(BACKLOG, now.minus(Duration.ofMinutes(50)), 200, Duration.ZERO);
    // Events of two days ago arriving now: too late for the stream, stored raw; their hours and day are settled.
    traffic.generate(TOO_LATE, now.minus(Duration.ofHours(50)), 100, Duration.ofHours(50).minusMinutes(10));

    String driverId = submitClusterDriver(submit("cluster", StreamMain.class, "trackpipe-stream-cluster", true,
        StreamJobProcess.arguments(f, streamSettings(raw))), work.resolve("submit-stream.log"));
    RunningJob job = clusterDriver(driverId);
    StreamProgress.awaitWarehouseBatch(f, job, 2, 50);
    long next = f.committedBatch() + 1;
    StreamProgress.awaitFile(job, f.checkpointDir.resolve("offsets").resolve(String.valueOf(next)));
    long firstPid = cluster.driverPid(driverId).orElseThrow();
    long countedAtKill = WarehouseRows.countedTotal(f.facts());
    ProcessHandle.of(firstPid).ifPresent(ProcessHandle::destroyForcibly);
    long secondPid = awaitRelaunchedDriver(driverId, firstPid);
    LOG.info("Driver {} SIGKILLed (pid {}) in batch {}; the worker relaunched it as pid {}", driverId, firstPid, next,
        secondPid);

    traffic.generate(MORE_AFTER_KILL, now.minus(Duration.ofMinutes(9)), 200, Duration.ZERO);
    traffic.resend(RESENT_FROM_BACKLOG, now.minus(Duration.ofMinutes(2)));
    Map<String, FactRow> streamed = Recount.of(traffic.valid, traffic.jobs, ALLOWED_LATENESS);
    long expectedTotal = WarehouseRows.countedTotal(streamed);
    StreamProgress.awaitDrained(f, job, expectedTotal, DRAIN_TIMEOUT);
    cluster.killDriver(driverId);
    awaitDriverState(driverId, "KILLED");

    assertThat(countedAtKill).as("work left when the driver was killed").isLessThan(expectedTotal);
    assertThat(f.facts()).as("facts after the driver was killed in batch %d", next).isEqualTo(streamed);
    assertThat(f.query("SELECT COUNT(*) FROM events WHERE sources = 'cassandra'")).containsExactly("0");

    // batch --once in cluster mode: the hours of the late events are settled; it rewrites them from the raw store. The
    // first run's driver is SIGKILLed inside the commit of its cycle; the next run, submitted as a scheduler does after
    // a FAILED run, heals the hours alone.
    List<String> batchArguments = batchArguments(f, raw);
    try (Connection gate = holdLastLockOfBatchCommit(f)) {
      String killedId = submitClusterDriver(submit("cluster", BatchMain.class, "trackpipe-batch", false, batchArguments),
          work.resolve("submit-batch-killed.log"));
      BlockedCommit blocked = awaitBlockedCommit(f, killedId);
      // Why a kill anywhere leaves the warehouse right: a cycle writes to it in one transaction alone
      // (RangeOverwrite.commit: its buckets' rows replaced, and the watermark moved, together). Killed before that
      // transaction, it wrote nothing; killed inside it, as here, the server rolls it back when the connection drops;
      // killed after the commit, its work is whole. The next run starts from the committed watermark and recounts whole
      // buckets from the raw store, so doing a bucket again replaces it with the same rows.
      ProcessHandle.of(cluster.driverPid(killedId).orElseThrow()).ifPresent(ProcessHandle::destroyForcibly);
      awaitDriverState(killedId, "FAILED");
      gate.rollback();
      awaitConnectionClosed(gate, blocked.connectionId());
      LOG.info("Batch driver {} SIGKILLed inside its commit, with {} rows of events written and uncommitted", killedId,
          blocked.uncommittedEvents());
      assertThat(blocked.uncommittedEvents()).as("rows of events the killed cycle had written in its transaction")
          .isPositive();
      assertThat(Files.readString(cluster.driverDir(killedId).orElseThrow().resolve("stdout")))
          .doesNotContain("Batch cycle of");
    }
    assertThat(f.facts()).as("facts after the batch was killed inside its commit: the stream's, untouched")
        .isEqualTo(streamed);
    assertThat(f.query("SELECT COUNT(*) FROM batch_watermark")).as("watermarks after the kill").containsExactly("0");
    String batchId = submitClusterDriver(submit("cluster", BatchMain.class, "trackpipe-batch", false, batchArguments),
        work.resolve("submit-batch.log"));
    awaitDriverState(batchId, "FINISHED");

    assertThat(f.facts()).as("facts after batch --once: every valid event once, late ones included")
        .isEqualTo(Recount.of(traffic.valid, traffic.jobs, Duration.ofDays(365)));
    assertThat(f.facts()).isNotEqualTo(streamed);
    try (Connection c = f.warehouse.connect()) {
      WarehouseRows.assertKpiTablesMatchEvents(c, "cluster mode, after the batch");
    }
    assertThat(Files.readString(cluster.driverDir(batchId).orElseThrow().resolve("stdout")))
        .containsPattern("Batch cycle of job-ads: \\d+ event hours written since the last one; [1-9]\\d* hours");
    assertThat(raw.rowsById().keySet()).as("the raw store holds each valid event once").isEqualTo(traffic.validIds());
  }

  /** BatchMain's arguments: one cycle on the test's raw store and warehouse. */
  private static List<String> batchArguments(StreamFixture f, RawStoreFixture raw) {
    List<String> arguments = new ArrayList<>(List.of("--once"));
    Map<String, String> settings = new LinkedHashMap<>(batchSettings(raw));
    settings.put("warehouse.jdbc-url", f.warehouseConfig.jdbcUrl());
    settings.put("warehouse.user", f.warehouseConfig.user());
    settings.put("warehouse.password", f.warehouseConfig.password());
    settings.forEach((key, value) -> arguments.addAll(List.of("--set", key + "=" + value)));
    return arguments;
  }

  /**
   * A connection whose open transaction holds a row the batch's commit locks last: its {@code DELETE FROM
   * batch_pending} (after the facts and the watermark are written) waits for it, so a driver can be killed there.
   */
  private static Connection holdLastLockOfBatchCommit(StreamFixture f) throws Exception {
    Connection c = f.warehouse.connect();
    c.setAutoCommit(false);
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO batch_pending (pipeline, granularity, bucket_start) VALUES (?, 'HOURLY', '2000-01-01 00:00:00')")) {
      s.setString(1, BatchJob.PIPELINE);
      s.executeUpdate();
    }
    return c;
  }

  /**
   * A batch's commit transaction waiting for the test's lock: its connection, and the batch's rows in {@code events}
   * that only a dirty read sees (written, not committed).
   */
  private record BlockedCommit(long connectionId, long uncommittedEvents) {}

  /** The batch connects as the test's user, so the process list shows its statements without the PROCESS privilege. */
  private static BlockedCommit awaitBlockedCommit(StreamFixture f, String driverId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    try (Connection dirty = f.warehouse.connect()) {
      dirty.setTransactionIsolation(Connection.TRANSACTION_READ_UNCOMMITTED);
      while (System.nanoTime() < deadline) {
        List<String> blocked = WarehouseRows.query(dirty,
            "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DELETE FROM batch_pending%'");
        if (!blocked.isEmpty()) {
          return new BlockedCommit(Long.parseLong(blocked.get(0)), Long.parseLong(WarehouseRows.query(dirty,
              "SELECT COUNT(*) FROM events WHERE sources = '" + BatchJob.SOURCE_NAME + "'").get(0)));
        }
        if (!clusterDriver(driverId).isAlive()) break;
        Thread.sleep(200);
      }
    }
    return fail("batch driver " + driverId + " never reached its commit's last lock\n" + driverLogTail(driverId));
  }

  /** Waits until the server has dropped a connection (and so rolled its transaction back). */
  private static void awaitConnectionClosed(Connection c, long connectionId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (WarehouseRows.query(c, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + connectionId)
          .equals(List.of("0"))) {
        return;
      }
      Thread.sleep(200);
    }
    fail("the warehouse still holds connection " + connectionId + " of a killed driver after 60 s");
  }

  /** The stream's settings on the cluster: the raw store of the test, small batches. */
  private static Map<String, String> streamSettings(RawStoreFixture raw) {
    Map<String, String> settings = new LinkedHashMap<>(rawStoreSettings(raw));
    settings.put("rawstore.enabled", "true");
    settings.put("stream.max-events-per-batch", MAX_EVENTS_PER_BATCH);
    return settings;
  }

  /** The batch's: the raw store, and buckets settled a minute after the lateness (the default waits 10). */
  private static Map<String, String> batchSettings(RawStoreFixture raw) {
    Map<String, String> settings = new LinkedHashMap<>(rawStoreSettings(raw));
    settings.put("batch.settle-time", "1m");
    return settings;
  }

  private static Map<String, String> rawStoreSettings(RawStoreFixture raw) {
    return Map.of("rawstore.contact-points", raw.config.contactPoints(), "rawstore.keyspace", raw.config.keyspace(),
        "rawstore.buckets-per-hour", String.valueOf(raw.config.bucketsPerHour()));
  }

  /** The names of the applications the master knows, running or completed (spark-submit's --name). */
  private static List<String> applicationNames() {
    List<String> names = new ArrayList<>();
    for (String apps : List.of("activeapps", "completedapps")) {
      cluster.masterState().path(apps).forEach(app -> names.add(app.path("name").asText()));
    }
    return names;
  }

  /** spark-submit's arguments for the job jar: small executors, one core each, two in all (one per worker). */
  private static List<String> submit(String deployMode, Class<?> mainClass, String name, boolean supervise,
      List<String> applicationArguments) {
    String jobJar = System.getProperty("trackpipe.job.jar");
    if (jobJar == null || !Files.isRegularFile(Path.of(jobJar))) {
      fail("no job jar at " + jobJar + " (system property trackpipe.job.jar; mvn package builds it)");
    }
    List<String> arguments = new ArrayList<>(List.of("--master", cluster.masterUrl(), "--deploy-mode", deployMode,
        "--name", name, "--class", mainClass.getName(),
        "--conf", "spark.executor.memory=" + EXECUTOR_MEMORY, "--conf", "spark.executor.cores=1",
        "--conf", "spark.cores.max=2", "--conf", "spark.ui.enabled=false"));
    if (deployMode.equals("cluster")) {
      arguments.addAll(List.of("--driver-memory", DRIVER_MEMORY, "--driver-cores", "1",
          "--conf", "spark.driver.extraJavaOptions=" + String.join(" ", cluster.sparkJvmFlags())));
    }
    if (supervise) arguments.add("--supervise");
    arguments.add(jobJar);
    arguments.addAll(applicationArguments);
    return arguments;
  }

  /** Submits in cluster mode; spark-submit exits once the master took the driver. The driver's id. */
  private static String submitClusterDriver(List<String> arguments, Path log) {
    try (SparkSubmission submission = cluster.submit(arguments, "256m", log)) {
      assertThat(submission.awaitExit(Duration.ofSeconds(90))).as("spark-submit's exit code\n%s", submission.logTail())
          .isZero();
      return submission.driverId().orElseThrow(() -> new AssertionError("no driver id\n" + submission.logTail()));
    }
  }

  private static RunningJob clientDriver(SparkSubmission driver) {
    return new RunningJob() {
      @Override
      public boolean isAlive() {
        return driver.isAlive();
      }

      @Override
      public String logTail() {
        return driver.logTail();
      }
    };
  }

  /** A cluster-mode driver: running while the master says so (a relaunch included). */
  private static RunningJob clusterDriver(String driverId) {
    return new RunningJob() {
      @Override
      public boolean isAlive() {
        return cluster.driverState(driverId).map(s -> Set.of("SUBMITTED", "RUNNING", "RELAUNCHING").contains(s))
            .orElse(false);
      }

      @Override
      public String logTail() {
        return driverLogTail(driverId);
      }
    };
  }

  private static String driverLogTail(String driverId) {
    return cluster.driverState(driverId) + " " + cluster.driverDir(driverId).map(dir -> {
      try {
        List<String> lines = Files.readAllLines(dir.resolve("stderr"));
        return "--- last lines of " + dir.resolve("stderr") + " ---\n"
            + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
      } catch (Exception e) {
        return "(no driver log: " + e + ")";
      }
    }).orElse("(no driver folder)");
  }

  /** Waits until the worker has started the supervised driver again: a new JVM for the same driver id. */
  private static long awaitRelaunchedDriver(String driverId, long killedPid) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      OptionalLong pid = cluster.driverPid(driverId);
      if (pid.isPresent() && pid.getAsLong() != killedPid) return pid.getAsLong();
      Thread.sleep(200);
    }
    return fail("driver " + driverId + " not relaunched within 60 s\n" + driverLogTail(driverId));
  }

  private static void awaitDriverState(String driverId, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = cluster.driverState(driverId).orElse("(unknown)");
      if (last.equals(state)) return;
      if (Set.of("FINISHED", "FAILED", "KILLED", "ERROR").contains(last)) break;
      Thread.sleep(500);
    }
    fail("driver " + driverId + " is " + last + ", expected " + state + "\n" + driverLogTail(driverId));
  }

  /** The records a test sends, generated like CrashRecoveryIT's: duplicates, late and malformed records included. */
  private static final class Traffic {
    final StreamFixture f;
    final Map<Long, Job> jobs;
    final EventGenerator generator;
    final Random random;
    /** Every valid record sent, in order, copies included: what the recount reads. */
    final List<StreamFixture.Send> valid = new ArrayList<>();

    Traffic(StreamFixture f, long seed) throws Exception {
      this.f = f;
      Dimensions dimensions = SampleDimensions.generate(seed, 10, 60, 8);
      f.loadDimensions(dimensions);
      this.jobs = dimensions.jobs().stream().collect(Collectors.toMap(Job::id, Function.identity()));
      this.generator = new EventGenerator(GeneratorConfig.builder(dimensions).seed(seed).duplicateRatio(0.05)
          .lateRatio(0.05).malformedRatio(0.01).build());
      this.random = new Random(seed);
    }

    /** {@code count} records generated from {@code from}, {@code millisApart}, each arriving {@code delay} later. */
    void generate(int count, Instant from, long millisApart, Duration delay) throws Exception {
      List<StreamFixture.Send> sends = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        Instant at = from.plusMillis(i * millisApart);
        GeneratedRecord r = generator.next(at);
        StreamFixture.Send send = new StreamFixture.Send(r.key(), r.value(), at.plus(delay).toEpochMilli());
        sends.add(send);
        if (r.kind() != GeneratedRecord.Kind.MALFORMED) valid.add(send);
      }
      f.produce(sends);
    }

    /** Copies of earlier valid records, arriving again at {@code arrival} (within the dedup horizon). */
    void resend(int count, Instant arrival) throws Exception {
      List<StreamFixture.Send> copies = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        StreamFixture.Send original = valid.get(random.nextInt(BACKLOG / 2));
        copies.add(new StreamFixture.Send(original.key(), original.value(), arrival.toEpochMilli()));
      }
      f.produce(copies);
      valid.addAll(copies);
    }

    Set<String> validIds() throws Exception {
      Set<String> ids = new HashSet<>();
      for (StreamFixture.Send s : valid) ids.add(JSON.readTree(s.value()).get("create_time").asText());
      return ids;
    }
  }
}
