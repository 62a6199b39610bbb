package io.trackpipe.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SearchConfigTest {

  private static SearchConfig load(Map<String, String> overrides) {
    Configuration config = Configuration.load(Optional.empty(), Map.of(), overrides, SearchConfig.SETTINGS);
    SearchConfig search = SearchConfig.from(config);
    config.throwIfInvalid();
    return search;
  }

  @Test
  void defaultsToALocalServerWithoutAuthentication() {
    SearchConfig config = load(Map.of());
    assertThat(config.url()).hasToString("http://127.0.0.1:9200");
    assertThat(config.indexName("job-ads", "events")).isEqualTo("trackpipe-job-ads-events");
    assertThat(config.user()).isEmpty();
    assertThat(config.bulkRows()).isEqualTo(1000);
    assertThat(config.retries()).isEqualTo(5);
    assertThat(config.overlap()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.caFile()).isEmpty();
  }

  @Test
  void dropsATrailingSlashAndKeepsThePasswordOutOfItsText() {
    SearchConfig config = load(Map.of("search.url", "https://search-1:9200/", "search.user", "indexer",
        "search.password", "s3cret", "search.index-prefix", "analytics-"));
    assertThat(config.url()).hasToString("https://search-1:9200");
    assertThat(config.indexName("clickstream", "pages_daily")).isEqualTo("analytics-clickstream-pages_daily");
    assertThat(config.toString()).doesNotContain("s3cret");
  }

  @Test
  void reportsEveryBadValueWithItsKey() {
    assertThatThrownBy(() -> load(Map.of("search.url", "127.0.0.1:9200", "search.index-prefix", "_Bad",
        "search.bulk-rows", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("search.url")
        .hasMessageContaining("search.index-prefix")
        .hasMessageContaining("search.bulk-rows");
  }

  @Test
  void refusesAUserWithoutPasswordAndACaFileThatIsNotThere() {
    assertThatThrownBy(() -> load(Map.of("search.url", "https://search-1:9200", "search.user", "indexer",
        "search.tls.ca-file", "no/such/ca.pem")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("search.user and search.password go together")
        .hasMessageContaining("search.tls.ca-file: no readable file no/such/ca.pem");
  }
}
