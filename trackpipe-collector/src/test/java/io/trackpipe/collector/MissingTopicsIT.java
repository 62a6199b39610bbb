package io.trackpipe.collector;

import static io.trackpipe.collector.CollectorClient.json;
import static io.trackpipe.collector.CollectorClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.DomainTopics;
import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.event.EventLimits;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A routed domain whose topics nobody created yet (the stream creates a domain's topics when it starts streaming it)
 * is refused alone, with a clear 503, while the other domains take events; once its topics exist it takes events too.
 */
class MissingTopicsIT {
  private static final String SHOP_EVENT = "{\"user_id\":7,\"type_of_event\":\"view\",\"timestamp\":\"%s\","
      + "\"product_id\":3,\"price\":0}";

  @Test
  void aDomainWithoutTopicsIsRefusedAloneAndTakesEventsOnceTheyExist() throws Exception {
    String bootstrap = EmbeddedStack.shared().kafka().bootstrapServers();
    KafkaConfig jobAds = TestTopics.create(bootstrap);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    DomainTopics shopTopics = new DomainTopics("collector-it-shop-" + suffix, "collector-it-shop-dead-letter-" + suffix);
    List<Domain> domains = DomainCatalog.load(List.of(), List.of()).only(List.of(DomainCatalog.JOB_ADS, "ecommerce"))
        .domains().stream().map(d -> d.name().equals("ecommerce") ? d.withTopics(shopTopics) : d).toList();

    try (Collector collector = Collector.start(CollectorIT.config(List.of()), jobAds, EventLimits.DEFAULT,
        new DomainCatalog(domains))) {
      CollectorClient client = new CollectorClient(collector.url(), CollectorIT.WRITE_KEY);
      String shopEvent = String.format(SHOP_EVENT, Instant.now().truncatedTo(ChronoUnit.MILLIS));

      HttpResponse<byte[]> refused = postShop(client, shopEvent);
      assertThat(refused.statusCode()).as(text(refused.body())).isEqualTo(503);
      assertThat(json(refused).get("error").asText()).isEqualTo("topics_missing");
      assertThat(json(refused).get("message").asText()).contains("domain 'ecommerce'").contains("do not exist");
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();

      HttpResponse<byte[]> jobAd = client.post("{\"create_time\":\"m-1\",\"ts\":\"" + Instant.now() + "\",\"job_id\":5}");
      assertThat(jobAd.statusCode()).as(text(jobAd.body())).isEqualTo(200);
      assertThat(json(jobAd).get("accepted").asInt()).isEqualTo(1);
      assertThat(TestTopics.readAll(bootstrap, jobAds.eventsTopic(), 1)).hasSize(1);

      HttpResponse<byte[]> health = client.get("/health");
      assertThat(health.statusCode()).isEqualTo(200);
      JsonNode body = json(health);
      assertThat(body.get("kafka").asText()).isEqualTo("reachable");
      assertThat(body.get("topics_missing").toString()).isEqualTo("[\"ecommerce\"]");

      KafkaTopics.ensureExist(KafkaConfig.plaintext(bootstrap, shopTopics.events(), shopTopics.deadLetters(),
          TestTopics.PARTITIONS, (short) 1));
      HttpResponse<byte[]> taken = waitFor200(client, shopEvent);
      assertThat(json(taken).get("accepted").asInt()).isEqualTo(1);
      assertThat(TestTopics.readAll(bootstrap, shopTopics.events(), 1)).extracting(r -> text(r.value()))
          .containsExactly(shopEvent);
      assertThat(json(client.get("/health")).has("topics_missing")).isFalse();
    }
  }

  private static HttpResponse<byte[]> postShop(CollectorClient client, String event) {
    return client.send(client.request("/v1/ecommerce/events").header(CollectorClient.KEY_HEADER, CollectorIT.WRITE_KEY)
        .POST(HttpRequest.BodyPublishers.ofString(event)));
  }

  /** The probe looks every second: the new topics are seen within a few. */
  private static HttpResponse<byte[]> waitFor200(CollectorClient client, String event) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      HttpResponse<byte[]> response = postShop(client, event);
      if (response.statusCode() == 200 || System.nanoTime() > deadline) {
        assertThat(response.statusCode()).as(text(response.body())).isEqualTo(200);
        return response;
      }
      Thread.sleep(250);
    }
  }
}
