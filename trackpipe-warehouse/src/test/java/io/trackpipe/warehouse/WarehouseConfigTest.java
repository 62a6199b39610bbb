package io.trackpipe.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mariadb.jdbc.export.SslMode;

class WarehouseConfigTest {
  @TempDir Path dir;

  @Test
  void verifyFullWithACaCertReachesTheConnectorAsSslModeAndServerSslCert() throws Exception {
    Path ca = Files.writeString(dir.resolve("warehouse-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    WarehouseConfig warehouse = bind(Map.of("warehouse.tls.mode", "verify-full", "warehouse.tls.ca-cert", ca.toString()));

    assertThat(warehouse.connectionUrl())
        .isEqualTo("jdbc:mariadb://db-1:3306/trackpipe?sslMode=verify-full&serverSslCert=" + ca);
    // Read back as the MariaDB connector reads the URL it is given.
    org.mariadb.jdbc.Configuration parsed = org.mariadb.jdbc.Configuration.parse(warehouse.connectionUrl());
    assertThat(parsed.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(parsed.serverSslCert()).isEqualTo(ca.toString());
    assertThat(parsed.database()).isEqualTo("trackpipe");
  }

  @Test
  void theTlsOptionsFollowTheUrlsOwnOptions() throws Exception {
    WarehouseConfig warehouse = bind(Map.of("warehouse.jdbc-url", "jdbc:mariadb://db-1:3306/trackpipe?connectTimeout=2000",
        "warehouse.tls.mode", "TRUST"));

    org.mariadb.jdbc.Configuration parsed = org.mariadb.jdbc.Configuration.parse(warehouse.connectionUrl());
    assertThat(parsed.sslMode()).isEqualTo(SslMode.TRUST);
    assertThat(parsed.connectTimeout()).isEqualTo(2000);
    assertThat(warehouse.jdbcUrl()).isEqualTo("jdbc:mariadb://db-1:3306/trackpipe?connectTimeout=2000");
  }

  @Test
  void withoutTlsTheUrlIsLeftAsConfigured() {
    WarehouseConfig warehouse = bind(Map.of());

    assertThat(warehouse.tlsMode()).isEqualTo("disable");
    assertThat(warehouse.connectionUrl()).isEqualTo("jdbc:mariadb://db-1:3306/trackpipe");
  }

  @Test
  void theApiReadersAccountKeepsTheTlsSettings() {
    WarehouseConfig owner = bind(Map.of("warehouse.tls.mode", "verify-ca"));

    WarehouseConfig reader = owner.withCredentials("reader", "r3ad");

    assertThat(reader.user()).isEqualTo("reader");
    assertThat(reader.password()).isEqualTo("r3ad");
    assertThat(reader.connectionUrl()).isEqualTo(owner.connectionUrl()).contains("sslMode=verify-ca");
    assertThat(reader.toString()).doesNotContain("r3ad");
  }

  @Test
  void everyTlsMistakeIsReportedAtOnce() {
    Path missing = dir.resolve("no-such-ca.pem");
    Configuration config = load(Map.of("warehouse.tls.ca-cert", missing.toString(),
        "warehouse.jdbc-url", "jdbc:mariadb://db-1:3306/trackpipe?sslMode=trust"));

    WarehouseConfig.from(config);
    ConfigException e = catchThrowableOfType(ConfigException.class, config::throwIfInvalid);

    assertThat(e.problems()).containsExactlyInAnyOrder(
        "warehouse.tls.ca-cert is set but warehouse.tls.mode is disable: use verify-ca or verify-full",
        "warehouse.tls.ca-cert: " + missing + " does not exist or is not readable");

    Configuration both = load(Map.of("warehouse.tls.mode", "verify-full",
        "warehouse.jdbc-url", "jdbc:mariadb://db-1:3306/trackpipe?sslMode=trust"));
    WarehouseConfig.from(both);
    assertThat(catchThrowableOfType(ConfigException.class, both::throwIfInvalid).problems()).containsExactly(
        "warehouse.jdbc-url sets sslMode and warehouse.tls.mode is verify-full: set TLS in one of them only");
  }

  @Test
  void anUnknownModeIsRefusedWithTheChoices() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(Map.of("warehouse.tls.mode", "required")));

    assertThat(e.problems()).containsExactly("warehouse.tls.mode (from command line): must be one of [disable, trust, "
        + "verify-ca, verify-full], got 'required'");
  }

  private static WarehouseConfig bind(Map<String, String> overrides) {
    Configuration config = load(overrides);
    WarehouseConfig warehouse = WarehouseConfig.from(config);
    config.throwIfInvalid();
    return warehouse;
  }

  private static Configuration load(Map<String, String> overrides) {
    Map<String, String> all = new HashMap<>(overrides);
    all.putIfAbsent("warehouse.jdbc-url", "jdbc:mariadb://db-1:3306/trackpipe");
    all.putIfAbsent("warehouse.user", "trackpipe");
    return Configuration.load(Optional.empty(), Map.of(), all, WarehouseConfig.SETTINGS);
  }
}
