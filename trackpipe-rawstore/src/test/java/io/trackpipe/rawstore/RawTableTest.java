package io.trackpipe.rawstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RawTableTest {
  private static final RawStoreConfig STORE = RawStoreConfig.defaults("127.0.0.1:9042", "trackpipe");

  @Test
  void theJobAdsTableIsTheOneBeforeDomainsWereDefinitions() {
    RawTable table = RawTable.of(DomainCatalog.load(List.of(), List.of()).jobAds(), STORE);
    // The hand-written schema the pipeline applied before issue 13, kept as a test resource: existing tables and
    // their rows must keep being read and written unchanged.
    List<String> before = statements(resource("cql/tracking-before-domains.cql")
        .replace("${keyspace}", "trackpipe").replace("${table}", "tracking")
        .replace("${replication}", STORE.replication()));
    assertThat(table.createStatements().stream().map(RawTableTest::normalized).toList())
        .containsExactlyElementsOf(before.stream().map(RawTableTest::normalized).toList());
    assertThat(table.qualifiedName()).isEqualTo("trackpipe.tracking");
    assertThat(table.columns()).startsWith("event_hour", "bucket", "ts", "create_time", "received_at", "job_id")
        .endsWith("utm_term", "v", "vp").hasSize(32);
  }

  @Test
  void aUsersDomainGetsTypedColumnsAndAHashedIdColumn() {
    Domain signups = DomainCatalog.parse("signups.yaml", resource("domains/signups.yaml"));
    RawTable table = RawTable.of(signups, STORE);
    assertThat(table.qualifiedName()).isEqualTo("trackpipe.signups_events");
    assertThat(table.qualifiedArrivals()).isEqualTo("trackpipe.signups_events_arrivals");
    assertThat(normalized(table.createStatements().get(1))).isEqualTo(normalized("""
        CREATE TABLE IF NOT EXISTS trackpipe.signups_events (
          event_hour timestamp, bucket int, at timestamp, event_id text, received_at timestamp,
          account_id bigint, plan text, amount decimal, country text, confirmed boolean,
          PRIMARY KEY ((event_hour, bucket), at, event_id)
        ) WITH CLUSTERING ORDER BY (at ASC, event_id ASC)
          AND compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'DAYS', 'compaction_window_size': 1}
        """));
  }

  static String resource(String name) {
    try (InputStream in = RawTableTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A CQL file's statements, comments left out. */
  private static List<String> statements(String text) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : text.split("\n")) {
      int comment = line.indexOf("--");
      withoutComments.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
    }
    List<String> statements = new ArrayList<>();
    for (String statement : withoutComments.toString().split(";")) {
      if (!statement.isBlank()) statements.add(statement.trim());
    }
    return statements;
  }

  /** One space between tokens, none inside brackets or before a comma: layout is not meaning. */
  private static String normalized(String cql) {
    return cql.replaceAll("\\s+", " ").replaceAll("\\( ", "(").replaceAll(" \\)", ")").replaceAll(" ,", ",").trim();
  }
}
