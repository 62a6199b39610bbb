package io.trackpipe.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.embedded.EmbeddedStack;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * The embedded MariaDB runs without TLS, so a warehouse configured to require TLS must refuse it: proof that the
 * setting reaches the connections the jobs open and Flyway's, and that nothing falls back to plain text.
 */
class WarehouseTlsIT {
  private final EmbeddedStack stack = EmbeddedStack.shared();

  private Warehouse requiringTls() {
    var db = stack.mariaDb();
    return new Warehouse(new WarehouseConfig(db.jdbcUrl(""), db.user(), db.password(), "trust", null));
  }

  @Test
  void connectionsRefuseAServerWithoutTls() {
    assertThatThrownBy(() -> {
      try (Connection c = requiringTls().connect()) {
        c.isValid(1);
      }
    }).hasMessageContaining("cannot connect to the warehouse").hasMessageContaining("ssl not enabled in the server");
  }

  @Test
  void migrationsRefuseAServerWithoutTls() {
    assertThatThrownBy(() -> requiringTls().migrate()).hasStackTraceContaining("ssl not enabled in the server");
  }

  @Test
  void theSameServerAnswersWithTlsDisabled() throws Exception {
    var db = stack.mariaDb();
    try (Connection c = new Warehouse(WarehouseConfig.unencrypted(db.jdbcUrl(""), db.user(), db.password())).connect()) {
      assertThat(c.isValid(1)).isTrue();
    }
  }
}
