package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.serve.api.ApiRoutes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The OpenAPI document, generated from the domains, describes exactly the API's routes, each domain's included. */
class OpenApiDocumentTest {
  private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([a-z_]+)}");

  static DomainCatalog withSignups() throws Exception {
    return DomainCatalog.load(List.of(Path.of(OpenApiDocumentTest.class.getResource("/domains/signups.yaml").toURI())),
        List.of());
  }

  @Test
  void listsEveryRouteOfEveryDomainAndNoOther() throws Exception {
    DomainCatalog domains = withSignups();
    JsonNode doc = document(domains);
    assertThat(doc.path("openapi").asText()).startsWith("3.");
    List<String> paths = new ArrayList<>();
    doc.path("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths).containsExactlyInAnyOrderElementsOf(ApiRoutes.routes(domains.names()));
    assertThat(paths).contains("/api/v1/kpis", "/api/v1/domains/job-ads/top/{dimension}", "/api/v1/domains/signups/kpis");
    doc.path("paths").forEach(route -> {
      assertThat(route.has("get")).isTrue();
      assertThat(route.path("get").path("responses").has("400")).isTrue();
    });
  }

  @Test
  void eachDomainsParametersAndMeasuresComeFromItsDashboard() throws Exception {
    JsonNode doc = document(withSignups());
    JsonNode signupsTop = doc.path("paths").path("/api/v1/domains/signups/top/{dimension}").path("get");
    assertThat(names(signupsTop.path("parameters"))).containsExactly("dimension", "from", "to", "plan", "country", "sort",
        "order", "limit");
    assertThat(parameter(signupsTop, "dimension").path("schema").path("enum").toString()).isEqualTo("[\"plan\",\"country\"]");
    assertThat(parameter(signupsTop, "sort").path("schema").path("default").asText()).isEqualTo("signups");
    JsonNode jobAdsKpis = doc.path("paths").path("/api/v1/kpis").path("get");
    assertThat(names(jobAdsKpis.path("parameters"))).containsExactly("from", "to", "job", "campaign", "publisher", "company",
        "group");
    JsonNode totals = doc.path("components").path("schemas").path("Totals_signups").path("properties");
    assertThat(totals.path("signups").path("type").asText()).isEqualTo("integer");
    assertThat(totals.path("revenue_per_signup").path("type").toString()).isEqualTo("[\"number\",\"null\"]");
  }

  /** Checks what a validator would: every reference resolves, every path parameter is declared, in the path, required. */
  @Test
  void isAValidDocument() throws Exception {
    JsonNode doc = document(withSignups());
    String text = doc.toString();
    Matcher refs = Pattern.compile("\"\\$ref\":\"#/([^\"]+)\"").matcher(text);
    int count = 0;
    while (refs.find()) {
      JsonNode target = doc.at("/" + refs.group(1));
      assertThat(target.isMissingNode()).as("$ref #/" + refs.group(1)).isFalse();
      count++;
    }
    assertThat(count).isPositive();
    doc.path("paths").fields().forEachRemaining(route -> {
      JsonNode operation = route.getValue().path("get");
      assertThat(operation.path("responses").has("200")).as(route.getKey()).isTrue();
      Matcher m = PATH_PARAMETER.matcher(route.getKey());
      while (m.find()) {
        JsonNode p = parameter(operation, m.group(1));
        assertThat(p.path("in").asText()).as(route.getKey() + " " + m.group(1)).isEqualTo("path");
        assertThat(p.path("required").asBoolean()).isTrue();
      }
      List<String> names = names(operation.path("parameters"));
      assertThat(names).as(route.getKey() + " names a parameter once").doesNotHaveDuplicates();
    });
  }

  private static JsonNode document(DomainCatalog domains) throws Exception {
    byte[] body = ApiRoutes.openApi(domains);
    return new ObjectMapper().readTree(body);
  }

  private static JsonNode parameter(JsonNode operation, String name) {
    for (JsonNode p : operation.path("parameters")) {
      if (p.path("name").asText().equals(name)) return p;
    }
    throw new AssertionError("no parameter " + name);
  }

  private static List<String> names(JsonNode parameters) {
    List<String> names = new ArrayList<>();
    parameters.forEach(p -> names.add(p.path("name").asText()));
    return names;
  }
}
