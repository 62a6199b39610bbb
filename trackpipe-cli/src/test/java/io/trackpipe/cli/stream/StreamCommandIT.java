package io.trackpipe.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.cli.Trackpipe;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands as a user runs them: {@code generate} into Kafka, then {@code stream --available-now} against Kafka and
 * MariaDB named only by configuration, as for external servers.
 */
class StreamCommandIT {
  @TempDir Path work;

  @Test
  void streamsGeneratedEventsIntoTheWarehouseByConfigurationAlone() throws Exception {
    EmbeddedStack stack = EmbeddedStack.shared();
    String name = "cli_" + UUID.randomUUID().toString().substring(0, 8);
    stack.mariaDb().createDatabase(name);
    Path config = work.resolve("prod.yaml");
    Files.writeString(config, String.join("\n",
        "kafka:",
        "  bootstrap-servers: " + stack.kafka().bootstrapServers(),
        "  topic:",
        "    events: " + name + "-events",
        "    dead-letter: " + name + "-dead-letter",
        "warehouse:",
        "  jdbc-url: " + stack.mariaDb().jdbcUrl(name),
        "  user: " + stack.mariaDb().user(),
        "stream:",
        "  checkpoint-dir: " + work.resolve("checkpoint"),
        "  spark-master: local[2]",
        ""));
    // The password comes from the environment in production; --set stands in for it here.
    List<String> common = List.of("--config", config.toString(), "--set", "warehouse.password=" + stack.mariaDb().password());

    int generated = run("generate", common, "--count", "3000", "--rate", "0", "--seed", "11", "--malformed", "0.01");
    assertThat(generated).isZero();
    Path file = work.resolve("same.jsonl");
    assertThat(run("generate", List.of(), "--to", file.toString(), "--count", "3000", "--rate", "0", "--seed", "11",
        "--malformed", "0.01")).isZero();
    EventSchema jobAds = DomainCatalog.load(List.of(), List.of()).jobAds().schema();
    EventDecoder decoder = new EventDecoder(jobAds, EventLimits.DEFAULT);
    int track = jobAds.indexOf("custom_track");
    int job = jobAds.indexOf("job_id");
    long expectedClicks = Files.readAllLines(file).stream()
        .map(line -> decoder.decode(line, System.currentTimeMillis()))
        .filter(r -> r instanceof DecodeResult.Accepted a && "click".equals(a.event().value(track)) && a.event().value(job) != null)
        .count();

    assertThat(run("stream", common, "--available-now")).isZero();

    try (Connection c = DriverManager.getConnection(stack.mariaDb().jdbcUrl(name), stack.mariaDb().user(), stack.mariaDb().password());
        ResultSet rs = c.createStatement().executeQuery("SELECT COALESCE(SUM(clicks), 0), COUNT(*) FROM events")) {
      rs.next();
      assertThat(rs.getLong(2)).as("fact rows").isPositive();
      assertThat(rs.getLong(1)).as("clicks").isEqualTo(expectedClicks);
    }
  }

  private static int run(String command, List<String> common, String... args) {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.addAll(common);
    all.addAll(List.of(args));
    return Trackpipe.commandLine().execute(all.toArray(String[]::new));
  }
}
