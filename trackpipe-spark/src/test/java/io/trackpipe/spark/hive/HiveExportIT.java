package io.trackpipe.spark.hive;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.dimension.Company;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.dimension.Publisher;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.RollupConfig;
import io.trackpipe.spark.it.StreamFixture;
import io.trackpipe.spark.it.StreamJobProcess;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.spark.stream.StreamQueries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTablePartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code trackpipe export hive} against real servers: rollup tables filled by the streaming job in MariaDB, exported to
 * external tables of an embedded Derby metastore and read back with Spark SQL (Hive support), in Parquet and CSV, whole
 * and by date range, twice, and from a second JVM once this one has let the metastore go. The tests share one
 * metastore (Derby: one JVM at a time) and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HiveExportIT {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final LocalDateTime DAY_1 = LocalDateTime.of(2024, 5, 1, 9, 0);
  /** A comma in a text value: the CSV files must escape it. */
  private static final String INDUSTRY_WITH_COMMA = "Tech, Media";
  private static final Dimensions DIMENSIONS = new Dimensions(
      List.of(new Company(10, "Tech Co"), new Company(20, "Shop Co")),
      List.of(new Job(1, 10, 4, 3, "Java developer", INDUSTRY_WITH_COMMA), new Job(2, 20, 4, 5, "Cashier", "Retail")),
      List.of(new Publisher(7, "Board")));
  /** Rollups next to job-ads': one by hour without a day (a table rewritten whole), distinct metrics (side tables). */
  private static final String EXTRA_ROLLUPS = """
      rollups:
        - name: clicks_by_industry
          filter: event_kind = 'click'
          lookups: [job]
          dimensions:
            - {name: industry, default: "'none'"}
            - {name: hour, time: hour}
          metrics:
            - {name: clicks, kind: count}
            - {name: spend, kind: sum, of: bid}
            - {name: first_click, kind: min, of: event_time}
            - {name: jobs, kind: distinct, of: job_id}
        - name: jobs_by_day
          dimensions:
            - {name: day, time: day}
          metrics:
            - {name: events, kind: count}
            - {name: jobs, kind: distinct, of: job_id}
      """;

  @TempDir static Path work;
  private StreamFixture warehouse;
  private Domain domain;
  private HiveConfig hive;
  private SparkSession spark;
  private HiveExportJob job;
  private int nextId;

  @BeforeAll
  void fillTheWarehouseThroughTheStream() throws Exception {
    Path definitions = work.resolve("extra-rollups.yaml");
    Files.writeString(definitions, EXTRA_ROLLUPS);
    warehouse = StreamFixture.create("hive", work);
    warehouse.loadDimensions(DIMENSIONS);
    StreamQueries query = warehouse.job(warehouse.streamConfig(new RollupConfig(List.of(definitions)))).start(StreamFixture.spark());
    try {
      List<StreamFixture.Send> events = new ArrayList<>();
      for (int day = 0; day < 3; day++) {
        LocalDateTime start = DAY_1.plusDays(day);
        for (int i = 0; i < 20 + day; i++) events.add(event(1 + i % 2, 3 + i % 3, start.plusMinutes(7L * i), i % 4 == 0 ? "click" : null,
            i % 4 == 0 ? "0." + (10 + i) : null));
        events.add(event(1, 3, start.plusHours(5), "conversion", null));
      }
      warehouse.produce(events);
      query.processAllAvailable();
    } finally {
      query.stop();
    }
    // One Spark session per JVM at a time: the stream's, without Hive support, makes way for the export's.
    StreamFixture.spark().stop();
    domain = DomainCatalog.load(List.of(), List.of(definitions)).jobAds();
    hive = new HiveConfig(work.resolve("warehouse").toString(), work.resolve("metastore"), Optional.empty(), "trackpipe_it");
    spark = SparkSessions.forHive("hive-export-it", "local[2]", hive);
    job = new HiveExportJob(spark, warehouse.warehouseConfig, hive, Clock.systemUTC());
  }

  @AfterAll
  void stopSpark() {
    if (spark != null && !spark.sparkContext().isStopped()) SparkSessions.stopHive(spark, hive);
  }

  @Test
  @Order(1)
  void parquetTablesReadBackAsTheWarehouseHasThemAndASecondRunChangesNothing() throws Exception {
    List<HiveExportJob.TableResult> first = job.export(domain, Optional.empty(), ExportFormat.PARQUET);
    assertThat(first).extracting(HiveExportJob.TableResult::table).containsAll(List.of("events", "campaign_daily",
        "clicks_by_industry", "clicks_by_industry__jobs", "jobs_by_day", "jobs_by_day__jobs"));
    assertThat(first).filteredOn(r -> r.table().startsWith("clicks_by_industry")).allMatch(r -> !r.partitioned());
    assertThat(first).filteredOn(r -> r.table().equals("events")).singleElement()
        .satisfies(r -> assertThat(r.partitions()).isEqualTo(3));
    assertEveryTableMatchesTheWarehouse();
    assertThat(spark.sql("SELECT industry FROM trackpipe_it.clicks_by_industry").collectAsList())
        .extracting(r -> r.getString(0)).contains(INDUSTRY_WITH_COMMA);
    Map<String, List<String>> before = locations();

    List<HiveExportJob.TableResult> second = job.export(domain, Optional.empty(), ExportFormat.PARQUET);
    assertThat(second).extracting(HiveExportJob.TableResult::rows).isEqualTo(first.stream().map(HiveExportJob.TableResult::rows).toList());
    assertEveryTableMatchesTheWarehouse();
    Map<String, List<String>> after = locations();
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (String table : after.keySet()) {
      assertThat(after.get(table)).as(table + " reads the new run's folders").doesNotContainAnyElementsOf(before.get(table));
      assertThat(runFolders(table)).as(table + ": the earlier run's folders are deleted").hasSize(1);
    }
  }

  @Test
  @Order(2)
  void aDateRangeSwitchesOnlyItsPartitionsAndDropsTheDaysThatHaveNoRowsAnyMore() throws Exception {
    Map<String, List<String>> before = locations();
    try (Connection c = warehouse.warehouse.connect(); Statement s = c.createStatement()) {
      // What a batch rewrite of two days looks like to the export: day 2 changed, day 3 gone from one table.
      s.executeUpdate("UPDATE events SET clicks = clicks + 100 WHERE dates = '2024-05-02'");
      s.executeUpdate("DELETE FROM campaign_daily WHERE dates = '2024-05-03'");
      // Outside the range: not exported, so Hive keeps the old day 1.
      s.executeUpdate("UPDATE events SET impressions = impressions + 1000 WHERE dates = '2024-05-01'");
    }
    List<HiveExportJob.TableResult> results = job.export(domain, Optional.of(new DateRange(LocalDate.parse("2024-05-02"),
        LocalDate.parse("2024-05-04"))), ExportFormat.PARQUET);
    assertThat(results).filteredOn(r -> r.table().equals("campaign_daily")).singleElement()
        .satisfies(r -> assertThat(r.partitions()).isEqualTo(1)).satisfies(r -> assertThat(r.partitionsDropped()).isEqualTo(1));

    for (String table : List.of("events", "campaign_daily", "jobs_by_day", "jobs_by_day__jobs")) {
      assertMatches(table, "`" + dayColumn(table) + "` >= '2024-05-02'");
    }
    assertThat(hiveLines("events", "`dates` = '2024-05-01'")).as("day 1 is outside the range: as exported before")
        .isNotEqualTo(mysqlLines("events", "`dates` = '2024-05-01'"));
    assertThat(spark.sql("SELECT count(*) FROM trackpipe_it.campaign_daily WHERE dates = '2024-05-03'").first().getLong(0)).isZero();
    Map<String, List<String>> after = locations();
    assertThat(after.get("events")).hasSize(3).contains(before.get("events").get(0))
        .doesNotContain(before.get("events").get(1), before.get("events").get(2));
    assertThat(after.get("campaign_daily")).hasSize(2);
    assertThat(runFolders("events")).as("the first run's folder still holds day 1, the new one days 2 and 3").hasSize(2);
    assertThat(Path.of(java.net.URI.create(before.get("events").get(1)))).as("the replaced day's folder is deleted").doesNotExist();

    // Whole again: back to one run folder, and day 1 matches too.
    job.export(domain, Optional.empty(), ExportFormat.PARQUET);
    assertEveryTableMatchesTheWarehouse();
    assertThat(runFolders("events")).hasSize(1);
  }

  @Test
  @Order(3)
  void csvTablesRecreatedFromParquetReadBackTheSameIncludingCommasTimesAndDecimals() throws Exception {
    job.export(domain, Optional.empty(), ExportFormat.CSV);
    assertEveryTableMatchesTheWarehouse();
    assertThat(spark.sql("SHOW CREATE TABLE trackpipe_it.events AS SERDE").first().getString(0)).contains("CREATE EXTERNAL TABLE")
        .contains("LazySimpleSerDe").contains("TextInputFormat").doesNotContainIgnoringCase("parquet");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(work.resolve("warehouse/trackpipe_it.db/clicks_by_industry"))) {
      files = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")
          && !p.getFileName().toString().startsWith("_")).toList();
    }
    String text = String.join("", files.stream().map(HiveExportIT::read).toList());
    assertThat(text).as("a text file with the comma escaped").contains("Tech\\, Media,");
    assertThat(text).containsPattern("2024-05-0\\d 09:00:00");
    assertThat(runFolders("events")).hasSize(1);

    job.export(domain, Optional.of(new DateRange(LocalDate.parse("2024-05-01"), LocalDate.parse("2024-05-02"))), ExportFormat.CSV);
    assertEveryTableMatchesTheWarehouse();
  }

  @Test
  @Order(4)
  void aSecondJvmReadsTheSameNumbersOnceTheFirstHasStopped() throws Exception {
    Map<String, List<String>> expected = new LinkedHashMap<>();
    List<String> arguments = new ArrayList<>(List.of(hive.warehouseDir(), hive.metastoreDir().toString(), hive.database()));
    try (Connection c = warehouse.warehouse.connect()) {
      for (ExportTable table : ExportTable.of(domain)) {
        expected.put(table.name(), HiveRows.mysql(c, table.name(), ""));
        arguments.add(table.name() + ":" + String.join(",", HiveRows.columns(c, table.name())));
      }
    }
    SparkSessions.stopHive(spark, hive);

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(StreamJobProcess.sparkJvmFlags());
    command.addAll(List.of("-Xmx1g", "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("child-tmp")), "-cp",
        System.getProperty("java.class.path"), HiveRows.class.getName()));
    command.addAll(arguments);
    Path out = work.resolve("child.out");
    Path err = work.resolve("child.err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process child = builder.start();
    assertThat(child.waitFor(3, TimeUnit.MINUTES)).as("the second JVM finishes").isTrue();
    assertThat(child.exitValue()).as(Files.readString(err)).isZero();

    Map<String, List<String>> read = new LinkedHashMap<>();
    expected.keySet().forEach(t -> read.put(t, new ArrayList<>()));
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      String[] parts = line.split("\t", 2);
      if (parts.length == 2 && read.containsKey(parts[0])) read.get(parts[0]).add(parts[1]);
    }
    read.values().forEach(lines -> lines.sort(null));
    assertThat(read).isEqualTo(expected);
    assertThat(expected.get("events")).hasSizeGreaterThan(3);
  }

  private void assertEveryTableMatchesTheWarehouse() throws Exception {
    for (ExportTable table : ExportTable.of(domain)) assertMatches(table.name(), "");
  }

  private void assertMatches(String table, String where) throws Exception {
    List<String> expected = mysqlLines(table, where);
    assertThat(hiveLines(table, where)).as("Hive table " + table + (where.isEmpty() ? "" : " where " + where)).isEqualTo(expected);
    assertThat(expected).as(table + " has rows to compare").isNotEmpty();
  }

  private List<String> mysqlLines(String table, String where) throws Exception {
    try (Connection c = warehouse.warehouse.connect()) {
      return HiveRows.mysql(c, table, where);
    }
  }

  private List<String> hiveLines(String table, String where) throws Exception {
    try (Connection c = warehouse.warehouse.connect()) {
      return HiveRows.hive(spark, "trackpipe_it.`" + table + "`", HiveRows.columns(c, table), where);
    }
  }

  private String dayColumn(String table) {
    return ExportTable.of(domain).stream().filter(t -> t.name().equals(table)).findFirst().orElseThrow().dayColumn().orElseThrow();
  }

  /** Each table's location, or its partitions' locations in the order of their days. */
  private Map<String, List<String>> locations() {
    var catalog = spark.sharedState().externalCatalog();
    Map<String, List<String>> locations = new LinkedHashMap<>();
    for (ExportTable table : ExportTable.of(domain)) {
      if (catalog.getTable("trackpipe_it", table.name()).partitionColumnNames().isEmpty()) {
        locations.put(table.name(), List.of(catalog.getTable("trackpipe_it", table.name()).location().toString()));
        continue;
      }
      List<CatalogTablePartition> partitions = CollectionConverters.asJava(catalog.listPartitions("trackpipe_it", table.name(), Option.empty()));
      List<String> list = partitions.stream().sorted(java.util.Comparator.comparing(p -> p.spec().toString())).map(p -> p.location().toString()).toList();
      locations.put(table.name(), list);
    }
    return locations;
  }

  private List<Path> runFolders(String table) throws IOException {
    try (Stream<Path> list = Files.list(work.resolve("warehouse/trackpipe_it.db").resolve(table))) {
      return list.filter(Files::isDirectory).toList();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private StreamFixture.Send event(long job, long campaign, LocalDateTime time, String track, String bid) {
    String id = "hive-" + nextId++;
    String json = "{\"create_time\":\"" + id + "\",\"ts\":\"" + TS.format(time) + "\",\"job_id\":" + job
        + ",\"publisher_id\":7,\"campaign_id\":" + campaign + ",\"group_id\":4"
        + (bid == null ? "" : ",\"bid\":" + bid) + (track == null ? "" : ",\"custom_track\":\"" + track + "\"") + "}";
    return new StreamFixture.Send(String.valueOf(job), json.getBytes(StandardCharsets.UTF_8),
        time.plusMinutes(1).toInstant(ZoneOffset.UTC).toEpochMilli());
  }
}
