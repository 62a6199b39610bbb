package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.dimension.Dimensions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GeneratorConfigTest {
  private static final Dimensions DIMENSIONS = SampleDimensions.generate(1, 3, 10, 2);

  @Test
  void defaultsAreTheDocumentedOnes() {
    GeneratorConfig config = GeneratorConfig.defaults(DIMENSIONS);

    assertThat(config.seed()).isEqualTo(42);
    assertThat(config.eventsPerSecond()).isEqualTo(1000);
    assertThat(config.maxEvents()).isEmpty();
    assertThat(config.maxDuration()).isEmpty();
    assertThat(config.trackMix()).isEqualTo(new TrackMix(0.70, 0.10, 0.10, 0.10, 0, 6.3));
    assertThat(config.duplicateRatio()).isZero();
    assertThat(config.lateRatio()).isZero();
    assertThat(config.maxLateness()).isEqualTo(Duration.ofMinutes(90));
    assertThat(config.malformedRatio()).isZero();
    assertThat(config.nullFieldRatio()).isEqualTo(0.01);
    assertThat(config.dimensions()).isSameAs(DIMENSIONS);
  }

  @Test
  void bindingTheDeclaredSettingsWithoutValuesGivesTheDefaults() {
    Configuration configuration = Configuration.load(Optional.empty(), Map.of(), Map.of(), GeneratorConfig.SETTINGS);

    assertThat(GeneratorConfig.from(configuration, DIMENSIONS)).isEqualTo(GeneratorConfig.defaults(DIMENSIONS));
  }

  @Test
  void bindsEverySettingFromConfiguration() {
    Configuration configuration = Configuration.load(Optional.empty(), Map.of("TRACKPIPE_GENERATOR_SEED", "7"),
        Map.ofEntries(
            Map.entry("generator.events-per-second", "250.5"),
            Map.entry("generator.max-events", "1000"),
            Map.entry("generator.max-duration", "5m"),
            Map.entry("generator.mix.click", "1"),
            Map.entry("generator.mix.conversion", "2"),
            Map.entry("generator.mix.qualified", "3"),
            Map.entry("generator.mix.unqualified", "4"),
            Map.entry("generator.mix.other", "5"),
            Map.entry("generator.mix.impression", "6"),
            Map.entry("generator.duplicate-ratio", "0.01"),
            Map.entry("generator.late-ratio", "0.02"),
            Map.entry("generator.max-lateness", "2h"),
            Map.entry("generator.malformed-ratio", "0.03"),
            Map.entry("generator.null-field-ratio", "0.04"),
            Map.entry("generator.rule-violation-ratio", "0.05")),
        GeneratorConfig.SETTINGS);

    assertThat(GeneratorConfig.from(configuration, DIMENSIONS)).isEqualTo(new GeneratorConfig(7, 250.5,
        OptionalLong.of(1000), Optional.of(Duration.ofMinutes(5)), new TrackMix(1, 2, 3, 4, 5, 6), 0.01, 0.02,
        Duration.ofHours(2), 0.03, 0.04, 0.05, DIMENSIONS));
  }

  @Test
  void reportsEveryInvalidValueAtOnceByItsKey() {
    GeneratorConfig.Builder builder = GeneratorConfig.builder(DIMENSIONS)
        .eventsPerSecond(-1)
        .maxEvents(-5)
        .maxDuration(Duration.ofSeconds(-1))
        .duplicateRatio(0.6)
        .lateRatio(0.6)
        .malformedRatio(Double.NaN)
        .nullFieldRatio(2)
        .maxLateness(Duration.ofMillis(10));

    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "generator.events-per-second must be a finite number >= 0 (0 = unlimited), got -1.0",
            "generator.max-events must be >= 0, got -5",
            "generator.max-duration must not be negative, got PT-1S",
            "generator.malformed-ratio must be between 0 and 1, got NaN",
            "generator.null-field-ratio must be between 0 and 1, got 2.0",
            "generator.max-lateness must be between 1s (ts has whole seconds) and 365d, got PT0.01S"));
  }

  @Test
  void ratiosOfDifferentKindsMayNotAddUpToMoreThanOne() {
    assertThatThrownBy(() -> GeneratorConfig.builder(DIMENSIONS).duplicateRatio(0.5).lateRatio(0.3).malformedRatio(0.3)
            .build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be at most 1");
    assertThat(GeneratorConfig.builder(DIMENSIONS).duplicateRatio(0.5).lateRatio(0.3).malformedRatio(0.2).build())
        .isNotNull();
  }

  @Test
  void needsJobsAndPublishersToDrawFrom() {
    assertThatThrownBy(() -> GeneratorConfig.defaults(new Dimensions(List.of(), List.of(), List.of())))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "dimensions must contain at least one job", "dimensions must contain at least one publisher"));
  }

  @Test
  void trackMixRejectsNegativeAndAllZeroWeights() {
    assertThatThrownBy(() -> new TrackMix(-1, 0, Double.POSITIVE_INFINITY, 0, 0))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "generator.mix.click must be a finite number >= 0, got -1.0",
            "generator.mix.qualified must be a finite number >= 0, got Infinity"));
    assertThatThrownBy(() -> new TrackMix(0, 0, 0, 0, 0)).hasMessageContaining("must not all be 0");
  }

  @Test
  void toBuilderRoundTrips() {
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).seed(9).eventsPerSecond(0).maxEvents(10)
        .maxDuration(Duration.ofSeconds(3)).trackMix(new TrackMix(1, 1, 1, 1, 1)).duplicateRatio(0.1).lateRatio(0.2)
        .maxLateness(Duration.ofMinutes(5)).malformedRatio(0.3).nullFieldRatio(0).build();

    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  @Test
  void toStringSummarisesDimensions() {
    assertThat(GeneratorConfig.defaults(DIMENSIONS).toString()).contains("dimensions=3 companies, 10 jobs, 2 publishers");
  }
}
