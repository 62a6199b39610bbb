package io.trackpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real OpenSearch starts and resumes; what the indexer does with it is tested in trackpipe-search. */
class EmbeddedOpenSearchIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void stopsANodeLeftRunningOnTheSameFolderAndResumesItsIndices(@TempDir Path dir) throws Exception {
    EmbeddedOpenSearch orphan = EmbeddedOpenSearch.start(dir, 0);
    long orphanPid = orphan.pid();
    assertThat(get(orphan.url() + "/").body()).contains("\"distribution\" : \"opensearch\"").contains("\"number\" : \"2.");
    assertThat(send(orphan.url() + "/kept", "PUT", "{\"mappings\":{\"properties\":{\"n\":{\"type\":\"long\"}}}}").statusCode())
        .isEqualTo(200);
    assertThat(send(orphan.url() + "/kept/_doc/1?refresh=true", "PUT", "{\"n\":7}").statusCode()).isEqualTo(201);
    assertThat(Files.readString(dir.resolve("opensearch.pid")).trim()).isEqualTo(Long.toString(orphanPid));
    // The handle is dropped without close(), as after a SIGKILLed parent: the same port and folder must still work.
    try (EmbeddedOpenSearch server = EmbeddedOpenSearch.start(dir, orphan.port())) {
      assertThat(ProcessHandle.of(orphanPid)).isEmpty();
      assertThat(server.pid()).isNotEqualTo(orphanPid);
      assertThat(get(server.url() + "/kept/_doc/1").body()).contains("\"n\":7");
      assertThat(send(server.url() + "/undeclared/_doc/1", "PUT", "{\"n\":1}").statusCode())
          .as("indices are never created implicitly, with a guessed mapping").isEqualTo(404);
      orphan.close(); // harmless now, and must not touch the new server's pid file
      assertThat(Files.readString(dir.resolve("opensearch.pid")).trim()).isEqualTo(Long.toString(server.pid()));
    }
    assertThat(dir.resolve("opensearch.pid")).doesNotExist();
  }

  @Test
  void reportsWhyTheNodeCannotStart(@TempDir Path dir) throws Exception {
    // The node keeps an opensearch.yml a user may edit; a key OpenSearch does not know stops it at start-up.
    Path config = Files.createDirectories(dir.resolve("node_1").resolve("config"));
    Files.writeString(config.resolve("opensearch.yml"), "no.such.setting: 1\n");
    ChildJvmOptions options = EmbeddedOpenSearch.defaultOptions().withStartTimeout(Duration.ofSeconds(90));
    assertThatThrownBy(() -> EmbeddedOpenSearch.start(dir, options))
        .isInstanceOf(EmbeddedServerException.class)
        .hasMessageContaining("OpenSearch server exited with code 3")
        .hasMessageContaining("unknown setting [no.such.setting]");
    assertThat(dir.resolve("opensearch.pid")).doesNotExist();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(String url, String method, String json) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
