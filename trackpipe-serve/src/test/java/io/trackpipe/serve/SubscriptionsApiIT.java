package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.warehouse.Warehouse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Text and enum dimensions on a real MariaDB: the subscriptions domain filters by the kind of event (an enum: a list of
 * its values), the country and the landing page (free text: one value, matched exactly) and ranks them.
 */
class SubscriptionsApiIT {
  private static final String BASE = "/api/v1/domains/subscriptions";
  private static DashboardServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    Warehouse warehouse = TestWarehouse.createDatabase("subscriptions");
    TestWarehouse.insertKnownFacts(warehouse);
    TestWarehouse.insertSubscriptions(warehouse);
    server = DashboardServer.start(ApiIT.config(AuthMode.NONE, null, null, null), catalogue(), warehouse,
        Clock.fixed(TestWarehouse.NOW, ZoneOffset.UTC));
    api = new ApiClient(server.url());
  }

  static DomainCatalog catalogue() throws Exception {
    return DomainCatalog.load(List.of(Path.of(SubscriptionsApiIT.class.getResource("/domains/subscriptions.yaml").toURI())),
        List.of());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void theCatalogueTellsEachDimensionsType() throws Exception {
    JsonNode dimensions = api.get(BASE).json().path("dimensions");
    assertThat(dimensions.findValuesAsText("type")).containsExactly("enum", "text", "text");
    assertThat(texts(dimensions.get(0).path("values"))).containsExactly("subscribe", "renew", "cancel");
    assertThat(dimensions.get(1).path("max_length").asInt()).as("the field's max-length").isEqualTo(64);
    assertThat(dimensions.get(2).path("max_length").asInt()).as("a text key's length").isEqualTo(DomainCatalog.TEXT_KEY_CHARS);
    JsonNode jobAds = api.get("/api/v1/domains/job-ads").json().path("dimensions");
    assertThat(jobAds.findValuesAsText("type")).containsOnly("id");
  }

  @Test
  void theOpenApiDocumentDescribesTextAndEnumFilters() throws Exception {
    JsonNode kpis = api.get("/api/v1/openapi.json").json().path("paths").path(BASE + "/kpis").path("get").path("parameters");
    JsonNode event = parameter(kpis, "event");
    assertThat(event.path("schema").path("type").asText()).isEqualTo("array");
    assertThat(event.path("explode").asBoolean(true)).isFalse();
    assertThat(texts(event.path("schema").path("items").path("enum"))).containsExactly("subscribe", "renew", "cancel");
    JsonNode country = parameter(kpis, "country");
    assertThat(country.path("schema").path("type").asText()).isEqualTo("string");
    assertThat(country.path("schema").path("maxLength").asInt()).isEqualTo(64);
  }

  @Test
  void aTextFilterKeepsExactlyItsValue() throws Exception {
    assertThat(subscriptions("")).isEqualTo(24);
    assertThat(subscriptions("country=VN")).isEqualTo(14);
    assertThat(subscriptions("country=vn")).as("case counts").isEqualTo(2);
    assertThat(subscriptions("country=DE")).isEqualTo(8);
    assertThat(subscriptions("country=FR")).isZero();
    assertThat(subscriptions("country=" + URLEncoder.encode("Viet Nam / VN", StandardCharsets.UTF_8))).isZero();
    JsonNode reply = api.get(BASE + "/kpis?country=VN").json();
    assertThat(texts(reply.path("filters").path("country"))).containsExactly("VN");
    assertThat(reply.path("totals").path("revenue").decimalValue()).isEqualByComparingTo("180");
  }

  @Test
  void anEnumFilterKeepsTheListedValues() throws Exception {
    assertThat(subscriptions("event=cancel")).isEqualTo(3);
    assertThat(subscriptions("event=subscribe,renew")).isEqualTo(21);
    assertThat(subscriptions("event=subscribe&country=VN")).isEqualTo(10);
    JsonNode reply = api.get(BASE + "/kpis?event=renew,cancel").json();
    assertThat(texts(reply.path("filters").path("event"))).containsExactly("renew", "cancel");
  }

  @Test
  void aLongValueIsFoundByTheCharactersItWasStoredWith() throws Exception {
    String stored = TestWarehouse.LONG_PAGE.substring(0, DomainCatalog.TEXT_KEY_CHARS);
    assertThat(subscriptions("page=" + URLEncoder.encode(stored, StandardCharsets.UTF_8))).isEqualTo(5);
    ApiClient.Reply whole = api.get(BASE + "/kpis?page=" + URLEncoder.encode(TestWarehouse.LONG_PAGE, StandardCharsets.UTF_8));
    assertThat(whole.status()).isEqualTo(400);
    assertThat(whole.json().path("message").asText()).contains("page is at most 191 characters");
    JsonNode top = api.get(BASE + "/top/page?sort=subscriptions").json().path("rows");
    assertThat(top.findValuesAsText("id")).containsExactly("/pricing", "/account", stored);
  }

  @Test
  void topTablesAndGroupsShowTheTextValues() throws Exception {
    JsonNode countries = api.get(BASE + "/top/country?sort=subscriptions").json().path("rows");
    assertThat(countries.findValuesAsText("id")).containsExactly("VN", "DE", "vn");
    assertThat(countries.get(0).path("id").isTextual()).isTrue();
    assertThat(countries.get(0).path("name").isNull()).as("text has no name table").isTrue();
    assertThat(countries.get(0).path("subscriptions").asLong()).isEqualTo(14);
    JsonNode events = api.get(BASE + "/top/event?sort=subscriptions&country=VN").json().path("rows");
    assertThat(events.findValuesAsText("id")).containsExactly("subscribe", "renew");
    JsonNode days = api.get(BASE + "/facts?bucket=day&group_by=event&event=renew").json().path("rows");
    assertThat(days.findValuesAsText("event")).containsOnly("renew");
    assertThat(days.findValuesAsText("date")).containsExactly("2026-03-03");
    assertThat(api.get(BASE + "/dimensions/event").json().path("rows").findValuesAsText("id"))
        .containsExactly("subscribe", "renew", "cancel");
    assertThat(api.get(BASE + "/dimensions/country").json().path("rows").findValuesAsText("id")).containsExactly("DE", "VN", "vn");
  }

  @Test
  void badTextAndEnumValuesAreRefusedWithTheReason() throws Exception {
    ApiClient.Reply unknown = api.get(BASE + "/kpis?event=subscribe,upgrade");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().path("parameter").asText()).isEqualTo("event");
    assertThat(unknown.json().path("message").asText())
        .isEqualTo("event must be a comma-separated list of subscribe, renew, cancel, got 'upgrade'");
    ApiClient.Reply tooLong = api.get(BASE + "/kpis?country=" + "X".repeat(65));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().path("message").asText()).startsWith("country is at most 64 characters");
    ApiClient.Reply control = api.get(BASE + "/kpis?country=" + URLEncoder.encode("V\nN", StandardCharsets.UTF_8));
    assertThat(control.status()).isEqualTo(400);
    assertThat(control.json().path("message").asText()).contains("must not contain control characters");
    ApiClient.Reply twice = api.get(BASE + "/kpis?country=VN&country=DE");
    assertThat(twice.status()).isEqualTo(400);
  }

  @Test
  void injectedSqlIsAValueLikeAnyOther() throws Exception {
    for (String hostile : List.of("' OR 1=1 --", "VN' OR '1'='1", "\\' OR 1=1 #", "VN\" OR \"\"=\"")) {
      ApiClient.Reply reply = api.get(BASE + "/kpis?country=" + URLEncoder.encode(hostile, StandardCharsets.UTF_8));
      assertThat(reply.status()).as(hostile).isEqualTo(200);
      assertThat(reply.json().path("totals").path("subscriptions").asLong()).as(hostile).isZero();
      assertThat(api.get(BASE + "/top/country?country=" + URLEncoder.encode(hostile, StandardCharsets.UTF_8)).json()
          .path("rows")).as(hostile).isEmpty();
    }
    ApiClient.Reply enumInjection = api.get(BASE + "/kpis?event=" + URLEncoder.encode("cancel' OR 1=1 --", StandardCharsets.UTF_8));
    assertThat(enumInjection.status()).isEqualTo(400);
    assertThat(subscriptions("")).as("nothing was changed").isEqualTo(24);
  }

  private static long subscriptions(String query) throws Exception {
    ApiClient.Reply reply = api.get(BASE + "/kpis" + (query.isEmpty() ? "" : "?" + query));
    assertThat(reply.status()).as(query + ": " + reply.response().body()).isEqualTo(200);
    return reply.json().path("totals").path("subscriptions").asLong();
  }

  private static JsonNode parameter(JsonNode parameters, String name) {
    for (JsonNode p : parameters) {
      if (p.path("name").asText().equals(name)) return p;
    }
    throw new AssertionError("no parameter " + name + " in " + parameters);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
