package io.trackpipe.collector;

import static io.trackpipe.collector.CollectorClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackpipe.embedded.EmbeddedKafka;
import io.trackpipe.event.EventLimits;
import io.trackpipe.kafka.KafkaConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker of its own, stopped and started again under a running collector. */
class KafkaOutageIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(2);

  @TempDir Path dir;

  @Test
  void whileKafkaIsDownRequestsAre503QuicklyAndTheCollectorRecoversByItselfWhenItReturns() throws Exception {
    EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults();
    EmbeddedKafka kafka = EmbeddedKafka.start(dir, options);
    int port = kafka.port();
    KafkaConfig topics = TestTopics.create(kafka.bootstrapServers());
    CollectorConfig config = new CollectorConfig("127.0.0.1", 0, List.of(CollectorIT.WRITE_KEY), List.of(), 64 * 1024, 100,
        KAFKA_TIMEOUT, 1024L * 1024, Duration.ofSeconds(5), Duration.ofSeconds(10), 64);
    List<String> acknowledged = new ArrayList<>();
    try (Collector collector = Collector.start(config, topics, EventLimits.DEFAULT, TestDomains.JOB_ADS)) {
      CollectorClient client = new CollectorClient(collector.url(), CollectorIT.WRITE_KEY);
      assertThat(post(client, "before", acknowledged).statusCode()).isEqualTo(200);

      kafka.close();
      long start = System.nanoTime();
      HttpResponse<byte[]> during = post(client, "during-0", acknowledged);
      long firstMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(during.statusCode()).isEqualTo(503);
      assertThat(firstMillis).as("the first request after the outage waits at most the Kafka time-out")
          .isLessThan(KAFKA_TIMEOUT.toMillis() + 1500);
      assertThat(json(during).get("error").asText()).isEqualTo("kafka_unavailable");
      assertThat(during.headers().firstValue("Retry-After")).contains("1");

      long quick = System.nanoTime();
      for (int i = 1; i <= 20; i++) {
        assertThat(post(client, "during-" + i, acknowledged).statusCode()).isEqualTo(503);
      }
      assertThat((System.nanoTime() - quick) / 1_000_000 / 20).as("later requests are refused at once, in ms")
          .isLessThan(100);
      HttpResponse<byte[]> health = client.get("/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(json(health).get("status").asText()).isEqualTo("down");

      kafka = EmbeddedKafka.start(dir, options.withPort(port));
      int[] attempt = {0};
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
          assertThat(post(client, "recovering-" + attempt[0]++, acknowledged).statusCode()).isEqualTo(200));
      for (int i = 0; i < 5; i++) {
        assertThat(post(client, "after-" + i, acknowledged).statusCode()).isEqualTo(200);
      }
      assertThat(client.get("/health").statusCode()).isEqualTo(200);
    } finally {
      kafka.close();
    }

    try (EmbeddedKafka again = EmbeddedKafka.start(dir, options.withPort(port))) {
      Set<String> stored = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> record : TestTopics.readAll(again.bootstrapServers(), topics.eventsTopic(),
          acknowledged.size())) {
        stored.add(MAPPER.readTree(record.value()).get("create_time").asText());
      }
      assertThat(stored).as("every acknowledged event is stored").containsAll(acknowledged);
    }
  }

  /** Posts ten events; remembers their ids when the collector acknowledged them. */
  private static HttpResponse<byte[]> post(CollectorClient client, String batch, List<String> acknowledged) {
    List<String> ids = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      String id = batch + "/" + i;
      ids.add(id);
      body.append(CollectorIT.event(id, i, "")).append('\n');
    }
    HttpResponse<byte[]> response = client.post(body.toString());
    if (response.statusCode() == 200) acknowledged.addAll(ids);
    return response;
  }
}
