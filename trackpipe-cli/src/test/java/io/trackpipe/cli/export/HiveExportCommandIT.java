package io.trackpipe.cli.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.Trackpipe;
import io.trackpipe.dimension.Company;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.dimension.Publisher;
import io.trackpipe.spark.it.StreamFixture;
import io.trackpipe.spark.stream.StreamQueries;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trackpipe export hive} as a user runs it: help, usage errors (exit 2), an unknown domain (exit 3, naming the
 * defined ones), and an export of tables the streaming job filled, into an embedded metastore named by settings.
 */
class HiveExportCommandIT {
  @TempDir Path work;

  @Test
  void helpDescribesTheCommandAndUsageErrorsExitWithTwo() {
    Run help = run("export", "hive", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Usage: trackpipe export hive").contains("--format").contains("--every")
        .contains("--from").contains("hive.metastore.uris");
    assertThat(run("export").code()).as("a target is required").isEqualTo(ExitCodes.USAGE);
    assertThat(run("export", "hive", "--format", "orc").err()).contains("parquet, csv");
    assertThat(run("export", "hive", "--format", "orc").code()).isEqualTo(ExitCodes.USAGE);
    Run alone = run("export", "hive", "--from", "2024-05-01");
    assertThat(alone.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(alone.err()).contains("--from and --to go together");
    Run backwards = run("export", "hive", "--from", "2024-05-03", "--to", "2024-05-01");
    assertThat(backwards.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(backwards.err()).contains("must be before");
    assertThat(run("export", "hive", "--every", "0s").code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void anUnknownDomainIsAConfigurationErrorThatNamesTheDefinedOnes() {
    Run unknown = run("export", "hive", "--domain", "nowhere", "--set", "warehouse.jdbc-url=jdbc:mariadb://127.0.0.1:1/x",
        "--set", "warehouse.user=u", "--set", "hive.metastore-dir=" + work.resolve("metastore"));
    assertThat(unknown.code()).isEqualTo(ExitCodes.CONFIG);
    assertThat(unknown.err()).contains("--domain: no domain 'nowhere'").contains("job-ads").contains("all");
    assertThat(work.resolve("metastore")).as("nothing started").doesNotExist();

    Run badSetting = run("export", "hive", "--set", "warehouse.jdbc-url=jdbc:mariadb://127.0.0.1:1/x", "--set", "warehouse.user=u",
        "--set", "hive.metastore.uris=http://metastore:9083");
    assertThat(badSetting.code()).isEqualTo(ExitCodes.CONFIG);
    assertThat(badSetting.err()).contains("hive.metastore.uris");
  }

  @Test
  void exportsTheTablesTheStreamFilledAndPrintsTheirRowCounts() throws Exception {
    StreamFixture f = StreamFixture.create("cliexport", work);
    f.loadDimensions(new Dimensions(List.of(new Company(10, "Tech Co")), List.of(new Job(1, 10, 4, 3, "Java developer", "Tech")),
        List.of(new Publisher(7, "Board"))));
    StreamQueries query = f.job(f.streamConfig()).start(StreamFixture.spark());
    try {
      List<StreamFixture.Send> events = new ArrayList<>();
      LocalDateTime start = LocalDateTime.of(2024, 5, 1, 10, 0);
      for (int i = 0; i < 30; i++) {
        LocalDateTime at = start.plusHours(5L * i);
        String json = "{\"create_time\":\"cli-" + i + "\",\"ts\":\"" + at.toString().replace('T', ' ') + ":00\",\"job_id\":1,"
            + "\"publisher_id\":7,\"campaign_id\":3,\"group_id\":4" + (i % 3 == 0 ? ",\"custom_track\":\"click\",\"bid\":0.25" : "") + "}";
        events.add(new StreamFixture.Send("1", json.getBytes(StandardCharsets.UTF_8), at.toInstant(ZoneOffset.UTC).toEpochMilli()));
      }
      f.produce(events);
      query.processAllAvailable();
    } finally {
      query.stop();
    }
    StreamFixture.spark().stop();

    Run export = run("export", "hive", "--domain", "job-ads", "--set", "warehouse.jdbc-url=" + f.warehouseConfig.jdbcUrl(),
        "--set", "warehouse.user=" + f.warehouseConfig.user(), "--set", "warehouse.password=" + f.warehouseConfig.password(),
        "--set", "hive.warehouse-dir=" + work.resolve("hive"), "--set", "hive.metastore-dir=" + work.resolve("metastore"),
        "--set", "hive.database=cli_export", "--set", "stream.spark-master=local[2]");
    assertThat(export.code()).as(export.err()).isEqualTo(ExitCodes.OK);
    long events = count(f, "events");
    long days = count(f, "(SELECT DISTINCT dates FROM events) d");
    assertThat(events).isPositive();
    Matcher line = Pattern.compile("cli_export\\.events +([\\d,]+) rows +(\\d+) partitions written").matcher(export.out());
    assertThat(line.find()).as(export.out()).isTrue();
    assertThat(Long.parseLong(line.group(1).replace(",", ""))).isEqualTo(events);
    assertThat(Long.parseLong(line.group(2))).isEqualTo(days);
    assertThat(export.out()).containsPattern("export: \\d+ tables, [\\d,]+ rows");
    try (var runs = Files.list(work.resolve("hive/cli_export.db/events"))) {
      assertThat(runs.toList()).as("one run folder").hasSize(1);
    }
    assertThat(work.resolve("metastore/metastore_db")).isDirectory();
  }

  private static long count(StreamFixture f, String table) throws Exception {
    try (Connection c = f.warehouse.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    PrintStream stdout = System.out;
    // Before the command line exists: picocli's help of a subcommand's subcommand writes to the System.out it finds.
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    var cli = Trackpipe.commandLine();
    cli.setErr(new PrintWriter(err, true));
    try {
      int code = cli.execute(args);
      System.out.flush();
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(stdout);
      stdout.print(out.toString(StandardCharsets.UTF_8));
    }
  }
}
