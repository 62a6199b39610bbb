package io.trackpipe.cli.generate;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.collector.CollectorConfig;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.EventLimits;
import io.trackpipe.generator.CassandraEventSink;
import io.trackpipe.generator.EventSink;
import io.trackpipe.generator.GeneratorConfig;
import io.trackpipe.generator.GeneratorProgress;
import io.trackpipe.generator.GeneratorRun;
import io.trackpipe.generator.HttpEventSink;
import io.trackpipe.generator.JsonLinesSink;
import io.trackpipe.generator.KafkaEventSink;
import io.trackpipe.generator.RecordGenerator;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code trackpipe generate}: deterministic events of any domain into Kafka, a collector, Cassandra or a JSON-lines
 * file. Job ads have a realistic generator of their own; every other domain's events are made from its definition.
 */
@Command(name = "generate",
    header = "Generate deterministic events of a domain into Kafka, a collector, Cassandra, a file or stdout.",
    mixinStandardHelpOptions = true,
    description = {"Generate tracking events, plus optional duplicates, late and malformed records. The same --seed",
        "gives the same events.",
        "",
        "--domain job-ads (the default) makes realistic job-ad events: the seed's mix (click 70 %%, conversion,",
        "qualified, unqualified 10 %% each, about 9 impressions per click) over sample jobs and publishers.",
        "--domain ecommerce makes a shop's events: 500 products with realistic prices, sessions in which views lead",
        "to carts and purchases, and some returns; --rule-violations adds events that break its price rules.",
        "--domain clickstream makes a site's page views: visitors with a country, city, device, OS and browser",
        "visit a shop's site (entry pages, products, the cart-to-confirmation funnel, exits), seconds to minutes a",
        "page, and come back after 31 minutes to 4 days; realistic timing needs a rate (--rate), not --rate 0.",
        "Any other domain of the catalogue (the built-in ones and those of domain.definitions) gets events made from",
        "its definition: every value within its field's type and checks, a fresh id, the event time now (late ones",
        "up to generator.max-lateness before), a few partition-key values so that rollups group, its rules kept.",
        "Malformed records of such a domain are broken JSON, non-objects, wrong types, values out of range, missing",
        "required fields, unknown fields (when refused) and rule-breaking events (when it has rules)."},
    footer = {"", "Examples:", "  trackpipe generate --set kafka.bootstrap-servers=127.0.0.1:19092 --rate 5000 --duration 1m",
        "  trackpipe generate --to events.jsonl --count 100000 --rate 0 --malformed 0.01",
        "  trackpipe generate --to - --count 3        (prints to standard output)",
        "  trackpipe generate --to http://127.0.0.1:18080 --write-key … --rate 5000   (through the collector)",
        "  trackpipe generate --domain ecommerce --rate 100 --duplicates 0.01 --rule-violations 0.005",
        "  trackpipe generate --domain clickstream --rate 200 --late 0.02 --to -",
        "  trackpipe generate --set domain.definitions=signups.yaml --domain signups --to - --count 5",
        "  trackpipe generate --to cassandra --set rawstore.contact-points=127.0.0.1:19042 --count 100000 --rate 0"})
public final class GenerateCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec CommandSpec spec;

  @Option(names = "--domain", paramLabel = "NAME", defaultValue = DomainCatalog.JOB_ADS,
      description = "Whose events: a domain of the catalogue (default: ${DEFAULT-VALUE}; see domain.definitions).")
  String domainName;

  @Option(names = "--to", paramLabel = "TARGET", defaultValue = "kafka",
      description = "kafka (the domain's events topic at kafka.bootstrap-servers; job ads: kafka.topic.events), "
          + "http://host:port of a collector (POST /v1/events for job ads, /v1/DOMAIN/events for others), cassandra "
          + "(the domain's table in the raw store of rawstore.*; records the pipeline would reject are counted, not stored), a JSON-lines "
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
  @Option(names = "--rule-violations", paramLabel = "RATIO",
      description = "Share of events that break one of the domain's rules (e-commerce: the price rules).") Double ruleViolations;

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
    put(flags, GeneratorConfig.RULE_VIOLATION_RATIO.key(), ruleViolations);
    Configuration settings = config.load(flags);
    Domain domain = domain(DomainCatalog.from(settings));
    boolean jobAds = domain.name().equals(DomainCatalog.JOB_ADS);
    GeneratorConfig generator = GeneratorConfig.from(settings, SampleDimensions.generate(settings.get(GeneratorConfig.SEED)));
    boolean toKafka = target.equals("kafka");
    KafkaConfig kafka = toKafka ? KafkaConfig.from(settings).forDomain(domain) : null;
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
      sink = new HttpEventSink(URI.create(target), HttpEventSink.eventsPath(domain.name()), key, batch, 4);
    } else if (toCassandra) {
      sink = new CassandraEventSink(domain, rawStore, limits, Clock.systemUTC());
    } else if (toStdout) {
      sink = new JsonLinesSink(System.out, "standard output");
    } else {
      sink = JsonLinesSink.toFile(Path.of(target));
    }
    String destination = (toKafka ? "topic " + kafka.eventsTopic() + " at " + kafka.bootstrapServers()
        : toHttp ? ((HttpEventSink) sink).endpoint().toString()
        : toCassandra ? ((CassandraEventSink) sink).destination() : toStdout ? "standard output" : target)
        + (jobAds ? "" : " (domain " + domain.name() + ")");
    if (generator.maxEvents().isEmpty() && generator.maxDuration().isEmpty()) {
      status.println("Generating into " + destination + " until Ctrl-C (or set --count / --duration).");
    }
    RecordGenerator records = RecordGenerator.forDomain(domain, generator, settings.get(StreamConfig.TIME_ZONE));
    GeneratorRun run = new GeneratorRun(records, sink, Clock.systemUTC());
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

  /** The --domain of the catalogue; another name is a usage error listing the known ones. */
  private Domain domain(DomainCatalog catalog) {
    return catalog.domain(domainName).orElseThrow(() -> new ParameterException(spec.commandLine(),
        "Unknown domain '" + domainName + "'. Known domains: " + String.join(", ", catalog.names())
            + " (add your own with --set " + DomainCatalog.DEFINITIONS.key() + "=FILE.yaml)"));
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
