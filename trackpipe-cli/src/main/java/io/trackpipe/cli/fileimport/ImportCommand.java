package io.trackpipe.cli.fileimport;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.collector.Collector;
import io.trackpipe.collector.CollectorConfig;
import io.trackpipe.collector.fileimport.CsvHeader;
import io.trackpipe.collector.fileimport.CsvSource;
import io.trackpipe.collector.fileimport.EventSource;
import io.trackpipe.collector.fileimport.FileImport;
import io.trackpipe.collector.fileimport.ImportSummary;
import io.trackpipe.collector.fileimport.JsonLinesSource;
import io.trackpipe.collector.fileimport.LineReader;
import io.trackpipe.collector.ingest.ContentIds;
import io.trackpipe.collector.ingest.DomainIngestion;
import io.trackpipe.collector.ingest.EventIntake;
import io.trackpipe.collector.ingest.TextEvent;
import io.trackpipe.collector.kafka.EventPublisher;
import io.trackpipe.collector.kafka.KafkaAvailability;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.EventLimits;
import io.trackpipe.kafka.KafkaConfig;
import io.trackpipe.kafka.KafkaTopics;
import io.trackpipe.spark.stream.StreamConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code trackpipe import}: files of events (CSV or JSON lines) into a domain, through the collector's intake: the same
 * checks, the same Kafka topics, every rejected line a dead letter with its line number and reason.
 */
@Command(name = "import",
    header = "Load files of events (CSV or JSON lines) into a domain, checked as the collector checks them.",
    mixinStandardHelpOptions = true,
    description = {"Read events from files (or - for standard input) and send them to the domain's events topic, each",
        "checked as the collector checks a posted event. Every line that is not a valid event goes to the domain's",
        "dead-letter topic with its reason and its place (header trackpipe.source = import:FILE#LINE): nothing is",
        "dropped silently. Needs kafka.bootstrap-servers.",
        "",
        "Formats (--format, else from the file's extension):",
        "  csv    .csv: a header row naming the domain's fields, then one event per record (RFC 4180: values may be",
        "         quoted, with \"\" for a quote and commas or line ends inside). Each value takes its field's type;",
        "         an empty cell is a field not sent. The header is checked before anything is sent: an unknown column",
        "         (when the domain refuses unknown fields), a column named twice, or a missing required field stops",
        "         the import with exit code 1. A line with bad quoting or another number of values is a",
        "         malformed_csv dead letter.",
        "  jsonl  .jsonl, .ndjson, .json: one JSON object per line.",
        "A line over 64 KiB is a too_large dead letter keeping its first 1 KiB. Blank lines are skipped.",
        "",
        "Events without an id, in a domain whose id says when-missing: assign, get one derived from their content",
        "(not a random one), so a file imported twice is counted once downstream; an event without its time, in a",
        "domain that says when-missing: arrival, gets the time of the import.",
        "",
        "Exit codes: 0 imported (rejected lines, if any, are in the dead-letter topic and counted in the summary);",
        "1 an input cannot be read, a CSV header does not fit the domain, or Kafka did not acknowledge;",
        "2 usage; 3 configuration; 5 more lines rejected than --max-rejected (the import stops at that line)."},
    footer = {"", "Examples:",
        "  trackpipe import --domain job-ads --set kafka.bootstrap-servers=kafka-1:9092 events.csv",
        "  trackpipe import --domain shop --max-rejected 0 --config prod.yaml random.csv",
        "  zcat events.jsonl.gz | trackpipe import --domain job-ads --format jsonl -",
        "", "See docs/import.md."})
public final class ImportCommand implements Callable<Integer> {
  /** Standard input, as a FILE argument. */
  static final String STDIN = "-";

  enum Format { csv, jsonl }

  @Mixin ConfigOptions config;
  @Spec CommandSpec spec;

  @Option(names = "--domain", paramLabel = "NAME", required = true,
      description = "The domain the events belong to: one of the catalogue (job-ads, and those of domain.definitions).")
  String domainName;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "csv or jsonl, for every input (default: from each file's extension; required for -).")
  Format format;

  @Option(names = "--max-rejected", paramLabel = "N",
      description = "Stop with exit code 5 once more than N lines are rejected (default: no limit).")
  Long maxRejected;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Files to import in order; - reads standard input.")
  List<String> files;

  @Override
  public Integer call() throws Exception {
    if (maxRejected != null && maxRejected < 0) {
      throw new ParameterException(spec.commandLine(), "--max-rejected must be 0 or more, got " + maxRejected);
    }
    if (files.stream().filter(STDIN::equals).count() > 1) {
      throw new ParameterException(spec.commandLine(), "standard input (-) can be read once only");
    }
    Configuration settings = config.load();
    KafkaConfig kafka = KafkaConfig.from(settings);
    // The streaming job's limits, so both judge every event alike; the collector's wait for Kafka's acknowledgement.
    EventLimits limits = StreamConfig.from(settings).eventLimits();
    Duration kafkaTimeout = settings.get(CollectorConfig.KAFKA_TIMEOUT);
    settings.throwIfInvalid();
    DomainCatalog catalog = DomainCatalog.from(settings);
    Domain domain = Collector.withJobAdsTopics(catalog, kafka).stream()
        .filter(d -> d.name().equals(domainName)).findFirst()
        .orElseThrow(() -> new ParameterException(spec.commandLine(), "Unknown domain '" + domainName
            + "'. Known domains: " + String.join(", ", catalog.names()) + " (add your own with --set "
            + DomainCatalog.DEFINITIONS.key() + "=FILE.yaml)"));
    List<Format> formats = new ArrayList<>();
    for (String file : files) formats.add(formatOf(file));

    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<FileImport.Input> inputs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    TextEvent rows = TextEvent.of(domain.schema());
    int maxLine = limits.maxPayloadBytes();
    for (int i = 0; i < files.size(); i++) {
      String file = files.get(i);
      String name = file.equals(STDIN) ? "stdin" : file;
      LineReader lines;
      long size = -1;
      try {
        if (!file.equals(STDIN) && !Files.isRegularFile(Path.of(file))) {
          problems.add("cannot read " + file + ": " + (Files.exists(Path.of(file)) ? "not a file" : "no such file"));
          continue;
        }
        InputStream in = file.equals(STDIN) ? System.in : Files.newInputStream(Path.of(file));
        if (!file.equals(STDIN)) size = Files.size(Path.of(file));
        lines = new LineReader(in, maxLine);
      } catch (IOException e) {
        problems.add("cannot read " + file + ": " + e.getMessage());
        continue;
      }
      EventSource source;
      if (formats.get(i) == Format.jsonl) {
        source = new JsonLinesSource(lines, maxLine);
      } else {
        CsvSource.Opened opened = CsvSource.open(lines, rows, maxLine);
        if (opened instanceof CsvSource.NoHeader none) {
          problems.add(name + ": " + none.problem());
          lines.close();
          continue;
        }
        CsvSource csv = ((CsvSource.Ready) opened).source();
        CsvHeader.problems(domain.name(), domain.schema(), csv.columns()).forEach(p -> problems.add(name + ": " + p));
        source = csv;
      }
      inputs.add(new FileImport.Input(name, source, size));
    }
    if (!problems.isEmpty()) {
      for (FileImport.Input input : inputs) input.source().close();
      err.println("trackpipe import: nothing was sent to domain '" + domain.name() + "':");
      problems.forEach(p -> err.println("  - " + p));
      return ExitCodes.FAILURE;
    }

    KafkaTopics.ensureExist(kafka.withTopics(domain.topics().events(), domain.topics().deadLetters()));
    long limit = maxRejected == null ? Long.MAX_VALUE : maxRejected;
    try (EventPublisher publisher = new EventPublisher(kafka, "trackpipe-import", kafkaTimeout, 64L * 1024 * 1024,
        maxLine * 4, new KafkaAvailability())) {
      DomainIngestion ingestion = new DomainIngestion(domain.topics(),
          new EventIntake(domain.schema(), limits, new ContentIds()), publisher);
      FileImport run = new FileImport(ingestion, limit);
      return importAll(run, inputs, domain, limit, out, err);
    }
  }

  private int importAll(FileImport run, List<FileImport.Input> inputs, Domain domain, long limit, PrintWriter out,
      PrintWriter err) throws InterruptedException {
    boolean terminal = System.console() != null;
    AtomicBoolean interrupted = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      interrupted.set(true);
      run.stop();
      try {
        finished.await(30, TimeUnit.SECONDS); // what was read is sent and acknowledged before the JVM ends
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "trackpipe-import-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "trackpipe-import-progress");
      t.setDaemon(true);
      return t;
    });
    long period = terminal ? 250 : 10_000;
    ticks.scheduleAtFixedRate(() -> {
      ImportSummary now = run.progress();
      if (terminal) {
        out.print("\r" + ImportProgress.bar(now) + "   ");
      } else {
        out.println(ImportProgress.line(now));
      }
      out.flush();
    }, period, period, TimeUnit.MILLISECONDS);
    out.println("Importing " + inputs.size() + " input(s) into domain '" + domain.name() + "' (topic "
        + domain.topics().events() + ", dead letters " + domain.topics().deadLetters() + ")");
    try {
      ImportSummary summary;
      try {
        summary = run.run(inputs);
      } catch (FileImport.ImportFailedException e) {
        ticks.shutdownNow();
        if (terminal) out.println();
        out.println(ImportProgress.summary(run.progress()));
        err.println("trackpipe import failed: " + e.getMessage() + "; events sent before are kept, and importing the"
            + " file again is safe where the domain's id makes copies count once (docs/import.md)");
        return ExitCodes.FAILURE;
      }
      ticks.shutdownNow();
      if (terminal) out.println("\r" + ImportProgress.bar(summary) + "   ");
      out.println(ImportProgress.summary(summary));
      if (summary.stoppedEarly() && summary.rejected() > limit) {
        err.printf(Locale.ROOT, "trackpipe import stopped at %s line %,d: %,d rejected, more than --max-rejected %,d;"
            + " the lines after it were not read%n", summary.stoppedIn(), summary.stoppedAtLine(),
            summary.rejected(), limit);
        return ExitCodes.TOO_MANY_REJECTED;
      }
      if (summary.stoppedEarly() || interrupted.get()) {
        err.printf(Locale.ROOT, "trackpipe import stopped at %s line %,d: the lines after it were not read%n",
            summary.stoppedIn(), summary.stoppedAtLine());
        return ExitCodes.FAILURE;
      }
      return ExitCodes.OK;
    } finally {
      ticks.shutdownNow();
      out.flush();
      err.flush();
      // Only now may a Ctrl-C's shutdown end the JVM: the summary is out.
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and has waited for the summary.
      }
    }
  }

  private Format formatOf(String file) {
    if (format != null) return format;
    if (file.equals(STDIN)) {
      throw new ParameterException(spec.commandLine(), "standard input (-) needs --format csv or --format jsonl");
    }
    String lower = file.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".csv")) return Format.csv;
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) return Format.jsonl;
    throw new ParameterException(spec.commandLine(), "cannot tell the format of " + file
        + " from its extension (.csv, .jsonl, .ndjson, .json): give --format csv or --format jsonl");
  }
}
