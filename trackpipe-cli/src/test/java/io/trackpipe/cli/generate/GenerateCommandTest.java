package io.trackpipe.cli.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.Trackpipe;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code trackpipe generate --domain}: a user's domain into a file, and the usage errors. No servers. */
class GenerateCommandTest {
  private static final String SIGNUPS = """
      name: signups
      fields:
        - {name: account_id, type: integer, min: 1, required: true}
        - {name: at, type: timestamp, formats: [iso-8601, epoch-seconds]}
        - {name: plan, type: enum, values: [free, pro]}
        - {name: amount, type: decimal, scale: 2, min: 0, max: 1000}
      id: {hash-of: [account_id, at, plan]}
      time: {field: at}
      partition-key: [account_id]
      rules:
        - {name: pro_pays, when: "plan = 'pro'", require: "amount > 0", message: "a pro signup has an amount"}
      rollups:
        - name: signups_daily
          dimensions: [plan, {name: dates, time: day}]
          metrics: [{name: signups, kind: count}]
      """;

  @TempDir Path work;

  private record Run(int exitCode, String out, String err) {}

  @BeforeAll
  static void requireNoTrackpipeEnvironment() {
    assumeTrue(System.getenv().keySet().stream().noneMatch(name -> name.startsWith("TRACKPIPE_")),
        "TRACKPIPE_* environment variables are set; unset them to run this test");
  }

  @Test
  void aUsersDomainIsGeneratedFromItsDefinition() throws Exception {
    Path definition = Files.writeString(work.resolve("signups.yaml"), SIGNUPS);
    Path file = work.resolve("signups.jsonl");

    Run run = trackpipe("generate", "--set", "domain.definitions=" + definition, "--domain", "signups",
        "--to", file.toString(), "--count", "2000", "--rate", "0", "--seed", "5");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("→ " + file + " (domain signups)");

    Domain signups = DomainCatalog.load(List.of(definition), List.of()).domain("signups").orElseThrow();
    EventDecoder decoder = new EventDecoder(signups.schema(), EventLimits.DEFAULT);
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2000).allSatisfy(line -> assertThat(decoder.decode(line, System.currentTimeMillis()))
        .as(line).isInstanceOf(DecodeResult.Accepted.class));
  }

  @Test
  void anUnknownDomainIsAUsageErrorNamingTheKnownOnes() throws Exception {
    Path definition = Files.writeString(work.resolve("signups.yaml"), SIGNUPS);

    Run run = trackpipe("generate", "--set", "domain.definitions=" + definition, "--domain", "sign-ups",
        "--to", work.resolve("out.jsonl").toString(), "--count", "1");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("Unknown domain 'sign-ups'. Known domains: job-ads, ecommerce, clickstream, signups");
    assertThat(work.resolve("out.jsonl")).doesNotExist();
  }

  @Test
  void helpExplainsTheDomainOption() {
    Run run = trackpipe("generate", "--help");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).contains("--domain=NAME").contains("default: job-ads").contains("/v1/DOMAIN/events");
  }

  /** Runs {@code trackpipe args…}; standard output is replaced before the command line is built, as picocli keeps it. */
  private static Run trackpipe(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    int code;
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
}
