package io.trackpipe.cli.domains;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.Trackpipe;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DomainsCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Trackpipe.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void listsTheBuiltInDomainWithItsFieldsAndRollups() {
    assertThat(run("domains")).isEqualTo(ExitCodes.OK);
    assertThat(out.toString())
        .contains("domain job-ads")
        .contains("topics      events tracking-events, dead letters tracking-events-dead-letter")
        .containsPattern("bid +decimal +min 0; max 10000; 6 decimals")
        .contains("event_kind       = CASE WHEN")
        .containsPattern("campaign_daily +by campaign_id, dates \\(day\\)")
        .contains("filters campaign (id), publisher (id), company (id), group (id)");
  }

  @Test
  void aUsersDomainIsListedNextToTheBuiltInOnes(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("signups.yaml"), """
        name: signups
        fields:
          - {name: account_id, type: integer, min: 1, required: true}
          - {name: at, type: timestamp, formats: [iso-8601]}
          - {name: plan, type: enum, values: [free, pro]}
          - {name: amount, type: decimal, scale: 2, min: 0}
        id: {hash-of: [account_id, at]}
        time: {field: at}
        rules:
          - {name: pro_pays, when: "plan = 'pro'", require: "amount > 0"}
        rollups:
          - name: signups_daily
            dimensions: [plan, {name: dates, time: day}]
            metrics: [{name: signups, kind: count}]
        """);
    assertThat(run("domains", "--brief", "--set", "domain.definitions=" + file)).isEqualTo(ExitCodes.OK);
    assertThat(out.toString().lines()).hasSize(4); // job ads, the shop, the web clickstream, signups
    assertThat(out.toString()).containsPattern("clickstream +web analytics +8 fields +10 rollups +domains/clickstream.yaml");
    assertThat(out.toString()).containsPattern("signups +signups +4 fields +1 rollups +" + file);

    assertThat(run("domains", "--domain", "signups", "--set", "domain.definitions=" + file)).isEqualTo(ExitCodes.OK);
    assertThat(out.toString()).contains("id          hash of account_id, at")
        .contains("pro_pays         when plan = 'pro': require amount > 0")
        .containsPattern("plan +enum +one of free, pro");
  }

  @Test
  void badDefinitionsAreRefusedWithEveryProblemAtOnceAndExitCode3(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.yaml"), """
        name: bad
        fields:
          - {name: when, type: datetime}
          - {name: kind, type: enum}
        rollups:
          - name: bad_daily
            dimensions: [kind]
            metrics: [{name: n, kind: count}]
        dashboard:
          tables: [bad_daily]
          measures: [{name: n, sum: n}]
          tiles: [n, ghost]
        """);
    assertThat(run("domains", "--set", "domain.definitions=" + file)).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString())
        .contains(file + " (domain 'bad')")
        .contains("datetime")   // the unknown type
        .contains("id")         // no id declared
        .contains("ghost");     // a tile naming a missing measure
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void anUnknownDomainIsAUsageError() {
    assertThat(run("domains", "--domain", "nope")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("No domain 'nope'. Loaded: job-ads, ecommerce, clickstream.");
  }
}
