package io.trackpipe.warehouse;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.util.List;

/** How to reach the MySQL/MariaDB warehouse. Credentials come from configuration, never from code. */
public record WarehouseConfig(String jdbcUrl, String user, String password) {

  public static final Setting<String> JDBC_URL = Setting.of("warehouse.jdbc-url", ValueType.STRING, null,
      "JDBC URL of the warehouse database, e.g. jdbc:mariadb://db:3306/trackpipe (MySQL URLs work too).")
      .checked(url -> url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:"), "a jdbc:mariadb: or jdbc:mysql: URL");
  public static final Setting<String> USER = Setting.of("warehouse.user", ValueType.STRING, null, "Warehouse user.");
  public static final Setting<String> PASSWORD =
      Setting.of("warehouse.password", ValueType.STRING, null, "Warehouse password.").asSecret();

  public static final List<Setting<?>> SETTINGS = List.of(JDBC_URL, USER, PASSWORD);

  public static WarehouseConfig from(Configuration config) {
    String password = config.get(PASSWORD);
    return new WarehouseConfig(config.require(JDBC_URL), config.require(USER), password == null ? "" : password);
  }

  @Override
  public String toString() {
    return "WarehouseConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=******]";
  }
}
