package io.trackpipe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import io.trackpipe.kafka.KafkaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigurationTest {
  private static final Setting<Duration> MAX_FUTURE_SKEW = Setting.of("stream.max-future-skew", ValueType.DURATION_TYPE,
      Duration.ofMinutes(15), "Events stamped further ahead of their arrival are rejected.").checked(d -> !d.isNegative(), ">= 0");
  private static final Setting<ZoneId> TIME_ZONE = Setting.of("stream.time-zone", ValueType.ZONE, ZoneId.of("UTC"),
      "Zone of ts values sent without an offset.");
  private static final Setting<String> PASSWORD = Setting.of("warehouse.password", ValueType.STRING, null,
      "Warehouse password.").asSecret();
  private static final List<Setting<?>> SETTINGS = settings();

  @TempDir Path dir;

  private static List<Setting<?>> settings() {
    List<Setting<?>> all = new ArrayList<>(KafkaConfig.SETTINGS);
    all.addAll(List.of(MAX_FUTURE_SKEW, TIME_ZONE, PASSWORD));
    return all;
  }

  @Test
  void appliesDefaultsWhenNothingIsSet() {
    Configuration config = load(Optional.empty(), Map.of(), Map.of());

    assertThat(config.get(KafkaConfig.EVENTS_TOPIC)).isEqualTo("tracking-events");
    assertThat(config.get(KafkaConfig.DEAD_LETTER_TOPIC)).isEqualTo("tracking-events-dead-letter");
    assertThat(config.get(KafkaConfig.PARTITIONS)).isEqualTo(4);
    assertThat(config.get(KafkaConfig.REPLICATION_FACTOR)).isEqualTo(1);
    assertThat(config.get(KafkaConfig.BOOTSTRAP_SERVERS)).isNull();
    assertThat(config.get(MAX_FUTURE_SKEW)).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.get(TIME_ZONE)).isEqualTo(ZoneId.of("UTC"));
    assertThat(config.describe())
        .contains("kafka.topic.partitions = 4")
        .contains("from default")
        .contains("kafka.bootstrap-servers = (unset)");
  }

  @Test
  void anOverrideOfNullResetsAFileOrEnvironmentValueToItsDefaultAndSaysSo() throws IOException {
    Path file = yaml("""
        kafka:
          security.protocol: SASL_SSL
          sasl.username: prod
        """);
    Map<String, String> overrides = new java.util.HashMap<>();
    overrides.put("kafka.security.protocol", null);
    overrides.put("kafka.sasl.username", null);
    overrides.put("kafka.sasl.password", null);

    Configuration config = load(Optional.of(file), Map.of("TRACKPIPE_KAFKA_SASL_PASSWORD", "secret"), overrides);

    assertThat(config.get(io.trackpipe.kafka.KafkaSecurity.PROTOCOL)).isEqualTo("PLAINTEXT");
    assertThat(config.get(io.trackpipe.kafka.KafkaSecurity.SASL_USERNAME)).isNull();
    assertThat(config.get(io.trackpipe.kafka.KafkaSecurity.SASL_PASSWORD)).isNull();
    assertThat(config.describe()).contains("kafka.security.protocol = PLAINTEXT").contains("reset by the command");
  }

  @Test
  void readsNestedAndFlatKeysFromYamlFile() throws IOException {
    Path file = yaml("""
        kafka:
          bootstrap-servers: "127.0.0.1:9092"
          topic:
            partitions: 8
        kafka.topic.events: clicks-raw
        stream.max-future-skew: 5m
        stream:
          time-zone: Asia/Ho_Chi_Minh
        """);

    Configuration config = load(Optional.of(file), Map.of(), Map.of());

    assertThat(config.get(KafkaConfig.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
    assertThat(config.get(KafkaConfig.PARTITIONS)).isEqualTo(8);
    assertThat(config.get(KafkaConfig.EVENTS_TOPIC)).isEqualTo("clicks-raw");
    assertThat(config.get(MAX_FUTURE_SKEW)).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.get(TIME_ZONE)).isEqualTo(ZoneId.of("Asia/Ho_Chi_Minh"));
    assertThat(config.get(KafkaConfig.DEAD_LETTER_TOPIC)).isEqualTo("tracking-events-dead-letter");
    assertThat(config.describe()).contains("kafka.topic.partitions = 8").contains("from " + file);
  }

  @Test
  void acceptsEmptyYamlFile() throws IOException {
    Configuration config = load(Optional.of(yaml("")), Map.of(), Map.of());

    assertThat(config.get(KafkaConfig.PARTITIONS)).isEqualTo(4);
  }

  @Test
  void environmentVariableOverridesFile() throws IOException {
    Path file = yaml("kafka.topic.partitions: 8\n");

    Configuration config = load(Optional.of(file), Map.of("TRACKPIPE_KAFKA_TOPIC_PARTITIONS", "12"), Map.of());

    assertThat(config.get(KafkaConfig.PARTITIONS)).isEqualTo(12);
    assertThat(config.describe()).contains("from environment TRACKPIPE_KAFKA_TOPIC_PARTITIONS");
  }

  @Test
  void commandLineOverridesEnvironmentAndFile() throws IOException {
    Path file = yaml("kafka.topic.partitions: 8\n");

    Configuration config = load(Optional.of(file), Map.of("TRACKPIPE_KAFKA_TOPIC_PARTITIONS", "12"),
        Map.of("kafka.topic.partitions", "16"));

    assertThat(config.get(KafkaConfig.PARTITIONS)).isEqualTo(16);
    assertThat(config.describe()).contains("kafka.topic.partitions = 16").contains("from command line");
  }

  @Test
  void derivesEnvironmentVariableNameFromKey() {
    assertThat(KafkaConfig.DEAD_LETTER_TOPIC.environmentVariable()).isEqualTo("TRACKPIPE_KAFKA_TOPIC_DEAD_LETTER");
    assertThat(MAX_FUTURE_SKEW.environmentVariable()).isEqualTo("TRACKPIPE_STREAM_MAX_FUTURE_SKEW");
  }

  @Test
  void reportsUnknownFileKeyWithDidYouMean() throws IOException {
    Path file = yaml("kafka:\n  topic:\n    partitons: 3\n");

    ConfigException e = loadFailure(Optional.of(file), Map.of(), Map.of());

    assertThat(e.problems()).singleElement().asString()
        .contains("unknown setting 'kafka.topic.partitons'")
        .contains(file.toString())
        .contains("did you mean 'kafka.topic.partitions'?");
  }

  @Test
  void reportsUnknownCommandLineKeyWithItsOrigin() {
    ConfigException e = loadFailure(Optional.empty(), Map.of(), Map.of("stream.time-zon", "UTC"));

    assertThat(e.problems()).singleElement().asString()
        .contains("unknown setting 'stream.time-zon'")
        .contains("command line")
        .contains("did you mean 'stream.time-zone'?");
  }

  @Test
  void reportsUnknownTrackpipeEnvironmentVariable() {
    ConfigException e = loadFailure(Optional.empty(), Map.of("TRACKPIPE_KAFKA_TOPIC_PARTITON", "3"), Map.of());

    assertThat(e.problems()).singleElement().asString()
        .contains("environment variable TRACKPIPE_KAFKA_TOPIC_PARTITON matches no setting")
        .contains("did you mean 'TRACKPIPE_KAFKA_TOPIC_PARTITIONS'?");
  }

  @Test
  void ignoresLauncherEnvironmentVariablesAndOtherPrefixes() {
    Map<String, String> environment = Map.of("TRACKPIPE_CONFIG", "missing.yaml", "TRACKPIPE_HOME", "x",
        "TRACKPIPE_JAVA_OPTS", "-Xmx1g", "PATH", "bin", "KAFKA_TOPIC_PARTITIONS", "oops");

    Configuration config = load(Optional.empty(), environment, Map.of());

    assertThat(config.get(KafkaConfig.PARTITIONS)).isEqualTo(4);
  }

  @Test
  void reportsWrongIntegerFromFileWithKeyAndOrigin() throws IOException {
    Path file = yaml("kafka.topic.partitions: four\n");

    ConfigException e = loadFailure(Optional.of(file), Map.of(), Map.of());

    assertThat(e.problems()).containsExactly("kafka.topic.partitions (from " + file + "): not an integer: 'four'");
  }

  @Test
  void reportsWrongDurationFromEnvironmentWithKeyAndOrigin() {
    ConfigException e = loadFailure(Optional.empty(), Map.of("TRACKPIPE_STREAM_MAX_FUTURE_SKEW", "2 hours"), Map.of());

    assertThat(e.problems()).singleElement().asString()
        .startsWith("stream.max-future-skew (from environment TRACKPIPE_STREAM_MAX_FUTURE_SKEW): not a duration")
        .contains("'2 hours'");
  }

  @Test
  void reportsUnknownZoneFromCommandLineWithKeyAndOrigin() {
    ConfigException e = loadFailure(Optional.empty(), Map.of(), Map.of("stream.time-zone", "Mars/Olympus"));

    assertThat(e.problems()).singleElement().asString()
        .startsWith("stream.time-zone (from command line): not a time zone id")
        .contains("'Mars/Olympus'");
  }

  @Test
  void reportsEveryBadKeyInOneException() throws IOException {
    Path file = yaml("""
        kafka.topic.partitions: four
        kafka.topic.partitons: 3
        """);

    ConfigException e = loadFailure(Optional.of(file),
        Map.of("TRACKPIPE_STREAM_MAX_FUTURE_SKEW", "2 hours", "TRACKPIPE_NOPE", "1"),
        Map.of("stream.time-zone", "Mars/Olympus", "kafka.topic.replication-factor", "0"));

    assertThat(e.problems()).hasSize(6);
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("kafka.topic.partitions (from " + file + ")"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("unknown setting 'kafka.topic.partitons'"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("TRACKPIPE_NOPE matches no setting"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("stream.max-future-skew (from environment"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("stream.time-zone (from command line)"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("kafka.topic.replication-factor (from command line)"));
    assertThat(e.getMessage()).startsWith("invalid configuration:").contains(e.problems());
  }

  @Test
  void reportsFailedCheckWithWhatTheValueMustBe() {
    ConfigException e = loadFailure(Optional.empty(), Map.of(), Map.of("kafka.topic.partitions", "0"));

    assertThat(e.problems()).containsExactly("kafka.topic.partitions (from command line): must be > 0, got '0'");
  }

  @Test
  void masksSecretInFailedCheck() {
    Setting<String> checkedSecret = PASSWORD.checked(p -> p.length() >= 8, "at least 8 characters");

    Throwable e = catchThrowableOfType(ConfigException.class, () -> Configuration.load(Optional.empty(),
        Map.of("TRACKPIPE_WAREHOUSE_PASSWORD", "hunter2"), Map.of(), List.of(checkedSecret)));

    assertThat(e.getMessage()).contains("must be at least 8 characters").doesNotContain("hunter2");
  }

  @Test
  void reportsListsInFileAsUnsupported() throws IOException {
    Path file = yaml("kafka:\n  bootstrap-servers:\n    - a:9092\n    - b:9092\n");

    ConfigException e = loadFailure(Optional.of(file), Map.of(), Map.of());

    assertThat(e.problems()).singleElement().asString().contains("kafka.bootstrap-servers").contains("lists are not supported");
  }

  @Test
  void reportsMissingConfigFile() {
    Path missing = dir.resolve("missing.yaml");

    ConfigException e = loadFailure(Optional.of(missing), Map.of(), Map.of());

    assertThat(e.problems()).singleElement().asString().contains("cannot read config file " + missing);
  }

  @Test
  void reportsMalformedYaml() throws IOException {
    Path file = yaml("kafka: [unclosed\n");

    ConfigException e = loadFailure(Optional.of(file), Map.of(), Map.of());

    assertThat(e.problems()).singleElement().asString().contains("cannot read config file " + file);
  }

  @Test
  void reportsYamlThatIsNotAMap() throws IOException {
    Path file = yaml("- kafka.topic.partitions\n");

    ConfigException e = loadFailure(Optional.of(file), Map.of(), Map.of());

    assertThat(e.problems()).singleElement().asString().contains("expected a map of settings");
  }

  @Test
  void requireNamesTheKeyAndItsEnvironmentVariable() {
    Configuration config = load(Optional.empty(), Map.of(), Map.of());

    assertThat(config.require(KafkaConfig.BOOTSTRAP_SERVERS)).isNull();

    ConfigException e = catchThrowableOfType(ConfigException.class, config::throwIfInvalid);
    assertThat(e.problems()).singleElement().asString()
        .contains("kafka.bootstrap-servers is required")
        .contains("TRACKPIPE_KAFKA_BOOTSTRAP_SERVERS")
        .contains("--set kafka.bootstrap-servers=");
  }

  @Test
  void masksSecretsInDescription() {
    Configuration config = load(Optional.empty(), Map.of("TRACKPIPE_WAREHOUSE_PASSWORD", "hunter2"), Map.of());

    assertThat(config.get(PASSWORD)).isEqualTo("hunter2");
    assertThat(config.describe()).contains("warehouse.password = ******").doesNotContain("hunter2");
  }

  @Test
  void describesEverySettingWithDescriptionTypeAndEnvironmentVariable() {
    String description = load(Optional.empty(), Map.of(), Map.of()).describe();

    for (Setting<?> setting : SETTINGS) {
      assertThat(description).contains(setting.key() + " = ").contains(setting.description())
          .contains("env " + setting.environmentVariable());
    }
    assertThat(description).contains("stream.max-future-skew = 15m").contains("[duration, from default;");
  }

  @Test
  void refusesSettingDeclaredTwice() {
    assertThatThrownBy(() -> Configuration.load(Optional.empty(), Map.of(), Map.of(), List.of(TIME_ZONE, TIME_ZONE)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stream.time-zone");
  }

  @Test
  void refusesGetOfUndeclaredSetting() {
    Configuration config = Configuration.load(Optional.empty(), Map.of(), Map.of(), List.of(TIME_ZONE));

    assertThatThrownBy(() -> config.get(MAX_FUTURE_SKEW)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stream.max-future-skew");
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({"500ms, PT0.5S", "10s, PT10S", "5m, PT5M", "2h, PT2H", "1d, PT24H", "PT2H, PT2H", "pt90s, PT1M30S",
      "'10 s', PT10S", "' 5M ', PT5M", "0s, PT0S"})
  void parsesDurations(String text, String expected) {
    assertThat(ValueType.DURATION_TYPE.parse(text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2 hours", "1.5h", "-1s", "", "10", "h", "P2X", "9999999999999999d", "99999999999999999999s"})
  void rejectsMalformedOrOutOfRangeDurationsWithTheText(String text) {
    assertThatThrownBy(() -> ValueType.DURATION_TYPE.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @ParameterizedTest(name = "{0} prints as {1}")
  @CsvSource({"PT0.5S, 500ms", "PT10S, 10s", "PT90S, 90s", "PT5M, 5m", "PT90M, 90m", "PT2H, 2h", "PT36H, 36h", "PT24H, 1d",
      "PT0S, 0s", "PT1.5S, 1500ms"})
  void formatsDurationShortestAndParsesItBack(String iso, String text) {
    Duration duration = Duration.parse(iso);

    assertThat(ValueType.formatDuration(duration)).isEqualTo(text);
    assertThat(ValueType.DURATION_TYPE.parse(ValueType.formatDuration(duration))).isEqualTo(duration);
  }

  @Test
  void bindsKafkaConfigFromSettings() {
    Configuration config = load(Optional.empty(), Map.of("TRACKPIPE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        Map.of("kafka.topic.replication-factor", "3"));

    KafkaConfig kafka = KafkaConfig.from(config);
    config.throwIfInvalid();

    assertThat(kafka).isEqualTo(KafkaConfig.plaintext("127.0.0.1:9092", "tracking-events", "tracking-events-dead-letter", 4, (short) 3));
    assertThat(kafka.clientProperties()).containsExactly(entry("bootstrap.servers", "127.0.0.1:9092"),
        entry("security.protocol", "PLAINTEXT"));
  }

  @Test
  void kafkaConfigReportsSameEventsAndDeadLetterTopicTogetherWithMissingBootstrap() {
    Configuration config = load(Optional.empty(), Map.of("TRACKPIPE_KAFKA_TOPIC_DEAD_LETTER", "tracking-events"), Map.of());

    KafkaConfig.from(config);
    ConfigException e = catchThrowableOfType(ConfigException.class, config::throwIfInvalid);

    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems()).anySatisfy(p -> assertThat(p)
        .isEqualTo("kafka.topic.events and kafka.topic.dead-letter must differ, both are 'tracking-events'"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("kafka.bootstrap-servers is required"));
  }

  private Path yaml(String text) throws IOException {
    Path file = dir.resolve("trackpipe.yaml");
    Files.writeString(file, text);
    return file;
  }

  private static Configuration load(Optional<Path> file, Map<String, String> environment, Map<String, String> overrides) {
    return Configuration.load(file, environment, overrides, SETTINGS);
  }

  private static ConfigException loadFailure(Optional<Path> file, Map<String, String> environment, Map<String, String> overrides) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(file, environment, overrides));
    assertThat(e).as("expected a ConfigException").isNotNull();
    return e;
  }
}
