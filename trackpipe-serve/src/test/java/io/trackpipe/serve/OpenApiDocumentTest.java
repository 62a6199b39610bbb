package io.trackpipe.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.serve.api.ApiRoutes;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAPI document describes exactly the API's routes. */
class OpenApiDocumentTest {

  @Test
  void listsEveryRouteAndNoOther() throws Exception {
    JsonNode doc;
    try (InputStream in = ApiRoutes.class.getResourceAsStream("openapi.json")) {
      doc = new ObjectMapper().readTree(in);
    }
    assertThat(doc.path("openapi").asText()).startsWith("3.");
    List<String> paths = new ArrayList<>();
    doc.path("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths).containsExactlyInAnyOrderElementsOf(ApiRoutes.ROUTES);
    doc.path("paths").forEach(route -> {
      assertThat(route.has("get")).isTrue();
      assertThat(route.path("get").path("responses").has("400")).isTrue();
    });
  }
}
