package io.trackpipe.cli.generate;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.collector.CollectorConfig;
import io.trackpipe.config.Configuration;
import io.trackpipe.event.EventLimits;
import io.trackpipe.generator.CassandraEventSink;
import io.trackpipe.generator.EventGenerator;
import io.trackpipe.generator.EventSink;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.GeneratorProgress;
import io.trackpipe.generator.GeneratorRun;
import io.trackpipe.generator.HttpEventSink;
import io.trackpipe.generator.JsonLinesSink;
import io.trackpipe.generator.KafkaEventSink;
import io.trackpipe.generator.SampleDimensions;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.spark.stream.StreamConfig;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trackpipe generate}: deterministic job-ad tracking events into Kafka, a collector, Cassandra or a JSON-lines file. */
@Command(name = "generate",
    header = "Generate deterministic job-ad events into Kafka, a collector, Cassandra, a file or stdout.",
    mixinStandardHelpOptions = true,
    description = {"Generate job-ad tracking events: the seed's mix (click 70 %%, conversion, qualified, unqualified",
        "10 %% each) plus optional duplicates, late and malformed records. The same --seed gives the same events."},
    footer = {"", "Examples:", "  trackpipe generate --set kafka.bootstrap-servers=127.0.0.1:19092 --rate 5000 --duration 1m",
        "  trackpipe generate --to events.jsonl --count 100000 --rate 0 --malformed 0.01",
        "  trackpipe generate --to - --count 3        (prints to standard output)",
        "  trackpipe generate --to http://127.0.0.1:18080 --write-key … --rate 5000   (through the collector)",
        "  trackpipe generate --to cassandra --set rawstore.contact-points=127.0.0.1:19042 --count 100000 --rate 0"})
public final class GenerateCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Option(names = "--to", paramLabel = "TARGET", defaultValue = "kafka",
      description = "kafka (the events topic of kafka.bootstrap-servers), http://host:port of a collector, cassandra "
          + "(the raw store of rawstore.*; records the pipeline would reject are counted, not stored), a JSON-lines "
          + "file path, or - for standard output.")
  String target;

  @Option(names = "--write-key", paramLabel = "KEY",
      description = "Write key for --to http://… (default: the first of collector.write-keys).")
  String writeKey;

  @Option(names = "--batch", paramLabel = "EVENTS", defaultValue = "100",
      description = "Events per request for --to http://… (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--seed", description = "Random seed (generator.seed).") Long seed;
  @Option(names = "--rate", paramLabel = "PER_SECOND", description = "Events per second, 0 = as fast as possible.") Double rate;
  @Option(names = "--count", description = "Stop after this many records.") Long count;
  @Option(names = "--duration", description = "Stop after this long, e.g. 30s, 5m.") String duration;
  @Option(names = "--duplicates", paramLabel = "RATIO", description = "Share of records that re-send an earlier event.") Double duplicates;
  @Option(names = "--late", paramLabel = "RATIO", description = "Share of events with an event time in the past.") Double late;
  @Option(names = "--malformed", paramLabel = "RATIO", description = "Share of bad records (for dead-letter testing).") Double malformed;

  @Override
  public Integer call() throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    put(flags, GeneratorConfig.SEED.key(), seed);
    put(flags, GeneratorConfig.EVENTS_PER_SECOND.key(), rate);
    put(flags, GeneratorConfig.MAX_EVENTS.key(), count);
    put(flags, GeneratorConfig.MAX_DURATION.key(), duration);
    put(flags, GeneratorConfig.DUPLICATE_RATIO.key(), duplicates);
    put(flags, GeneratorConfig.LATE_RATIO.key(), late);
    put(flags, GeneratorConfig.MALFORMED_RATIO.key(), malformed);
    Configuration settings = config.load(flags);
    GeneratorConfig generator = GeneratorConfig.from(settings, SampleDimensions.generate(settings.get(GeneratorConfig.SEED)));
    boolean toKafka = target.equals("kafka");
    KafkaConfig kafka = toKafka ? KafkaConfig.from(settings) : null;
    boolean toHttp = target.startsWith("http://") || target.startsWith("https://");
    String key = toHttp ? httpWriteKey(settings) : null;
    boolean toCassandra = target.equals("cassandra");
    RawStoreConfig rawStore = toCassandra ? RawStoreConfig.from(settings) : null;
    EventLimits limits = toCassandra ? StreamConfig.from(settings).eventLimits() : null;
    settings.throwIfInvalid();

    boolean toStdout = target.equals("-");
    PrintStream status = toStdout ? System.err : System.out;
    EventSink sink;
    if (toKafka) {
      KafkaTopics.ensureExist(kafka);
      sink = KafkaEventSink.forEvents(kafka);
    } else if (toHttp) {
      sink = new HttpEventSink(URI.create(target), key, batch, 4);
    } else if (toCassandra) {
      sink = new CassandraEventSink(io.trackpipe.domain.DomainCatalog.from(settings).jobAds(), rawStore, limits,
          Clock.systemUTC());
    } else if (toStdout) {
      sink = new JsonLinesSink(System.out, "standard output");
    } else {
      sink = JsonLinesSink.toFile(Path.of(target));
    }
    String destination = toKafka ? "topic " + kafka.eventsTopic() + " at " + kafka.bootstrapServers()
        : toHttp ? ((HttpEventSink) sink).endpoint().toString()
        : toCassandra ? ((CassandraEventSink) sink).destination() : target;
    if (generator.maxEvents().isEmpty() && generator.maxDuration().isEmpty()) {
      status.println("Generating into " + destination + " until Ctrl-C (or set --count / --duration).");
    }
    GeneratorRun run = new GeneratorRun(new EventGenerator(generator), sink, Clock.systemUTC());
    Thread hook = new Thread(run::stop, "trackpipe-generate-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean interactive = System.console() != null && !toStdout;
    GeneratorProgress last;
    try (sink) {
      last = run.run(p -> {
        String line = String.format(Locale.ROOT, "%,d records (%,d duplicates, %,d late, %,d malformed) %,.0f/s",
            p.total(), p.duplicates(), p.late(), p.malformed(), p.currentEventsPerSecond());
        if (interactive) {
          status.print("\r" + line + "   ");
        } else if (p.elapsed().toSeconds() % 10 == 0) {
          status.println(line);
        }
      });
    }
    if (interactive) status.println();
    status.println("Done: " + last.summary() + " → " + destination);
    if (sink instanceof CassandraEventSink cassandra) {
      long notStored = cassandra.rejectedByReason().values().stream().mapToLong(Long::longValue).sum();
      status.printf(Locale.ROOT, "Cassandra: %,d records written (copies rewrite their event's row); %,d not stored because "
          + "the pipeline rejects them%s%n", cassandra.stored(), notStored,
          notStored == 0 ? "" : " " + cassandra.rejectedByReason());
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // Ctrl-C: the hook is already running.
    }
    return ExitCodes.OK;
  }

  /** --write-key, else the first configured key; a missing key is a configuration problem like any other. */
  private String httpWriteKey(Configuration settings) {
    if (writeKey != null) return writeKey;
    String keys = settings.get(CollectorConfig.WRITE_KEYS);
    settings.check(keys != null, "--to " + target + " needs a write key: --write-key KEY, or set "
        + CollectorConfig.WRITE_KEYS.key());
    return keys == null ? null : keys.split(",")[0].trim();
  }

  private static void put(Map<String, String> flags, String key, Object value) {
    if (value != null) flags.put(key, String.valueOf(value));
  }
}
