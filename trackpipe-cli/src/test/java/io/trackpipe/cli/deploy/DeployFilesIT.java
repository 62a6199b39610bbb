package io.trackpipe.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trackpipe.cli.Trackpipe;
import io.trackpipe.cli.settings.TrackpipeSettings;
import io.trackpipe.config.Configuration;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The production files in {@code deploy/} and the {@code Dockerfile}, checked with the tools that read them (Debian's
 * {@code docker-compose}, {@code promtool}, {@code python3}; the {@code deploy} profile, which {@code .ci/run} runs)
 * and against trackpipe itself: every command line they hold parses with trackpipe's command line, and every setting
 * they set exists, with a value of the right type.
 */
class DeployFilesIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path COMPOSE = ROOT.resolve("deploy/compose/docker-compose.yml");
  /** What stands for Airflow's rendered templates and the shell's {@code $(date …)} in the command lines. */
  private static final String SAMPLE_TIME = "2026-11-01T10:00:00Z";

  @TempDir Path work;

  @Test
  void composeFileIsValidAndEveryTrackpipeServiceRunsAnExistingCommandWithExistingSettings() throws Exception {
    Tool.Result config = Tool.run(ROOT, Map.of(), "docker-compose", "--env-file",
        ROOT.resolve("deploy/compose/example.env").toString(), "-f", COMPOSE.toString(), "config");
    assertThat(config.exitCode()).as("docker-compose config:\n" + config.output()).isZero();
    JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(config.stdout()).path("services");

    List<String> trackpipeServices = new ArrayList<>();
    services.fields().forEachRemaining(service -> {
      JsonNode build = service.getValue().path("build");
      if (build.isMissingNode()) return;
      String name = service.getKey();
      trackpipeServices.add(name);
      assertThat(Path.of(build.path("context").asText()).resolve(build.path("dockerfile").asText()))
          .as(name + " is built from the project's Dockerfile").isEqualTo(ROOT.resolve("Dockerfile"));
      List<String> command = texts(service.getValue().path("command"));
      CommandLine.ParseResult parsed = Trackpipe.commandLine().parseArgs(command.toArray(String[]::new));
      assertThat(parsed.subcommand()).as(name + " runs a trackpipe command: " + command).isNotNull();

      Map<String, String> environment = new LinkedHashMap<>();
      service.getValue().path("environment").fields()
          .forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
      String configInContainer = environment.get("TRACKPIPE_CONFIG");
      assertThat(configInContainer).as(name + " names its config file in TRACKPIPE_CONFIG").isNotNull();
      Path configFile = mountedFile(service.getValue(), configInContainer)
          .orElseThrow(() -> new AssertionError(name + " mounts no file at " + configInContainer));
      // The loader trackpipe starts with: unknown keys and variables, and values of the wrong type, are errors.
      Configuration settings = Configuration.load(Optional.of(configFile), environment, Map.of(), TrackpipeSettings.ALL);
      assertThat(settings).isNotNull();
    });
    assertThat(trackpipeServices).containsExactlyInAnyOrder("collector", "stream", "batch", "batch-ecommerce",
        "batch-clickstream", "serve");
    assertThat(texts(services.path("batch").path("command"))).containsSequence("batch", "--every");
    assertThat(texts(services.path("batch-ecommerce").path("command"))).containsSequence("--domain", "ecommerce");
    assertThat(texts(services.path("batch-clickstream").path("command"))).containsSequence("--domain", "clickstream");
    assertThat(services.path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");

    // Grafana's provisioning reads ${VAR}s from its environment: the stack sets each one.
    Map<String, String> grafana = new LinkedHashMap<>();
    services.path("grafana").path("environment").fields().forEachRemaining(e -> grafana.put(e.getKey(), e.getValue().asText()));
    for (Path file : List.of(ROOT.resolve("deploy/grafana/provisioning/datasources/trackpipe.yaml"))) {
      String withoutComments = Files.readString(file).replaceAll("(?m)^\\s*#.*$", "");
      Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(withoutComments);
      while (m.find()) assertThat(grafana).as("Grafana's environment for " + file.getFileName()).containsKey(m.group(1));
    }
  }

  @Test
  void prometheusInTheStackScrapesEachJobWhereItsSettingsMakeItListen() throws Exception {
    // The other test loads this file with trackpipe's own loader; here only the ports matter.
    JsonNode settings = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("deploy/compose/trackpipe.yaml").toFile());
    Map<String, Integer> ports = Map.of("stream", settings.path("stream").path("metrics-port").asInt(),
        "batch", settings.path("batch").path("metrics-port").asInt(),
        "collector", settings.path("collector").path("http").path("port").asInt());
    assertThat(ports.values()).allSatisfy(port -> assertThat(port).isPositive());
    JsonNode prometheus = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("deploy/compose/prometheus.yml").toFile());
    Map<String, String> targets = new LinkedHashMap<>();
    prometheus.path("scrape_configs").forEach(job -> targets.put(job.path("job_name").asText(),
        job.path("static_configs").get(0).path("targets").get(0).asText()));
    assertThat(targets).containsEntry("trackpipe-stream", "stream:" + ports.get("stream"))
        .containsEntry("trackpipe-batch", "batch:" + ports.get("batch"))
        .containsEntry("trackpipe-batch-ecommerce", "batch-ecommerce:" + ports.get("batch"))
        .containsEntry("trackpipe-batch-clickstream", "batch-clickstream:" + ports.get("batch"))
        .containsEntry("trackpipe-collector", "collector:" + ports.get("collector"));
    assertThat(texts(prometheus.path("rule_files"))).containsExactly("/etc/prometheus/trackpipe-alerts.yml");
  }

  @Test
  void alertRulesAndTheDemosPrometheusConfigPassPromtool() throws Exception {
    Tool.Result rules = Tool.run(ROOT, Map.of(), "promtool", "check", "rules", "deploy/prometheus/trackpipe-alerts.yml");
    assertThat(rules.exitCode()).as(rules.output()).isZero();
    assertThat(rules.output()).containsPattern("SUCCESS: \\d+ rules found");
    Tool.Result demo = Tool.run(ROOT, Map.of(), "promtool", "check", "config", "deploy/prometheus/prometheus.yml");
    assertThat(demo.exitCode()).as(demo.output()).isZero();
  }

  @Test
  void airflowDagCompilesAndItsCommandLinesParse() throws Exception {
    Path dag = ROOT.resolve("deploy/airflow/trackpipe_batch.py");
    Tool.Result compiled = Tool.run(ROOT, Map.of(), "python3", "-c",
        "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)", dag.toString(),
        work.resolve("dag.pyc").toString());
    assertThat(compiled.exitCode()).as(compiled.output()).isZero();

    List<List<String>> commands = new ArrayList<>();
    // Each bash_command: one string literal, or adjacent literals that Python joins.
    Matcher bash = Pattern.compile("bash_command=((?:\\s*\"[^\"]*\")+)").matcher(Files.readString(dag));
    while (bash.find()) {
      String joined = bash.group(1).replaceAll("\"\\s*\"", "").trim();
      joined = joined.substring(1, joined.length() - 1).replaceAll("\\{\\{.*?}}", SAMPLE_TIME);
      commands.add(trackpipeArguments(joined));
    }
    assertThat(commands).extracting(c -> c.get(0)).containsExactly("batch", "batch", "batch", "export", "verify");
    assertThat(commands.get(0)).contains("--once");
    assertThat(commands.get(1)).containsSequence("--domain", "ecommerce");
    assertThat(commands.get(2)).containsSequence("--domain", "clickstream");
    assertThat(commands.get(3)).startsWith("export", "hive").contains("--from", "--to");
    assertThat(Files.readString(dag)).as("the export runs after the batches")
        .contains("batch_once >> batch_once_ecommerce >> batch_once_clickstream >> export_hive");
    commands.forEach(DeployFilesIT::assertParsesWithHelp);
  }

  @Test
  void crontabCommandLinesParse() throws Exception {
    List<List<String>> commands = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve("deploy/airflow/trackpipe.cron"))) {
      if (line.isBlank() || line.startsWith("#") || line.matches("^\\w+=.*")) continue;
      // /etc/cron.d format: five time fields, the user, then the command.
      String command = line.trim().split("\\s+", 7)[6];
      Matcher m = Pattern.compile("(?:^|[\\s;&|'])trackpipe\\s+([^']+)").matcher(command);
      assertThat(m.find()).as("a trackpipe command in: " + line).isTrue();
      String args = m.group(1).replaceAll("\"\\$\\([^)]*\\)\"", SAMPLE_TIME);
      commands.add(trackpipeArguments("trackpipe " + args));
    }
    assertThat(commands).extracting(c -> c.get(0)).containsExactly("batch", "batch", "batch", "export", "export", "verify");
    assertThat(commands.get(1)).containsSequence("--domain", "ecommerce");
    assertThat(commands.get(2)).containsSequence("--domain", "clickstream");
    assertThat(commands.get(3)).startsWith("export", "hive").contains("--from", "--to");
    assertThat(commands.get(4)).containsExactly("export", "hive");
    commands.forEach(DeployFilesIT::assertParsesWithHelp);
  }

  @Test
  void imageIsMultiStageNonRootOnJdk17AndRunsTheLauncher() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    List<String> stages = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile).results().map(r -> r.group(1)).toList();
    assertThat(stages).hasSize(2).allSatisfy(image -> assertThat(image).containsPattern("temurin[-:]17\\b").doesNotContain("latest"));
    assertThat(dockerfile).containsPattern("(?m)^USER trackpipe$").contains("ENTRYPOINT [\"/opt/trackpipe/bin/trackpipe\"]");
  }

  /** The arguments after {@code trackpipe}, split as a shell would (quotes removed). */
  private static List<String> trackpipeArguments(String commandLine) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean inWord = false;
    for (char c : commandLine.toCharArray()) {
      if (quote != 0) {
        if (c == quote) quote = 0;
        else word.append(c);
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) words.add(word.toString());
        word.setLength(0);
        inWord = false;
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) words.add(word.toString());
    assertThat(words).as(commandLine).first().isEqualTo("trackpipe");
    return words.subList(1, words.size());
  }

  /**
   * Parsed as trackpipe would parse it (a renamed command or option, a missing required one or a value of the wrong
   * type is a usage error), then run with {@code --help} added. Both: with {@code --help} picocli lets unknown options
   * pass.
   */
  private static void assertParsesWithHelp(List<String> arguments) {
    try {
      Trackpipe.commandLine().parseArgs(arguments.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError("trackpipe " + String.join(" ", arguments) + ": " + e.getMessage(), e);
    }
    List<String> withHelp = new ArrayList<>(arguments);
    withHelp.add("--help");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Trackpipe.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(withHelp.toArray(String[]::new));
    assertThat(exit).as("trackpipe " + String.join(" ", withHelp) + "\n" + err).isZero();
    assertThat(out.toString()).as("help of " + arguments.get(0)).contains("Usage: trackpipe " + arguments.get(0));
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }

  /** The host file a service mounts at {@code target} (docker-compose config writes volumes as source:target[:mode]). */
  private static Optional<Path> mountedFile(JsonNode service, String target) {
    for (JsonNode volume : service.path("volumes")) {
      String[] parts = volume.asText().split(":");
      if (parts.length >= 2 && parts[1].equals(target)) return Optional.of(Path.of(parts[0]));
    }
    return Optional.empty();
  }
}
