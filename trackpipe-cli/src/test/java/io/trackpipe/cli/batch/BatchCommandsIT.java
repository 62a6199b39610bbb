package io.trackpipe.cli.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.Trackpipe;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.embedded.EmbeddedCassandra;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.rawstore.RawEventWriter;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawStoreSchema;
import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.rawstore.RawTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void runsForAUsersDomainNamedByDomainAndRefusesAnUnknownOne(@TempDir Path dir) throws Exception {
    EmbeddedStack stack = EmbeddedStack.shared();
    EmbeddedCassandra cassandra = EmbeddedCassandra.shared();
    String name = "clisignups_" + UUID.randomUUID().toString().substring(0, 8);
    stack.mariaDb().createDatabase(name);
    Path definition = dir.resolve("signups.yaml");
    try (var in = BatchCommandsIT.class.getClassLoader().getResourceAsStream("domains/signups.yaml")) {
      Files.write(definition, in.readAllBytes());
    }
    List<String> common = List.of("--set", "warehouse.jdbc-url=" + stack.mariaDb().jdbcUrl(name),
        "--set", "warehouse.user=" + stack.mariaDb().user(), "--set", "warehouse.password=" + stack.mariaDb().password(),
        "--set", "rawstore.contact-points=" + cassandra.contactPoint(), "--set", "rawstore.keyspace=" + name,
        "--set", "rawstore.buckets-per-hour=4", "--set", "stream.allowed-lateness=0s", "--set", "batch.settle-time=0s",
        "--set", "stream.spark-master=local[2]", "--set", "domain.definitions=" + definition);
    // Three signups two hours ago, stored as the stream would store them.
    Domain signups = DomainCatalog.load(List.of(definition), List.of()).domain("signups").orElseThrow();
    RawTable table = RawTable.of(signups, RawStoreConfig.defaults(cassandra.contactPoint(), name).withBucketsPerHour(4));
    Instant at = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS).plusSeconds(600);
    EventDecoder decoder = new EventDecoder(signups.schema(), EventLimits.DEFAULT);
    try (CqlSession session = RawStoreSessions.open(table.store())) {
      RawStoreSchema.apply(session, table);
      RawEventWriter writer = new RawEventWriter(session, table, Clock.systemUTC());
      for (int account = 1; account <= 3; account++) {
        String json = "{\"account_id\":" + account + ",\"at\":\"" + at.plusSeconds(account) + "\",\"plan\":\""
            + (account == 2 ? "free\",\"amount\":0" : "pro\",\"amount\":10") + ",\"confirmed\":true}";
        DecodeResult result = decoder.decode(json, System.currentTimeMillis());
        writer.write(((DecodeResult.Accepted) result).event(), System.currentTimeMillis());
      }
      writer.flush();
    }

    Run batch = run("batch", common, "--once", "--domain", "signups");
    assertThat(batch.code()).as(batch.out()).isEqualTo(ExitCodes.OK);
    assertThat(batch.out()).contains(name + ".signups_events");
    assertThat(query(stack, name, "SELECT SUM(signups) FROM signups_daily")).isEqualTo(3);
    assertThat(query(stack, name, "SELECT SUM(signups) FROM signups_daily WHERE plan = 'pro'")).isEqualTo(2);
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
    Run verify = run("verify", common, "--domain", "signups", "--from", hour.minusHours(3).toString(), "--to", hour.toString());
    assertThat(verify.code()).as(verify.out()).isEqualTo(ExitCodes.OK);

    Run unknown = run("batch", common, "--once", "--domain", "nowhere");
    assertThat(unknown.code()).isEqualTo(ExitCodes.CONFIG);
    assertThat(unknown.err()).contains("no domain 'nowhere'").contains("job-ads, ecommerce, clickstream, signups");
  }

  @Test
  void batchBackfillAndVerifyTheShopDomainFromItsRawTable() throws Exception {
    EmbeddedStack stack = EmbeddedStack.shared();
    EmbeddedCassandra cassandra = EmbeddedCassandra.shared();
    String name = "clishop_" + UUID.randomUUID().toString().substring(0, 8);
    stack.mariaDb().createDatabase(name);
    LocalDateTime hour = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
    List<String> common = List.of("--set", "warehouse.jdbc-url=" + stack.mariaDb().jdbcUrl(name),
        "--set", "warehouse.user=" + stack.mariaDb().user(), "--set", "warehouse.password=" + stack.mariaDb().password(),
        "--set", "rawstore.contact-points=" + cassandra.contactPoint(), "--set", "rawstore.keyspace=" + name,
        "--set", "rawstore.buckets-per-hour=4", "--set", "stream.allowed-lateness=0s", "--set", "batch.settle-time=0s",
        "--set", "stream.spark-master=local[2]");
    Run generate = run("generate", common, "--domain", "ecommerce", "--to", "cassandra", "--count", "3000", "--rate", "0",
        "--seed", "5", "--late", "0.6", "--duplicates", "0.05", "--rule-violations", "0.02", "--set", "generator.max-lateness=5h");
    assertThat(generate.code()).as(generate.out()).isZero();
    assertThat(generate.out()).contains("rule:purchase_price_positive").contains(name + ".ecommerce_events");

    Run batch = run("batch", common, "--once", "--domain", "ecommerce");
    assertThat(batch.code()).as(batch.out()).isEqualTo(ExitCodes.OK);
    // The raw table's events counted per type in plain Java: those of the settled hours are what the hourly tables
    // sum, those of the settled days (before today) what the daily tables and their views sum.
    Map<String, Long> hourCounts = new TreeMap<>();
    Map<String, Long> dayCounts = new TreeMap<>();
    BigDecimal hourRevenue = BigDecimal.ZERO;
    BigDecimal dayRevenue = BigDecimal.ZERO;
    Instant today = hour.truncatedTo(ChronoUnit.DAYS).toInstant(ZoneOffset.UTC);
    try (CqlSession session = RawStoreSessions.open(RawStoreConfig.defaults(cassandra.contactPoint(), name))) {
      for (var row : session.execute("SELECT event_hour, type_of_event, price FROM " + name + ".ecommerce_events")) {
        if (!row.getInstant(0).isBefore(hour.toInstant(ZoneOffset.UTC))) continue;
        hourCounts.merge(row.getString(1), 1L, Long::sum);
        hourRevenue = hourRevenue.add(row.getBigDecimal(2));
        if (!row.getInstant(0).isBefore(today)) continue;
        dayCounts.merge(row.getString(1), 1L, Long::sum);
        dayRevenue = dayRevenue.add(row.getBigDecimal(2));
      }
    }
    assertThat(hourCounts).containsOnlyKeys("view", "cart", "purchase", "return");
    assertThat(List.of(query(stack, name, "SELECT SUM(views) FROM shop_hourly"), query(stack, name, "SELECT SUM(carts) FROM shop_hourly"),
        query(stack, name, "SELECT SUM(purchases) FROM shop_hourly"), query(stack, name, "SELECT SUM(returns) FROM shop_hourly")))
        .containsExactly(hourCounts.get("view"), hourCounts.get("cart"), hourCounts.get("purchase"), hourCounts.get("return"));
    assertThat(decimal(stack, name, "SELECT SUM(revenue) FROM shop_hourly_product")).isEqualByComparingTo(hourRevenue);
    for (String type : List.of("view", "cart", "purchase", "return")) {
      assertThat(query(stack, name, "SELECT COALESCE(SUM(event_count), 0) FROM event_count WHERE type_of_event = '" + type + "'"))
          .as(type).isEqualTo(dayCounts.getOrDefault(type, 0L));
    }
    assertThat(decimal(stack, name, "SELECT COALESCE(SUM(total_revenue), 0) FROM daily_events")).isEqualByComparingTo(dayRevenue);
    assertThat(query(stack, name, "SELECT COALESCE(SUM(product_event_count), 0) FROM product_count"))
        .isEqualTo(dayCounts.values().stream().mapToLong(Long::longValue).sum());

    String from = hour.minusHours(7).toString();
    String to = hour.toString();
    Run clean = run("verify", common, "--domain", "ecommerce", "--from", from, "--to", to);
    assertThat(clean.code()).as(clean.out()).isEqualTo(ExitCodes.OK);
    try (Connection c = DriverManager.getConnection(stack.mariaDb().jdbcUrl(name), stack.mariaDb().user(), stack.mariaDb().password())) {
      c.createStatement().executeUpdate("UPDATE shop_hourly SET revenue = revenue + 1 ORDER BY dates, hours LIMIT 1");
    }
    Run drift = run("verify", common, "--domain", "ecommerce", "--from", from, "--to", to);
    assertThat(drift.code()).as(drift.out()).isEqualTo(ExitCodes.DRIFT);
    assertThat(drift.out()).containsPattern("shop_hourly .* revenue ");
    assertThat(run("backfill", common, "--domain", "ecommerce", "--from", from, "--to", to).code()).isEqualTo(ExitCodes.OK);
    assertThat(run("verify", common, "--domain", "ecommerce", "--from", from, "--to", to).code()).isEqualTo(ExitCodes.OK);
  }

  private static BigDecimal decimal(EmbeddedStack stack, String database, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(stack.mariaDb().jdbcUrl(database), stack.mariaDb().user(),
        stack.mariaDb().password()); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getBigDecimal(1);
    }
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
