package io.trackpipe.cli.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.Trackpipe;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * batch, verify and backfill as a user runs them, against real Cassandra and MariaDB named only by settings: the exit
 * codes (0 done, 4 drift, 1 refused) and what they print.
 */
class BatchCommandsIT {

  @Test
  void batchOnceThenVerifyFindsAnInjectedDriftAndBackfillRepairsIt() throws Exception {
    EmbeddedStack stack = EmbeddedStack.shared();
    EmbeddedCassandra cassandra = EmbeddedCassandra.shared();
    String name = "clibatch_" + UUID.randomUUID().toString().substring(0, 8);
    stack.mariaDb().createDatabase(name);
    // No lateness and no settle time: every hour before the current one is settled at once.
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
    List<String> common = List.of("--set", "warehouse.jdbc-url=" + stack.mariaDb().jdbcUrl(name),
        "--set", "warehouse.user=" + stack.mariaDb().user(), "--set", "warehouse.password=" + stack.mariaDb().password(),
        "--set", "rawstore.contact-points=" + cassandra.contactPoint(), "--set", "rawstore.keyspace=" + name,
        "--set", "rawstore.buckets-per-hour=4", "--set", "stream.allowed-lateness=0s", "--set", "batch.settle-time=0s",
        "--set", "stream.spark-master=local[2]");
    assertThat(run("generate", common, "--to", "cassandra", "--count", "3000", "--rate", "0", "--seed", "5", "--late", "0.6",
        "--set", "generator.max-lateness=5h").code()).isZero();

    Run batch = run("batch", common, "--once");
    assertThat(batch.code()).as(batch.out()).isEqualTo(ExitCodes.OK);
    assertThat(batch.out()).contains("cycle:").contains("hours and");
    assertThat(query(stack, name, "SELECT COUNT(*) FROM events")).isPositive();

    String from = hour.minusHours(7).toString();
    String to = hour.toString();
    Run clean = run("verify", common, "--from", from, "--to", to);
    assertThat(clean.code()).as(clean.out()).isEqualTo(ExitCodes.OK);
    assertThat(clean.out()).contains("No difference");

    try (Connection c = DriverManager.getConnection(stack.mariaDb().jdbcUrl(name), stack.mariaDb().user(), stack.mariaDb().password())) {
      c.createStatement().executeUpdate("UPDATE events SET clicks = clicks + 2 WHERE clicks > 0 ORDER BY job_id LIMIT 1");
    }
    Run drift = run("verify", common, "--from", from, "--to", to);
    assertThat(drift.code()).isEqualTo(ExitCodes.DRIFT);
    assertThat(drift.out()).containsPattern("events +hour \\S+ +clicks").contains("DRIFT: 1 differences");

    Run refused = run("backfill", common, "--from", from, "--to", hour.plusHours(2).toString());
    assertThat(refused.code()).isEqualTo(ExitCodes.FAILURE);
    assertThat(refused.err()).contains("not settled").contains("nothing was written");

    assertThat(run("backfill", common, "--from", from, "--to", to).code()).isEqualTo(ExitCodes.OK);
    assertThat(run("verify", common, "--from", from, "--to", to).code()).isEqualTo(ExitCodes.OK);
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String command, List<String> common, String... args) {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.addAll(common);
    all.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    var cli = Trackpipe.commandLine();
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = cli.execute(all.toArray(String[]::new));
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      stdout.print(out.toString(StandardCharsets.UTF_8));
    }
  }

  private static long query(EmbeddedStack stack, String database, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(stack.mariaDb().jdbcUrl(database), stack.mariaDb().user(),
        stack.mariaDb().password()); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
