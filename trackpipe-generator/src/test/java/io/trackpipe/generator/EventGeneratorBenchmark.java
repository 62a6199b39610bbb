package io.trackpipe.generator;

import java.time.Duration;
import java.io.OutputStream;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;

/**
 * Measures how many records per second one generator makes on one core, alone and through a run into a sink. Run from the test
 * classpath: {@code java -cp <test classpath> io.trackpipe.generator.EventGeneratorBenchmark [seconds]}.
 */
public final class EventGeneratorBenchmark {
  public static void main(String[] args) {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
    GeneratorConfig config = GeneratorConfig.builder(SampleDimensions.generate(1))
        .duplicateRatio(0.01).lateRatio(0.05).malformedRatio(0.001).build();
    EventGenerator generator = new EventGenerator(config);
    Instant time = Instant.parse("2024-05-01T00:00:00Z");
    // Warm-up, so the JIT has compiled the hot path before we measure.
    for (int i = 0; i < 2_000_000; i++) {
      generator.next(time.plusNanos(i * 1000L));
    }
    long records = 0;
    long bytes = 0;
    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      for (int i = 0; i < 10_000; i++) {
        // A microsecond per record: the timestamp moves as it would at a million events per second.
        bytes += generator.next(time.plusNanos(records * 1000L)).value().length;
        records++;
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "generator alone: %,d records in %.1f s: %,.0f records/s, %.1f MB/s, %.0f bytes/record%n",
        records, elapsed, records / elapsed, bytes / elapsed / 1e6, (double) bytes / records);

    // The whole loop as the CLI runs it: unpaced GeneratorRun, real clock, JSON lines into a discarding stream.
    GeneratorConfig unpaced = config.toBuilder().eventsPerSecond(0).maxDuration(Duration.ofSeconds(seconds)).build();
    try (JsonLinesSink sink = new JsonLinesSink(OutputStream.nullOutputStream(), "nothing")) {
      GeneratorProgress result = new GeneratorRun(new EventGenerator(unpaced), sink, InstantSource.system()).run(r -> { });
      System.out.println("GeneratorRun into JsonLinesSink: " + result.summary());
    }
  }
}
