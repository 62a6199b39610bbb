package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.warehouse.Warehouse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Read access control: token and basic modes refuse without credentials (401 with a challenge), accept with them. */
class AuthIT {
  private static final String TOKEN = "a-test-token-0123456789";
  private static final String PASSWORD = "a-test-password-0123456789";
  private static Warehouse warehouse;

  @BeforeAll
  static void database() throws Exception {
    warehouse = TestWarehouse.createDatabase("auth");
    TestWarehouse.insertKnownFacts(warehouse);
  }

  @Test
  void tokenModeNeedsTheBearerToken() throws Exception {
    try (DashboardServer server = DashboardServer.start(ApiIT.config(AuthMode.TOKEN, TOKEN, null, null), warehouse,
        Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC))) {
      ApiClient api = new ApiClient(server.url());
      ApiClient.Reply none = api.get("/api/v1/kpis");
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
      assertThat(none.json().path("error").asText()).isEqualTo("unauthorized");
      assertThat(api.get("/api/v1/kpis", "Bearer wrong-token-0123456789").status()).isEqualTo(401);
      assertThat(api.get("/api/v1/openapi.json", "Bearer " + TOKEN.substring(1)).status()).isEqualTo(401);
      ApiClient.Reply ok = api.get("/api/v1/kpis", "Bearer " + TOKEN);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.json().path("totals").path("clicks").asLong()).isEqualTo(80);
      // The page holds no data and is open; health too.
      assertThat(api.get("/").status()).isEqualTo(200);
      assertThat(api.get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void basicModeNeedsUserAndPassword() throws Exception {
    try (DashboardServer server = DashboardServer.start(ApiIT.config(AuthMode.BASIC, null, "analyst", PASSWORD), warehouse,
        Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC))) {
      ApiClient api = new ApiClient(server.url());
      ApiClient.Reply none = api.get("/api/v1/top/job");
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.header("WWW-Authenticate")).startsWith("Basic realm=\"trackpipe\"");
      assertThat(api.get("/api/v1/top/job", basic("analyst", "wrong-password-0123456789")).status()).isEqualTo(401);
      assertThat(api.get("/api/v1/top/job", "Bearer " + PASSWORD).status()).isEqualTo(401);
      assertThat(api.get("/api/v1/top/job", basic("analyst", PASSWORD)).status()).isEqualTo(200);
    }
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
