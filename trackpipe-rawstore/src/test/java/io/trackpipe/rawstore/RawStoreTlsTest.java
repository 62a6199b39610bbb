package io.trackpipe.rawstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawStoreTlsTest {
  @TempDir Path dir;

  @Test
  void tlsSettingsReachTheDriversSslEngineFactory() throws Exception {
    Path trustStore = Files.writeString(dir.resolve("cassandra-ca.p12"), "not read by this test");
    RawStoreConfig store = bind(Map.of("rawstore.tls.enabled", "true", "rawstore.tls.trust-store", trustStore.toString(),
        "rawstore.tls.trust-store-password", "changeit", "rawstore.tls.hostname-validation", "false"));

    DriverExecutionProfile driver = RawStoreSessions.configLoader(store).getInitialConfig().getDefaultProfile();

    assertThat(driver.getString(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS)).isEqualTo("DefaultSslEngineFactory");
    assertThat(driver.getString(DefaultDriverOption.SSL_TRUSTSTORE_PATH)).isEqualTo(trustStore.toString());
    assertThat(driver.getString(DefaultDriverOption.SSL_TRUSTSTORE_PASSWORD)).isEqualTo("changeit");
    assertThat(driver.getBoolean(DefaultDriverOption.SSL_HOSTNAME_VALIDATION)).isFalse();
    assertThat(store.toString()).doesNotContain("changeit").contains("TLS trusting " + trustStore);
  }

  @Test
  void tlsWithTheJvmsTrustStoreValidatesHostNamesByDefault() {
    RawStoreConfig store = bind(Map.of("rawstore.tls.enabled", "true"));

    DriverExecutionProfile driver = RawStoreSessions.configLoader(store).getInitialConfig().getDefaultProfile();

    assertThat(driver.getString(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS)).isEqualTo("DefaultSslEngineFactory");
    assertThat(driver.getBoolean(DefaultDriverOption.SSL_HOSTNAME_VALIDATION)).isTrue();
    assertThat(driver.isDefined(DefaultDriverOption.SSL_TRUSTSTORE_PATH)).isFalse();
  }

  @Test
  void withoutTlsTheDriverHasNoSslEngineFactory() {
    RawStoreConfig store = bind(Map.of());

    DriverExecutionProfile driver = RawStoreSessions.configLoader(store).getInitialConfig().getDefaultProfile();

    assertThat(store.tls()).isEqualTo(RawStoreTls.DISABLED);
    assertThat(driver.isDefined(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS)).isFalse();
  }

  @Test
  void everyTlsMistakeIsReportedAtOnce() {
    Path missing = dir.resolve("no-such-trust-store.jks");
    Configuration config = load(Map.of("rawstore.tls.trust-store", missing.toString()));

    RawStoreConfig.from(config);
    ConfigException e = catchThrowableOfType(ConfigException.class, config::throwIfInvalid);

    assertThat(e.problems()).containsExactlyInAnyOrder(
        "rawstore.tls.trust-store is set but rawstore.tls.enabled is false",
        "rawstore.tls.trust-store: " + missing + " does not exist or is not readable");

    Configuration passwordOnly = load(Map.of("rawstore.tls.enabled", "true", "rawstore.tls.trust-store-password", "x"));
    RawStoreConfig.from(passwordOnly);
    assertThat(catchThrowableOfType(ConfigException.class, passwordOnly::throwIfInvalid).problems()).containsExactly(
        "rawstore.tls.trust-store-password is set but rawstore.tls.trust-store is not");
  }

  private static RawStoreConfig bind(Map<String, String> overrides) {
    Configuration config = load(overrides);
    RawStoreConfig store = RawStoreConfig.from(config);
    config.throwIfInvalid();
    return store;
  }

  private static Configuration load(Map<String, String> overrides) {
    return Configuration.load(Optional.empty(), Map.of(), overrides, RawStoreConfig.SETTINGS);
  }
}
