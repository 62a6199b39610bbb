package io.trackpipe.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.cli.settings.TrackpipeSettings;
import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchSharesTest {
  private static Configuration settings() {
    return Configuration.load(Optional.empty(), Map.of(), Map.of(), TrackpipeSettings.ALL);
  }

  private static Map<String, Double> parse(String... options) {
    Configuration settings = settings();
    Map<String, Double> shares = BenchShares.parse(List.of(options), settings);
    settings.throwIfInvalid();
    return shares;
  }

  @Test
  void jobAdsAloneByDefault() {
    assertThat(parse()).containsExactly(Map.entry("job-ads", 1.0));
  }

  @Test
  void aDomainNamedAloneTakesEveryEvent() {
    assertThat(parse("clickstream")).containsExactly(Map.entry("clickstream", 1.0));
  }

  @Test
  void namesWithoutShareSplitWhatTheOthersLeave() {
    Map<String, Double> shares = parse("job-ads=0.5", "ecommerce", "clickstream");
    assertThat(shares.keySet()).containsExactly("job-ads", "ecommerce", "clickstream");
    assertThat(shares.get("ecommerce")).isEqualTo(0.25);
    assertThat(shares.get("clickstream")).isEqualTo(0.25);
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    Configuration settings = settings();
    BenchShares.parse(List.of("shop=0.5", "ecommerce=lots", "job-ads=0.7", "clickstream=0.6"), settings);
    assertThatThrownBy(settings::throwIfInvalid).isInstanceOfSatisfying(ConfigException.class, e ->
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("unknown domain 'shop'").contains("clickstream"))
            .anySatisfy(p -> assertThat(p).contains("ecommerce=lots").contains("number"))
            .anySatisfy(p -> assertThat(p).contains("add up to")));
  }

  @Test
  void sharesThatDoNotAddUpToOneAreRefused() {
    Configuration settings = settings();
    BenchShares.parse(List.of("job-ads=0.7", "ecommerce=0.2"), settings);
    assertThatThrownBy(settings::throwIfInvalid).hasMessageContaining("not 1");
  }
}
