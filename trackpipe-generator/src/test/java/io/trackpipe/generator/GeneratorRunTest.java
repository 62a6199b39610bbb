package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.trackpipe.dimension.Dimensions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GeneratorRunTest {
  private static final Dimensions DIMENSIONS = SampleDimensions.generate(1, 5, 50, 3);
  private static final Instant START = Instant.parse("2024-05-01T00:00:00Z");

  @Test
  void sendsTenEventsPerSecondAndReportsEverySecond() {
    SimulatedClock clock = new SimulatedClock(START);
    RecordingSink sink = new RecordingSink();
    List<GeneratorProgress> reports = new ArrayList<>();
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).eventsPerSecond(10)
        .maxDuration(Duration.ofSeconds(10)).build();

    GeneratorProgress result = new GeneratorRun(new EventGenerator(config), sink, clock, clock).run(reports::add);

    assertThat(result.status()).isEqualTo(GeneratorProgress.Status.MAX_DURATION_REACHED);
    assertThat(result.total()).isEqualTo(100);
    assertThat(result.elapsed()).isEqualTo(Duration.ofSeconds(10));
    assertThat(result.averageEventsPerSecond()).isCloseTo(10, within(0.01));
    assertThat(sink.records).hasSize(100);
    assertThat(sink.flushes).isEqualTo(1);
    // Events are spread over the second, not sent in one burst: one sleep per event.
    assertThat(clock.sleeps()).isBetween(99L, 101L);
    assertThat(reports).hasSize(9).allSatisfy(report -> {
      assertThat(report.status()).isEqualTo(GeneratorProgress.Status.RUNNING);
      assertThat(report.currentEventsPerSecond()).isCloseTo(10, within(0.01));
    });
    assertThat(reports).extracting(GeneratorProgress::elapsed)
        .containsExactly(seconds(1), seconds(2), seconds(3), seconds(4), seconds(5), seconds(6), seconds(7), seconds(8),
            seconds(9));
  }

  @Test
  void sendsTwoHundredThousandPerSecondInMillisecondBurstsWithoutSpinning() {
    SimulatedClock clock = new SimulatedClock(START);
    CountingSink sink = new CountingSink();
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).eventsPerSecond(200_000)
        .maxDuration(Duration.ofSeconds(2)).build();

    GeneratorProgress result = new GeneratorRun(new EventGenerator(config), sink, clock, clock).run(report -> { });

    assertThat(result.total()).isCloseTo(400_000, within(400L));
    assertThat(sink.count).isEqualTo(result.total());
    // Sleeps of about a millisecond each: the loop waits instead of polling the clock.
    assertThat(clock.sleeps()).isBetween(1_900L, 2_100L);
  }

  @Test
  void roughlyRespectsTheRateOnTheRealClock() {
    CountingSink sink = new CountingSink();
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).eventsPerSecond(2_000)
        .maxDuration(Duration.ofMillis(1_500)).build();

    long started = System.nanoTime();
    GeneratorProgress result = new GeneratorRun(new EventGenerator(config), sink, InstantSource.system()).run(r -> { });
    double seconds = (System.nanoTime() - started) / 1e9;

    assertThat(result.status()).isEqualTo(GeneratorProgress.Status.MAX_DURATION_REACHED);
    assertThat(seconds).isBetween(1.4, 3.0);
    assertThat(result.total()).isBetween(2_400L, 3_300L);
  }

  @Test
  void stopsAfterMaxEventsAndCountsEachKind() {
    RecordingSink sink = new RecordingSink();
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).eventsPerSecond(0).maxEvents(5_000)
        .duplicateRatio(0.1).lateRatio(0.1).malformedRatio(0.1).build();

    GeneratorProgress result =
        new GeneratorRun(new EventGenerator(config), sink, new SimulatedClock(START)).run(report -> { });

    assertThat(result.status()).isEqualTo(GeneratorProgress.Status.MAX_EVENTS_REACHED);
    assertThat(sink.records).hasSize(5_000);
    for (GeneratedRecord.Kind kind : GeneratedRecord.Kind.values()) {
      assertThat(result.count(kind)).as(kind.name()).isEqualTo(sink.count(kind)).isPositive();
    }
    assertThat(sink.flushes).isEqualTo(1);
    assertThat(sink.closed).as("the caller owns the sink").isFalse();
    assertThat(result.summary()).startsWith("5,000 records in 0.0 s (").endsWith("max events reached");
  }

  @Test
  void sendsTheSameRecordsAsTheGeneratorWouldForTheSameClock() {
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).eventsPerSecond(100).maxEvents(300)
        .lateRatio(0.1).build();
    SimulatedClock clock = new SimulatedClock(START);
    RecordingSink sink = new RecordingSink();
    new GeneratorRun(new EventGenerator(config), sink, clock, clock).run(report -> { });

    // Every event's time is a clock reading, so replaying the readings reproduces the run.
    EventGenerator replay = new EventGenerator(config);
    for (int i = 0; i < sink.records.size(); i++) {
      assertThat(replay.next(START.plusMillis(10L * i))).isEqualTo(sink.records.get(i));
    }
  }

  @Test
  void stopEndsTheRunAfterTheRecordInHand() {
    AtomicReference<GeneratorRun> run = new AtomicReference<>();
    AtomicLong sent = new AtomicLong();
    RecordingSink sink = new RecordingSink(record -> {
      if (sent.incrementAndGet() == 500) {
        run.get().stop();
      }
    });
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).eventsPerSecond(0).build();
    run.set(new GeneratorRun(new EventGenerator(config), sink, new SimulatedClock(START)));

    GeneratorProgress result = run.get().run(report -> { });

    assertThat(result.status()).isEqualTo(GeneratorProgress.Status.STOPPED);
    assertThat(result.total()).isEqualTo(500);
    assertThat(sink.flushes).isEqualTo(1);
  }

  @Test
  void interruptStopsASleepingRunWhichFlushesAndKeepsTheInterrupt() throws Exception {
    RecordingSink sink = new RecordingSink();
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).eventsPerSecond(1).build();
    AtomicReference<GeneratorProgress> result = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread thread = new Thread(() -> {
      result.set(new GeneratorRun(new EventGenerator(config), sink, InstantSource.system()).run(report -> { }));
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });

    thread.start();
    Thread.sleep(300);
    thread.interrupt();
    thread.join(5_000);

    assertThat(thread.isAlive()).isFalse();
    assertThat(result.get().status()).isEqualTo(GeneratorProgress.Status.STOPPED);
    assertThat(result.get().total()).isEqualTo(1);
    assertThat(sink.flushes).isEqualTo(1);
    assertThat(stillInterrupted).isTrue();
  }

  @Test
  void sinkFailuresReachTheCaller() {
    EventSink failing = new RecordingSink(record -> {
      throw new EventSinkException("broker gone", null);
    });
    GeneratorConfig config = GeneratorConfig.builder(DIMENSIONS).eventsPerSecond(0).maxEvents(10).build();

    assertThatThrownBy(() -> new GeneratorRun(new EventGenerator(config), failing, new SimulatedClock(START)).run(r -> { }))
        .isInstanceOf(EventSinkException.class).hasMessage("broker gone");
  }

  private static Duration seconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  /** Counts without keeping records, for runs of hundreds of thousands. */
  private static final class CountingSink implements EventSink {
    long count;

    @Override
    public void send(GeneratedRecord record) {
      count++;
    }

    @Override
    public void flush() { }

    @Override
    public void close() { }
  }
}
