package io.trackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * What a user sees when configuration is wrong, and that {@code trackpipe config} and {@code --help} explain it. No
 * servers: every case here ends before anything is started.
 */
class CliConfigTest {

  @TempDir Path work;

  /** Output of one run of the command line. */
  private record Run(int exitCode, String out, String err) {}

  @BeforeAll
  static void requireNoTrackpipeEnvironment() {
    // Configuration layers TRACKPIPE_* variables over files and defaults; these expectations assume none are set.
    assumeTrue(System.getenv().keySet().stream().noneMatch(name -> name.startsWith("TRACKPIPE_")),
        "TRACKPIPE_* environment variables are set; unset them to run this test");
  }

  /** Runs {@code trackpipe args…}, capturing its writers and standard output (some commands print there). */
  private static Run trackpipe(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int code;
    // Before the command line is built: picocli's default execution strategy remembers System.out when created, and
    // would replace the writer set below if System.out changed after that.
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Trackpipe.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      code = cli.execute(args);
    } finally {
      System.setOut(original);
    }
    return new Run(code, out + stdout.toString(StandardCharsets.UTF_8), err.toString());
  }

  @Test
  void reportsEveryInvalidSettingAtOnceByItsKey() {
    Run run = trackpipe("stream", "--set", "kafka.bootstap-servers=x", "--set", "stream.allowed-lateness=banana",
        "--set", "stream.max-events-per-batch=0");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(run.err())
        .contains("unknown setting 'kafka.bootstap-servers'", "did you mean 'kafka.bootstrap-servers'?")
        .contains("stream.allowed-lateness", "banana")
        .contains("stream.max-events-per-batch", "must be > 0");
  }

  @Test
  void namesEachMissingRequiredSettingWithItsEnvironmentVariable() {
    Run run = trackpipe("stream");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(run.err())
        .contains("kafka.bootstrap-servers is required", "TRACKPIPE_KAFKA_BOOTSTRAP_SERVERS")
        .contains("warehouse.jdbc-url is required", "TRACKPIPE_WAREHOUSE_JDBC_URL")
        .contains("warehouse.user is required", "TRACKPIPE_WAREHOUSE_USER");
  }

  @Test
  void refusesToServeANonLoopbackAddressWithoutReadAccessControl() {
    Run run = trackpipe("serve", "--set", "warehouse.jdbc-url=jdbc:mariadb://db.invalid:3306/trackpipe",
        "--set", "warehouse.user=trackpipe", "--set", "serve.http.host=0.0.0.0");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(run.err()).contains("serve.auth.mode is none but serve.http.host is 0.0.0.0", "token or basic");
  }

  @Test
  void refusesToCollectWithABadDomainDefinitionListingItsProblems() throws Exception {
    Path file = Files.writeString(work.resolve("orders.yaml"), """
        name: orders
        fields:
          - {name: order_id, type: integr}
        time: {field: order_id}
        """);

    Run run = trackpipe("collect", "--set", "kafka.bootstrap-servers=127.0.0.1:9", "--set",
        "collector.write-keys=0123456789abcdef0123", "--set", "domain.definitions=" + file);

    assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(run.err()).contains(file + " (domain 'orders')", "unknown type 'integr'", "id: missing");
  }

  @Test
  void explainsTheDedupHorizonRuleWhenTheLatenessOutgrowsIt() {
    Run run = trackpipe("stream", "--set", "stream.allowed-lateness=4h");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(run.err())
        .contains("stream.dedup-horizon is 4h")
        .contains("at least 1h + stream.allowed-lateness + stream.max-future-skew")
        .contains("counted a second time");
  }

  @Test
  void showsWhereEachEffectiveValueCameFromAndHidesSecrets() throws Exception {
    Path file = work.resolve("trackpipe.yaml");
    Files.writeString(file, """
        kafka:
          bootstrap-servers: broker-1:9092
        warehouse:
          password: s3cret-pw
        stream:
          allowed-lateness: 90m
          dedup-horizon: 5h
        """);

    Run run = trackpipe("config", "--config", file.toString(), "--set", "stream.dedup-horizon=6h");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.out())
        .containsPattern(entry("kafka.bootstrap-servers = broker-1:9092", "from " + file))
        .containsPattern(entry("stream.allowed-lateness = 90m", "from " + file))
        .containsPattern(entry("stream.dedup-horizon = 6h", "from command line"))
        .containsPattern(entry("stream.trigger-interval = 0s", "from default"))
        .containsPattern(entry("warehouse.password = ******", "from " + file))
        .doesNotContain("s3cret-pw");
  }

  /** A {@code trackpipe config} entry: its value line, then its description line naming the origin. */
  private static Pattern entry(String valueLine, String origin) {
    return Pattern.compile("(?m)^" + Pattern.quote(valueLine) + "\\R.*" + Pattern.quote(origin) + "[;\\]]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo", "generate", "stream", "batch", "backfill", "verify", "config", "bench", "bench-batch"})
  void explainsEachCommandWithAnExample(String command) {
    Run run = trackpipe(command, "--help");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("Usage: trackpipe " + command).contains("Example");
  }

  @Test
  void batchCommandsRejectBadTimesAndSettingsBeforeConnecting() {
    Run badTime = trackpipe("verify", "--from", "yesterday", "--to", "2024-05-02",
        "--set", "warehouse.jdbc-url=jdbc:mariadb://127.0.0.1:9/none", "--set", "warehouse.user=nobody");
    assertThat(badTime.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badTime.err()).contains("--from 'yesterday' is not a date or time");

    Run badSetting = trackpipe("batch", "--once", "--set", "batch.settle-time=soon");
    assertThat(badSetting.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(badSetting.err()).contains("batch.settle-time");

    Run noMode = trackpipe("batch");
    assertThat(noMode.exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void explainsTheCommandsWithExamples() {
    Run run = trackpipe("--help");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("demo", "generate", "stream", "config", "bench").contains("Examples:");
  }

  @Test
  void listsEachCommandOnOneCompleteLine() {
    String help = trackpipe("--help").out();
    String commands = help.substring(help.indexOf("Commands:"), help.indexOf("Examples:")).strip();
    List<String> lines = commands.lines().skip(1).filter(line -> !line.isBlank()).toList();

    assertThat(lines).as("one line per command, none wrapped")
        .hasSize(Trackpipe.commandLine().getSubcommands().size())
        .allSatisfy(line -> assertThat(line).matches("  [a-z-]+ +[A-Z].*\\.")
            .as("a complete sentence, not cut mid-way").doesNotEndWith(":").hasSizeLessThanOrEqualTo(120));
  }
}
