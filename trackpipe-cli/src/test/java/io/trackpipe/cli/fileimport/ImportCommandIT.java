package io.trackpipe.cli.fileimport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.Trackpipe;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.kafka.DeadLetterHeaders;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trackpipe import} as a user runs it, against the real embedded Kafka: job ads and a user's domain (signups,
 * from its definition file), each test with topics of its own.
 */
class ImportCommandIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String SIGNUPS_HEADER = "account_id,at,plan,amount,country,confirmed";
  /** An hour ago: event times in the future are refused. */
  private static final Instant HOUR_AGO = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
  private static final String AT = HOUR_AGO.toString();
  private static final long AT_SECONDS = HOUR_AGO.getEpochSecond() - 60;

  @TempDir Path work;
  private String bootstrap;
  private String suffix;
  private Path signupsDefinition;

  @BeforeEach
  void topicsOfItsOwn() throws Exception {
    bootstrap = EmbeddedStack.shared().kafka().bootstrapServers();
    suffix = UUID.randomUUID().toString().substring(0, 8);
    // The user's domain of the demo test, with topics of this test's own.
    String definition = Files.readString(Path.of(getClass().getResource("/domains/signups.yaml").toURI()));
    signupsDefinition = work.resolve("signups.yaml");
    Files.writeString(signupsDefinition, definition + "\ntopics: {events: signups-" + suffix + ", dead-letters: signups-dl-"
        + suffix + "}\n");
  }

  @Test
  void aValidCsvFileBecomesTheEventsTheCollectorWouldGetKeyedAndTyped() throws Exception {
    Path file = write("signups.csv", SIGNUPS_HEADER,
        "42," + AT + ",pro,9.90,CH,true",
        "43," + AT + ",free,,\"\",false",
        "44," + AT_SECONDS + ",free,0,DE,false");

    Result result = signups(file.toString());

    assertThat(result.exitCode()).as(result.output()).isEqualTo(ExitCodes.OK);
    assertThat(result.output()).contains("Read 4 lines; sent 3 events; rejected 0;").contains("lines/s");
    Map<String, JsonNode> byKey = new java.util.HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll("signups-" + suffix)) byKey.put(text(r.key()), json(r.value()));
    assertThat(byKey).containsOnlyKeys("42", "43", "44");
    assertThat(byKey.get("42").get("amount").decimalValue()).isEqualByComparingTo("9.90");
    assertThat(byKey.get("42").get("confirmed").isBoolean()).isTrue();
    assertThat(byKey.get("43").has("amount")).as("an empty cell is a field not sent").isFalse();
    assertThat(byKey.get("44").get("at").isIntegralNumber()).isTrue();
    assertThat(readAll("signups-dl-" + suffix)).isEmpty();
  }

  @Test
  void everyRejectedLineIsADeadLetterWithItsLineNumberAndReasonAndSqlLookingTextIsKeptVerbatim() throws Exception {
    String sql = "Robert'); DROP TABLE signups;--";
    Path file = write("mixed.csv", SIGNUPS_HEADER,
        "50," + AT + ",free,0,\"" + sql + "\",true", // 2: too long for country (2 chars) → invalid_value
        "51," + AT + ",free,0,CH,true,extra", // 3: a value too many
        "52," + AT + ",free,0,C\"H,true", // 4: a quote inside an unquoted value
        "abc," + AT + ",free,0,CH,true", // 5: wrong type
        "," + AT + ",free,0,CH,true", // 6: the required account id missing
        "53," + AT + ",pro,0,CH,true", // 7: a pro sign-up without an amount breaks the rule
        "54," + AT + ",free,0," + "x".repeat(70_000) + ",true", // 8: over 64 KiB
        "55," + AT + ",free,1.5,CH,true"); // 9: fine

    Result result = signups(file.toString());

    assertThat(result.exitCode()).as(result.output()).isEqualTo(ExitCodes.OK);
    assertThat(result.output()).contains("sent 1 events; rejected 7 (invalid_value 1, malformed_csv 2, missing_field 1,"
        + " rule:pro_pays 1, too_large 1, wrong_type 1)");
    Map<String, ConsumerRecord<byte[], byte[]>> bySource = readAll("signups-dl-" + suffix).stream()
        .collect(Collectors.toMap(r -> header(r, DeadLetterHeaders.SOURCE), Function.identity()));
    String at = "import:" + file + "#";
    assertThat(bySource).containsOnlyKeys(at + 2, at + 3, at + 4, at + 5, at + 6, at + 7, at + 8);
    assertThat(header(bySource.get(at + 2), DeadLetterHeaders.REASON)).isEqualTo("invalid_value");
    assertThat(json(bySource.get(at + 2).value()).get("country").asText()).isEqualTo(sql);
    assertThat(header(bySource.get(at + 3), DeadLetterHeaders.REASON)).isEqualTo("malformed_csv");
    assertThat(header(bySource.get(at + 3), DeadLetterHeaders.ERROR)).contains("7 values, but the header has 6 columns");
    assertThat(text(bySource.get(at + 3).value())).isEqualTo("51," + AT + ",free,0,CH,true,extra");
    assertThat(header(bySource.get(at + 4), DeadLetterHeaders.REASON)).isEqualTo("malformed_csv");
    assertThat(header(bySource.get(at + 5), DeadLetterHeaders.REASON)).isEqualTo("wrong_type");
    assertThat(header(bySource.get(at + 6), DeadLetterHeaders.REASON)).isEqualTo("missing_field");
    assertThat(header(bySource.get(at + 7), DeadLetterHeaders.REASON)).isEqualTo("rule:pro_pays");
    assertThat(header(bySource.get(at + 8), DeadLetterHeaders.REASON)).isEqualTo("too_large");
    assertThat(bySource.get(at + 8).value()).hasSize(1024);
    assertThat(readAll("signups-" + suffix)).extracting(r -> text(r.key())).containsExactly("55");
  }

  @Test
  void sqlLookingTextThatFitsItsFieldReachesTheEventsTopicVerbatim() throws Exception {
    String sql = "1'; DELETE FROM events WHERE '1'='1";
    Path file = write("jobs.csv", "job_id,custom_track,uid", "7,click,\"" + sql + "\"");

    Result result = jobAds(file.toString());

    assertThat(result.exitCode()).as(result.output()).isEqualTo(ExitCodes.OK);
    List<ConsumerRecord<byte[], byte[]>> events = readAll("jobs-" + suffix);
    assertThat(events).hasSize(1);
    assertThat(json(events.get(0).value()).get("uid").asText()).isEqualTo(sql);
  }

  @Test
  void aHeaderThatDoesNotFitTheDomainStopsTheImportBeforeAnythingIsSent() throws Exception {
    Path unknown = write("unknown.csv", "job_id,clicks,custom_track", "1,2,click");
    Path missing = write("missing.csv", "at,plan", AT + ",free");

    Result jobs = jobAds(unknown.toString());
    Result signups = signups(missing.toString());

    assertThat(jobs.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(jobs.errors()).contains("nothing was sent to domain 'job-ads'")
        .contains(unknown + ": unknown column(s) 'clicks': not fields of domain 'job-ads'");
    assertThat(signups.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(signups.errors()).contains(missing + ": missing column(s) 'account_id'");
    assertThat(readAll("jobs-" + suffix)).isEmpty();
    assertThat(readAll("jobs-dl-" + suffix)).isEmpty();
    assertThat(readAll("signups-" + suffix)).isEmpty();
  }

  @Test
  void moreRejectedLinesThanAllowedStopTheImportWithExitCode5AfterSendingWhatWasRead() throws Exception {
    List<String> lines = new ArrayList<>(List.of(SIGNUPS_HEADER));
    for (int i = 0; i < 10; i++) lines.add((100 + i) + "," + AT + ",free,0,CH,true");
    lines.add("x," + AT + ",free,0,CH,true"); // line 12
    lines.add("y," + AT + ",free,0,CH,true"); // line 13: the second rejection, one more than allowed
    for (int i = 0; i < 10; i++) lines.add((200 + i) + "," + AT + ",free,0,CH,true");
    Path file = write("bad.csv", lines.toArray(String[]::new));

    Result result = signups(file.toString(), "--max-rejected", "1");

    assertThat(result.exitCode()).as(result.output()).isEqualTo(ExitCodes.TOO_MANY_REJECTED);
    assertThat(result.errors()).contains("stopped at " + file + " line 13: 2 rejected, more than --max-rejected 1");
    assertThat(readAll("signups-" + suffix)).hasSize(10);
    assertThat(readAll("signups-dl-" + suffix)).extracting(r -> header(r, DeadLetterHeaders.SOURCE))
        .containsExactlyInAnyOrder("import:" + file + "#12", "import:" + file + "#13");
  }

  @Test
  void jsonLinesFromStandardInputAreJudgedLineByLine() throws Exception {
    String input = String.join("\n",
        "{\"account_id\":60,\"at\":\"" + AT + "\",\"plan\":\"free\"}",
        "",
        "{\"account_id\":61,",
        "{\"account_id\":62,\"at\":\"" + AT + "\",\"plan\":\"free\",\"referrer\":\"x\"}") + "\n";

    InputStream stdin = System.in;
    Result result;
    try {
      System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
      result = signups("-", "--format", "jsonl");
    } finally {
      System.setIn(stdin);
    }

    assertThat(result.exitCode()).as(result.output()).isEqualTo(ExitCodes.OK);
    assertThat(result.output()).contains("Read 4 lines (1 blank); sent 2 events; rejected 1 (malformed_json 1)");
    assertThat(readAll("signups-" + suffix)).extracting(r -> text(r.key())).containsExactlyInAnyOrder("60", "62");
    assertThat(readAll("signups-dl-" + suffix)).extracting(r -> header(r, DeadLetterHeaders.SOURCE))
        .containsExactly("import:stdin#3");
  }

  @Test
  void aShopsEventLogLikeTheSeedsRandomCsvIsImportedWithItsPriceRulesChecked() throws Exception {
    // The built-in shop domain on its own topics; this test's shoppers have ids no other test uses.
    long user = 900_000_000L + new java.util.Random().nextInt(99_999_999);
    Path file = write("random.csv", "user_id,type_of_event,timestamp,product_id,price",
        user + ",view," + AT + ",1001,0",
        user + ",cart," + AT + ",1001,0",
        user + ",purchase," + AT + ",1001,19.99",
        user + ",purchase," + AT + ",1001,19.99", // 5: an exact copy: sent, counted once downstream (same hashed id)
        user + ",return," + AT + ",1001,19.99", // 6: a return's price is the refund, negative
        (user + 1) + ",view," + AT + ",1002,5", // 7: a view costs nothing
        (user + 1) + ",refund," + AT + ",1002,0"); // 8: not a type of event

    Result result = run("import", List.of("--set", "kafka.bootstrap-servers=" + bootstrap), "--domain", "ecommerce",
        file.toString());

    assertThat(result.exitCode()).as(result.output()).isEqualTo(ExitCodes.OK);
    assertThat(result.output()).contains("Read 8 lines; sent 4 events; rejected 3 (invalid_value 1,"
        + " rule:return_price_negative 1, rule:view_price_zero 1)");
    List<JsonNode> sent = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll("ecommerce-events")) {
      if (text(r.key()).equals(String.valueOf(user))) sent.add(json(r.value()));
    }
    assertThat(sent).extracting(e -> e.get("type_of_event").asText()).containsExactly("view", "cart", "purchase", "purchase");
    assertThat(sent.get(2).get("price").decimalValue()).isEqualByComparingTo("19.99");
    Map<String, String> reasons = readAll("ecommerce-events-dead-letter").stream()
        .filter(r -> header(r, DeadLetterHeaders.SOURCE).startsWith("import:" + file + "#"))
        .collect(Collectors.toMap(r -> header(r, DeadLetterHeaders.SOURCE), r -> header(r, DeadLetterHeaders.REASON)));
    String at = "import:" + file + "#";
    assertThat(reasons).containsOnly(Map.entry(at + 6, "rule:return_price_negative"), Map.entry(at + 7, "rule:view_price_zero"),
        Map.entry(at + 8, "invalid_value"));
  }

  @Test
  void standardInputWithoutAFormatIsAUsageError() {
    assertThat(signups("-").exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void aFileImportedTwiceIsCountedOnceDownstream() throws Exception {
    // Job ads without their id: the import derives it from each line, so the second import's copies share it.
    EmbeddedStack stack = EmbeddedStack.shared();
    String database = "import_" + suffix;
    stack.mariaDb().createDatabase(database);
    String ts = LocalDateTime.now(ZoneOffset.UTC).minusHours(1).truncatedTo(ChronoUnit.SECONDS)
        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
    List<String> lines = new ArrayList<>(List.of("job_id,publisher_id,custom_track,bid,ts"));
    for (int i = 0; i < 40; i++) lines.add((i % 4 + 1) + ",1,click,0.5," + ts);
    for (int i = 0; i < 40; i++) lines.add("2,1,," + "0.5," + ts + "");
    // Distinct lines: 4 jobs × click + 1 impression line; identical lines are one event, as a hash of them says.
    Path file = write("twice.csv", lines.toArray(String[]::new));
    Path config = work.resolve("prod.yaml");
    Files.writeString(config, String.join("\n",
        "kafka:",
        "  bootstrap-servers: " + bootstrap,
        "  topic: {events: jobs-" + suffix + ", dead-letter: jobs-dl-" + suffix + "}",
        "warehouse:",
        "  jdbc-url: " + stack.mariaDb().jdbcUrl(database),
        "  user: " + stack.mariaDb().user(),
        "stream:",
        "  checkpoint-dir: " + work.resolve("checkpoint"),
        "  spark-master: local[2]",
        ""));
    List<String> common = List.of("--config", config.toString(), "--set",
        "warehouse.password=" + stack.mariaDb().password());

    assertThat(run("import", common, "--domain", "job-ads", file.toString()).exitCode()).isZero();
    assertThat(run("import", common, "--domain", "job-ads", file.toString()).exitCode()).isZero();
    assertThat(readAll("jobs-" + suffix)).hasSize(160);
    assertThat(run("stream", common, "--available-now").exitCode()).isZero();

    try (Connection c = DriverManager.getConnection(stack.mariaDb().jdbcUrl(database), stack.mariaDb().user(),
        stack.mariaDb().password());
        ResultSet rs = c.createStatement().executeQuery("SELECT SUM(clicks), SUM(impressions) FROM events")) {
      rs.next();
      assertThat(rs.getLong(1)).as("clicks").isEqualTo(4);
      assertThat(rs.getLong(2)).as("impressions").isEqualTo(1);
    }
  }

  private Result signups(String... args) {
    List<String> all = new ArrayList<>(List.of("--domain", "signups"));
    all.addAll(List.of(args));
    return run("import", List.of("--set", "kafka.bootstrap-servers=" + bootstrap,
        "--set", "domain.definitions=" + signupsDefinition), all.toArray(String[]::new));
  }

  private Result jobAds(String... args) {
    List<String> all = new ArrayList<>(List.of("--domain", "job-ads"));
    all.addAll(List.of(args));
    return run("import", List.of("--set", "kafka.bootstrap-servers=" + bootstrap,
        "--set", "kafka.topic.events=jobs-" + suffix, "--set", "kafka.topic.dead-letter=jobs-dl-" + suffix),
        all.toArray(String[]::new));
  }

  private record Result(int exitCode, String output, String errors) {}

  private static Result run(String command, List<String> common, String... args) {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.addAll(common);
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Trackpipe.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
    return new Result(code, out + "\n" + err, err.toString());
  }

  private Path write(String name, String... lines) throws Exception {
    Path file = work.resolve(name);
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  /** Every record of the topic (none when it does not exist): the import returns only after Kafka acknowledged all. */
  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<String, Object> properties = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.listTopics().get(topic);
      if (infos == null) return records;
      List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        consumer.poll(java.time.Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : text(header.value());
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static JsonNode json(byte[] bytes) throws Exception {
    return MAPPER.readTree(bytes);
  }
}
