package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.serve.auth.AuthMode;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServeConfigTest {

  @Test
  void defaultsServeLocalhostWithoutAuth() {
    ServeConfig config = bind(Map.of());
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.loopbackOnly()).isTrue();
    assertThat(config.port()).isEqualTo(8088);
    assertThat(config.authMode()).isEqualTo(AuthMode.NONE);
    assertThat(config.refreshInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.factsZone()).isEqualTo(ZoneId.of("Asia/Ho_Chi_Minh"));
  }

  @Test
  void tokenModeNeedsAToken() {
    assertThatThrownBy(() -> bind(Map.of("serve.auth.mode", "token")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("serve.auth.token is required")
        .hasMessageContaining("TRACKPIPE_SERVE_AUTH_TOKEN");
    assertThat(bind(Map.of("serve.auth.mode", "TOKEN", "serve.auth.token", "0123456789abcdefXYZ")).token())
        .isEqualTo("0123456789abcdefXYZ");
  }

  @Test
  void badValuesAreReportedTogetherWithoutPrintingSecrets() {
    assertThatThrownBy(() -> bind(Map.of("serve.auth.mode", "basic", "serve.auth.user", "me",
        "serve.auth.password", "short-secret", "serve.http.port", "70000", "serve.currency", "dollars")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
            .contains("serve.auth.password", "serve.http.port", "serve.currency")
            .doesNotContain("short-secret"));
    assertThatThrownBy(() -> bind(Map.of("serve.auth.mode", "cookie")))
        .hasMessageContaining("serve.auth.mode").hasMessageContaining("none, token or basic");
  }

  @Test
  void withoutReadAccessControlOnlyALoopbackAddressIsServed() {
    assertThatThrownBy(() -> bind(Map.of("serve.http.host", "0.0.0.0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("serve.auth.mode is none but serve.http.host is 0.0.0.0")
        .hasMessageContaining("token or basic");
    assertThatThrownBy(() -> bind(Map.of("serve.http.host", "192.168.1.20", "serve.auth.mode", "none")))
        .hasMessageContaining("serve.http.host is 192.168.1.20");
    assertThat(bind(Map.of("serve.http.host", "localhost")).loopbackOnly()).isTrue();
    assertThat(bind(Map.of("serve.http.host", "127.0.0.2")).loopbackOnly()).isTrue();
    assertThat(bind(Map.of("serve.http.host", "0.0.0.0", "serve.auth.mode", "token", "serve.auth.token",
        "0123456789abcdefXYZ")).loopbackOnly()).isFalse();
  }

  @Test
  void allowedHostsAndTheReadOnlyAccountAreChecked() {
    ServeConfig config = bind(Map.of("serve.http.allowed-hosts", "dash.example.com, dash.example.com:8443,[::1]:8088",
        "serve.warehouse.user", "dashboard_reader", "serve.warehouse.password", "secret-reader-password"));
    assertThat(config.allowedHosts()).containsExactly("dash.example.com", "dash.example.com:8443", "[::1]:8088");
    assertThat(config.readerUser()).isEqualTo("dashboard_reader");
    assertThat(config.toString()).doesNotContain("secret-reader-password");
    assertThat(bind(Map.of()).readerUser()).isNull();
    assertThat(bind(Map.of()).maxConcurrentRequests()).isEqualTo(32);
    assertThatThrownBy(() -> bind(Map.of("serve.http.allowed-hosts", "http://dash.example.com/")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("serve.http.allowed-hosts");
    assertThatThrownBy(() -> bind(Map.of("serve.warehouse.password", "orphan-password-0123")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
            .contains("serve.warehouse.password is set but serve.warehouse.user is not")
            .doesNotContain("orphan-password-0123"));
  }

  private static ServeConfig bind(Map<String, String> overrides) {
    Configuration config = Configuration.load(Optional.empty(), Map.of(), overrides, ServeConfig.SETTINGS);
    ServeConfig serve = ServeConfig.from(config, ZoneId.of("Asia/Ho_Chi_Minh"));
    config.throwIfInvalid();
    return serve;
  }
}
