package io.trackpipe.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.embedded.EmbeddedStack;
import io.trackpipe.event.EventLimits;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.EventSink;
import io.trackpipe.generator.GeneratedRecord;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.GeneratorProgress;
import io.trackpipe.generator.GeneratorRun;
import io.trackpipe.generator.HttpEventSink;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.kafka.KafkaConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code trackpipe generate --to http://…}: generated traffic, bad records included, posted through a real collector. */
class GeneratorThroughCollectorIT {

  @Test
  void everyGeneratedRecordEndsUpAcceptedOrAsADeadLetterAndValidOnesAsSent() throws Exception {
    KafkaConfig kafka = TestTopics.create(EmbeddedStack.shared().kafka().bootstrapServers());
    GeneratorConfig config = GeneratorConfig.builder(SampleDimensions.generate(5)).eventsPerSecond(0).maxEvents(5_000)
        .duplicateRatio(0.02).lateRatio(0.05).malformedRatio(0.05).build();
    List<GeneratedRecord> sent = new ArrayList<>();

    // Generated events are about 700 bytes: 100 of them are more than the other tests' 64 KiB limit.
    CollectorConfig collectorConfig = new CollectorConfig("127.0.0.1", 0, List.of(CollectorIT.WRITE_KEY), List.of(),
        512 * 1024, 1000, java.time.Duration.ofSeconds(5), 16L * 1024 * 1024, java.time.Duration.ofSeconds(10),
        java.time.Duration.ofSeconds(10), 64);
    try (Collector collector = Collector.start(collectorConfig, kafka, EventLimits.DEFAULT,
        TestDomains.JOB_ADS);
        HttpEventSink http = new HttpEventSink(collector.url(), CollectorIT.WRITE_KEY, 100, 4)) {
      EventSink recording = new EventSink() {
        @Override
        public void send(GeneratedRecord record) {
          sent.add(record);
          http.send(record);
        }

        @Override
        public void flush() {
          http.flush();
        }

        @Override
        public void close() {
          http.close();
        }
      };
      GeneratorProgress done = new GeneratorRun(new EventGenerator(config), recording, Clock.systemUTC()).run(p -> { });
      assertThat(done.total()).isEqualTo(5_000);
      assertThat(done.malformed()).isGreaterThan(0);
    }

    List<String> events = TestTopics.readAll(kafka.bootstrapServers(), kafka.eventsTopic(), 4_000).stream()
        .map(r -> Base64.getEncoder().encodeToString(r.value())).toList();
    int deadLetters = TestTopics.readAll(kafka.bootstrapServers(), kafka.deadLetterTopic(), 1).size();
    assertThat(events.size() + deadLetters).as("nothing lost, nothing doubled").isEqualTo(5_000);
    List<String> wellFormed = sent.stream().filter(r -> r.kind() != GeneratedRecord.Kind.MALFORMED)
        .map(r -> Base64.getEncoder().encodeToString(r.value())).toList();
    assertThat(events).as("valid, late and duplicate records arrive byte for byte").containsAll(wellFormed);
    assertThat(deadLetters).isPositive();
  }
}
