package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.warehouse.Warehouse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The routes of each domain, from its definition alone: job ads and a user's signups domain side by side. */
class DomainApiIT {
  private static DashboardServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    Warehouse warehouse = TestWarehouse.createDatabase("domains");
    TestWarehouse.insertKnownFacts(warehouse);
    TestWarehouse.insertSignups(warehouse);
    server = DashboardServer.start(ApiIT.config(AuthMode.NONE, null, null, null), OpenApiDocumentTest.withSignups()
        .only(java.util.List.of(io.trackpipe.domain.DomainCatalog.JOB_ADS, "signups")),
        warehouse, Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC));
    api = new ApiClient(server.url());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void theCatalogueDescribesEachDomainsDashboard() throws Exception {
    JsonNode domains = api.get("/api/v1/domains").json().path("domains");
    assertThat(domains.findValuesAsText("path")).containsExactly("/api/v1/domains/job-ads", "/api/v1/domains/signups");
    JsonNode signups = domains.get(1);
    assertThat(signups.path("name").asText()).isEqualTo("signups");
    assertThat(texts(signups.path("tiles"))).containsExactly("signups", "revenue", "revenue_per_signup");
    assertThat(signups.path("measures").get(1).path("format").asText()).isEqualTo("money");
    assertThat(texts(signups.path("filters"))).containsExactly("plan", "country");
    assertThat(signups.path("heatmap").path("measure").asText()).isEqualTo("signups");
    JsonNode jobAds = domains.get(0);
    assertThat(texts(jobAds.path("top").path("dimensions"))).containsExactly("job", "campaign", "publisher", "company");
    assertThat(jobAds.path("measures").findValuesAsText("label")).contains("CTR", "Qualified ratio");
    assertThat(api.get("/api/v1/domains/signups").json().path("subtitle").asText()).isEqualTo("signups and revenue");
  }

  @Test
  void theDefaultDomainsRoutesAnswerAsItsOwn() throws Exception {
    for (String route : List.of("/kpis", "/facts?group_by=campaign", "/top/publisher?sort=cpc", "/heatmap",
        "/dimensions/company")) {
      assertThat(api.get("/api/v1/domains/job-ads" + route).response().body()).as(route)
          .isEqualTo(api.get("/api/v1" + route).response().body());
    }
  }

  @Test
  void aUserDomainsNumbersComeFromItsTable() throws Exception {
    JsonNode totals = api.get("/api/v1/domains/signups/kpis").json().path("totals");
    assertThat(totals.path("signups").asLong()).isEqualTo(50);
    assertThat(totals.path("revenue").decimalValue()).isEqualByComparingTo("490");
    assertThat(totals.path("revenue_per_signup").decimalValue()).isEqualByComparingTo("9.8");
    JsonNode top = api.get("/api/v1/domains/signups/top/plan?sort=revenue").json();
    assertThat(top.path("rows").findValuesAsText("name")).containsExactly("Pro", "Free");
    JsonNode pro = api.get("/api/v1/domains/signups/kpis?plan=2&from=2026-02-01").json();
    assertThat(pro.path("totals").path("signups").asLong()).isEqualTo(60);
    assertThat(pro.path("filters").path("plan").get(0).asLong()).isEqualTo(2);
    JsonNode countries = api.get("/api/v1/domains/signups/dimensions/country").json();
    assertThat(countries.path("rows").findValuesAsText("id")).containsExactly("7", "9");
    JsonNode heat = api.get("/api/v1/domains/signups/heatmap").json().path("cells");
    assertThat(heat).hasSize(3);
  }

  @Test
  void unknownDomainsAndHostileValuesAreRefused() throws Exception {
    ApiClient.Reply missing = api.get("/api/v1/domains/nope/kpis");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("error").asText()).isEqualTo("unknown_domain");
    assertThat(missing.json().path("message").asText()).contains("no domain 'nope'", "job-ads, signups");
    assertThat(api.get("/api/v1/domains/signups/nothing").status()).isEqualTo(404);
    ApiClient.Reply injected = api.get("/api/v1/domains/signups/kpis?plan="
        + URLEncoder.encode("1); DROP TABLE signups_hourly; --", StandardCharsets.UTF_8));
    assertThat(injected.status()).isEqualTo(400);
    assertThat(injected.json().path("parameter").asText()).isEqualTo("plan");
    ApiClient.Reply column = api.get("/api/v1/domains/signups/top/" + URLEncoder.encode("plan_id`", StandardCharsets.UTF_8));
    assertThat(column.status()).isEqualTo(400);
    assertThat(column.json().path("message").asText()).contains("dimension must be one of plan, country");
    ApiClient.Reply jobFilter = api.get("/api/v1/domains/signups/kpis?campaign=1");
    assertThat(jobFilter.status()).as("another domain's filter").isEqualTo(400);
    assertThat(api.get("/api/v1/domains/signups/kpis").json().path("totals").path("signups").asLong()).isEqualTo(50);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
