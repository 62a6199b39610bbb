package io.trackpipe.warehouse;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How to reach the MySQL/MariaDB warehouse. Credentials come from configuration, never from code. Every connection
 * (the jobs', Flyway's, the API's reader's) opens {@link #connectionUrl()}, so the TLS settings reach all of them.
 *
 * @param jdbcUrl the configured URL, without the TLS options (safe to print)
 * @param tlsMode the MariaDB connector's {@code sslMode}: disable, trust, verify-ca or verify-full
 * @param tlsCaCert PEM file of the CA (or the server certificate) to verify the server with; null: the JVM's trust store
 */
public record WarehouseConfig(String jdbcUrl, String user, String password, String tlsMode, String tlsCaCert) {
  private static final List<String> TLS_MODES = List.of("disable", "trust", "verify-ca", "verify-full");

  public static final Setting<String> JDBC_URL = Setting.of("warehouse.jdbc-url", ValueType.STRING, null,
      "JDBC URL of the warehouse database, e.g. jdbc:mariadb://db:3306/trackpipe (MySQL URLs work too).")
      .checked(url -> url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:"), "a jdbc:mariadb: or jdbc:mysql: URL");
  public static final Setting<String> USER = Setting.of("warehouse.user", ValueType.STRING, null, "Warehouse user.");
  public static final Setting<String> PASSWORD =
      Setting.of("warehouse.password", ValueType.STRING, null, "Warehouse password.").asSecret();
  public static final Setting<String> TLS_MODE = Setting.of("warehouse.tls.mode", ValueType.STRING, "disable",
      "TLS to the warehouse (the connector's sslMode): disable, trust (encrypt, accept any certificate), verify-ca "
          + "(certificate signed by a trusted CA) or verify-full (also the host name). Every warehouse connection uses it.")
      .checked(s -> TLS_MODES.contains(s.toLowerCase(Locale.ROOT)), "one of " + TLS_MODES);
  public static final Setting<Path> TLS_CA_CERT = Setting.of("warehouse.tls.ca-cert", ValueType.PATH, null,
      "PEM file with the CA certificate (or the server's own) that verify-ca and verify-full check the server "
          + "against (the connector's serverSslCert); unset: the JVM's trust store.");

  public static final List<Setting<?>> SETTINGS = List.of(JDBC_URL, USER, PASSWORD, TLS_MODE, TLS_CA_CERT);

  public WarehouseConfig {
    requireNonNull(tlsMode, "tlsMode is null");
    tlsMode = tlsMode.toLowerCase(Locale.ROOT);
    if (!TLS_MODES.contains(tlsMode)) throw new IllegalArgumentException("TLS mode " + tlsMode);
  }

  public static WarehouseConfig from(Configuration config) {
    String password = config.get(PASSWORD);
    String url = config.require(JDBC_URL);
    String mode = config.get(TLS_MODE).toLowerCase(Locale.ROOT);
    Path caCert = config.get(TLS_CA_CERT);
    if (caCert != null) {
      config.check(!mode.equals("disable"), "warehouse.tls.ca-cert is set but warehouse.tls.mode is disable: use "
          + "verify-ca or verify-full");
      config.check(Files.isReadable(caCert), "warehouse.tls.ca-cert: " + caCert + " does not exist or is not readable");
      String text = caCert.toString();
      config.check(!text.contains("&") && !text.contains("="), "warehouse.tls.ca-cert: " + caCert
          + " cannot go in a JDBC URL (it contains & or =): move the file");
    }
    config.check(mode.equals("disable") || url == null || !url.toLowerCase(Locale.ROOT).contains("sslmode="),
        "warehouse.jdbc-url sets sslMode and warehouse.tls.mode is " + mode + ": set TLS in one of them only");
    return new WarehouseConfig(url, config.require(USER), password == null ? "" : password, mode,
        caCert == null ? null : caCert.toString());
  }

  /** A warehouse reached without TLS: embedded servers and tests. */
  public static WarehouseConfig unencrypted(String jdbcUrl, String user, String password) {
    return new WarehouseConfig(jdbcUrl, user, password, "disable", null);
  }

  /** The same server and TLS settings for another account (the API's read-only user). */
  public WarehouseConfig withCredentials(String otherUser, String otherPassword) {
    return new WarehouseConfig(jdbcUrl, otherUser, otherPassword, tlsMode, tlsCaCert);
  }

  /**
   * The URL every connection opens: {@link #jdbcUrl} with the TLS options ({@code sslMode}, {@code serverSslCert}) when
   * TLS is on. It carries no password.
   */
  public String connectionUrl() {
    if (tlsMode.equals("disable")) return jdbcUrl;
    StringBuilder url = new StringBuilder(jdbcUrl).append(jdbcUrl.contains("?") ? '&' : '?');
    url.append("sslMode=").append(tlsMode);
    if (tlsCaCert != null) url.append("&serverSslCert=").append(tlsCaCert);
    return url.toString();
  }

  @Override
  public String toString() {
    return "WarehouseConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=******, tls=" + tlsMode
        + (tlsCaCert == null ? "" : " " + tlsCaCert) + "]";
  }
}
