package io.trackpipe.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CollectorConfigTest {

  @Test
  void writeKeysAndOriginsAreCommaSeparatedLists() {
    CollectorConfig config = bind(Map.of("collector.write-keys", " 0123456789abcdef , fedcba9876543210",
        "collector.cors.allowed-origins", "https://jobs.example.com,http://localhost:3000"));

    assertThat(config.writeKeys()).containsExactly("0123456789abcdef", "fedcba9876543210");
    assertThat(config.corsAllowedOrigins()).containsExactly("https://jobs.example.com", "http://localhost:3000");
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.maxBodyBytes()).isEqualTo(512 * 1024);
    assertThat(config.kafkaTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void withoutWriteKeysTheCollectorCannotStartAndSaysWhichKeyToSet() {
    assertThatThrownBy(() -> bind(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("collector.write-keys is required")
        .hasMessageContaining("TRACKPIPE_COLLECTOR_WRITE_KEYS");
  }

  @Test
  void shortKeysBadOriginsAndABudgetBelowOneBodyAreReportedTogetherWithoutPrintingTheKey() {
    assertThatThrownBy(() -> bind(Map.of("collector.write-keys", "secret", "collector.cors.allowed-origins", "jobs.example.com",
        "collector.kafka.max-in-flight-bytes", "2048", "collector.max-body-bytes", "4096")))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.getMessage()).contains("collector.write-keys").contains("collector.cors.allowed-origins")
              .doesNotContain("secret");
        });
    assertThatThrownBy(() -> bind(Map.of("collector.write-keys", "0123456789abcdef",
        "collector.kafka.max-in-flight-bytes", "2048", "collector.max-body-bytes", "4096")))
        .hasMessageContaining("collector.kafka.max-in-flight-bytes (2048) must be at least collector.max-body-bytes (4096)");
  }

  private static CollectorConfig bind(Map<String, String> overrides) {
    Configuration settings = Configuration.load(Optional.empty(), Map.of(), overrides, CollectorConfig.SETTINGS);
    CollectorConfig config = CollectorConfig.from(settings);
    settings.throwIfInvalid();
    return config;
  }
}
