package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code trackpipe serve} against what a hostile page or network can do: DNS rebinding of its loopback address, error
 * answers that would tell where the warehouse is, more requests than it can run, injected scripts; and its queries
 * through a read-only account. A real server on the real embedded MariaDB.
 */
class HostileServeIT {
  private static Warehouse warehouse;

  @BeforeAll
  static void database() throws Exception {
    warehouse = TestWarehouse.createDatabase("hostile");
    TestWarehouse.insertKnownFacts(warehouse);
  }

  private static ServeConfig config(List<String> allowedHosts, int maxConcurrentRequests, WarehouseConfig reader) {
    return new ServeConfig("127.0.0.1", 0, AuthMode.NONE, null, null, null, 400, Duration.ofSeconds(10), 4, "USD",
        Duration.ofSeconds(5), ZoneId.of("UTC"), allowedHosts, maxConcurrentRequests,
        reader == null ? null : reader.user(), reader == null ? null : reader.password());
  }

  private static DashboardServer start(ServeConfig config, Warehouse warehouse) {
    return DashboardServer.start(config, warehouse, Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC));
  }

  @Test
  void onALoopbackAddressOnlyLoopbackNamesWithThePortAreServedAgainstDnsRebinding() throws Exception {
    try (DashboardServer server = start(config(List.of(), 32, null), warehouse)) {
      int port = server.port();
      for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port)) {
        assertThat(RawAnswer.get(port, "/api/v1/kpis", host).status()).as(host).isEqualTo(200);
      }
      for (String host : List.of("attacker.example:" + port, "attacker.example", "localhost", "localhost:1",
          "127.0.0.1.attacker.example:" + port)) {
        RawAnswer answer = RawAnswer.get(port, "/api/v1/kpis", host);
        assertThat(answer.status()).as(host).isEqualTo(421);
        assertThat(answer.body()).contains("\"error\":\"misdirected_request\"").doesNotContain("clicks");
      }
      assertThat(RawAnswer.get(port, "/", "attacker.example:" + port).status()).isEqualTo(421);
    }
  }

  @Test
  void configuredAllowedHostsReplaceTheLoopbackNames() throws Exception {
    try (DashboardServer server = start(config(List.of("dash.example.com", "ops.example.com:8443"), 32,
        null), warehouse)) {
      int port = server.port();
      assertThat(RawAnswer.get(port, "/api/v1/meta", "dash.example.com").status()).isEqualTo(200);
      assertThat(RawAnswer.get(port, "/api/v1/meta", "Dash.Example.com:" + port).status()).isEqualTo(200);
      assertThat(RawAnswer.get(port, "/api/v1/meta", "ops.example.com:8443").status()).isEqualTo(200);
      assertThat(RawAnswer.get(port, "/api/v1/meta", "ops.example.com:" + port).status()).isEqualTo(421);
      assertThat(RawAnswer.get(port, "/api/v1/meta", "localhost:" + port).status()).isEqualTo(421);
    }
  }

  @Test
  void aWarehouseThatCannotAnswerIs503WithoutItsAddress() throws Exception {
    int closedPort;
    try (ServerSocket free = new ServerSocket(0)) {
      closedPort = free.getLocalPort();
    }
    String url = "jdbc:mariadb://127.0.0.1:" + closedPort + "/trackpipe_hidden";
    Warehouse nowhere = new Warehouse(WarehouseConfig.unencrypted(url, "trackpipe", "not-the-password"));
    try (DashboardServer server = start(config(List.of(), 32, null), nowhere)) {
      ApiClient api = new ApiClient(server.url());
      for (String route : List.of("/api/v1/kpis", "/api/v1/pipeline", "/api/v1/top/campaign", "/api/v1/heatmap")) {
        ApiClient.Reply reply = api.get(route);
        assertThat(reply.status()).as(route).isEqualTo(503);
        assertThat(reply.json().path("error").asText()).isEqualTo("warehouse_unavailable");
        assertThat(reply.response().body()).as(route).doesNotContain("jdbc", "127.0.0.1", Integer.toString(closedPort),
            "trackpipe_hidden", "mariadb");
      }
    }
  }

  @Test
  void requestsBeyondTheConcurrencyLimitAre429() throws Exception {
    try (DashboardServer server = start(config(List.of(), 2, null), warehouse);
        Connection locker = warehouse.connect()) {
      ApiClient api = new ApiClient(server.url());
      // Two queries held in flight by a lock of the table the totals read.
      exec(locker, "LOCK TABLES dashboard_hour WRITE");
      CompletableFuture<ApiClient.Reply> first = CompletableFuture.supplyAsync(() -> get(api, "/api/v1/kpis"));
      CompletableFuture<ApiClient.Reply> second = CompletableFuture.supplyAsync(() -> get(api, "/api/v1/kpis"));
      await().atMost(Duration.ofSeconds(20)).until(() -> queriesWaitingForTheLock(locker) == 2);

      ApiClient.Reply third = api.get("/api/v1/kpis");
      ApiClient.Reply page = api.get("/");
      ApiClient.Reply health = api.get("/health");
      exec(locker, "UNLOCK TABLES");

      assertThat(third.status()).isEqualTo(429);
      assertThat(third.header("Retry-After")).isEqualTo("1");
      assertThat(third.json().path("error").asText()).isEqualTo("too_many_requests");
      assertThat(third.json().path("message").asText()).contains("serve.http.max-concurrent-requests");
      assertThat(page.status()).isEqualTo(429);
      assertThat(health.status()).as("health checks are never refused").isEqualTo(200);
      assertThat(first.get().status()).isEqualTo(200);
      assertThat(second.get().status()).isEqualTo(200);
      assertThat(api.get("/api/v1/kpis").status()).isEqualTo(200);
    }
  }

  @Test
  void everyAnswerCarriesAContentSecurityPolicyThePageCanLiveWith() throws Exception {
    try (DashboardServer server = start(config(List.of(), 32, null), warehouse)) {
      ApiClient api = new ApiClient(server.url());
      ApiClient.Reply page = api.get("/");
      ApiClient.Reply script = api.get("/assets/dashboard.js");

      for (ApiClient.Reply reply : List.of(page, script, api.get("/api/v1/meta"), api.get("/nothing"))) {
        assertThat(reply.header("Content-Security-Policy")).isNotNull()
            .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'",
                "base-uri 'none'")
            .doesNotContain("unsafe-eval").doesNotContainPattern("script-src[^;]*unsafe-inline");
      }
      String html = page.response().body();
      // Nothing the policy blocks: no inline script, no inline style element, no handler attribute, no other origin.
      assertThat(html).doesNotContainPattern(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE))
          .doesNotContainPattern("(?i)<style").doesNotContainPattern("(?i)\\son[a-z]+\\s*=")
          .doesNotContainPattern("(?i)(src|href)=\"(https?:)?//").doesNotContain("javascript:");
      assertThat(script.response().body()).doesNotContain("eval(", "new Function", "style=\"", "setAttribute(\"style\"");
    }
  }

  @Test
  void queriesRunAsTheReadOnlyAccountWhenOneIsConfigured() throws Exception {
    WarehouseConfig reader = TestWarehouse.readOnlyAccount(warehouse);
    WarehouseConfig owner = warehouse.config();
    // The owner's password is wrong: only the reader can be answering the queries.
    Warehouse ownerLockedOut = new Warehouse(WarehouseConfig.unencrypted(owner.jdbcUrl(), owner.user(), "wrong-password"));
    try (DashboardServer server = start(config(List.of(), 32, reader), ownerLockedOut)) {
      ApiClient.Reply kpis = new ApiClient(server.url()).get("/api/v1/kpis");
      assertThat(kpis.status()).isEqualTo(200);
      assertThat(kpis.json().path("totals").path("clicks").asLong()).isEqualTo(80);
    }
    WarehouseConfig wrongReader = WarehouseConfig.unencrypted(owner.jdbcUrl(), reader.user(), "wrong-password");
    try (DashboardServer server = start(config(List.of(), 32, wrongReader), warehouse)) {
      assertThat(new ApiClient(server.url()).get("/api/v1/kpis").status()).as("the owner is not used for queries")
          .isEqualTo(503);
    }
    // The documented GRANT SELECT is what keeps the API from writing, whatever reaches SQL.
    try (Connection c = DriverManager.getConnection(owner.jdbcUrl(), reader.user(), reader.password())) {
      assertThatThrownBy(() -> exec(c, "DELETE FROM events")).isInstanceOf(SQLException.class)
          .hasMessageContaining("command denied");
    }
  }

  private static ApiClient.Reply get(ApiClient api, String route) {
    try {
      return api.get(route);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int queriesWaitingForTheLock(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT COUNT(*) FROM information_schema.processlist WHERE state LIKE 'Waiting for table metadata lock%'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** A GET with a Host header of our choosing (Java's HTTP client does not let one set it), on a raw socket. */
  private record RawAnswer(int status, String body) {
    static RawAnswer get(int port, String path, String host) throws IOException {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int headEnd = answer.indexOf("\r\n\r\n");
        return new RawAnswer(Integer.parseInt(answer.substring(9, 12)), answer.substring(headEnd + 4));
      }
    }
  }
}
