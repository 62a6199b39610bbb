package io.trackpipe.cli.domains;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.domain.DashboardDefinition;
import io.trackpipe.domain.DerivedColumn;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.domain.EventField;
import io.trackpipe.domain.EventSchema;
import io.trackpipe.domain.Rule;
import io.trackpipe.domain.TimeFormat;
import io.trackpipe.domain.UnknownFields;
import io.trackpipe.rollup.Dimension;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackpipe domains}: the domains this configuration runs, each with its topics, fields, id, event time, derived
 * columns, rules, rollups and dashboard. Loading them checks every definition, so this is also how to try a new file.
 */
@Command(name = "domains",
    header = "List the loaded domains with their fields and rollups (and check their definition files).",
    mixinStandardHelpOptions = true,
    description = {"List the domains trackpipe runs: the built-in ones and those of domain.definitions, each with its",
        "Kafka topics, raw-store table, event fields and checks, id, event time, partition key, derived columns, rules,",
        "rollups and dashboard. Every definition is checked first: bad ones are reported all at once (exit code 3).",
        "How to write a domain of your own: docs/domains.md."},
    footer = {"", "Examples:", "  trackpipe domains",
        "  trackpipe domains --set domain.definitions=signups.yaml   check a new definition and show what it declares",
        "  trackpipe domains --brief                                one line per domain"})
public final class DomainsCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec CommandSpec spec;

  @Option(names = "--domain", paramLabel = "NAME", description = "Show only this domain.")
  String only;

  @Option(names = "--brief", description = "One line per domain: name, title, field and rollup counts, file.")
  boolean brief;

  @Override
  public Integer call() {
    DomainCatalog catalog = DomainCatalog.from(config.load());
    PrintWriter out = spec.commandLine().getOut();
    List<Domain> shown = catalog.domains();
    if (only != null) {
      if (catalog.domain(only).isEmpty()) {
        spec.commandLine().getErr().println("No domain '" + only + "'. Loaded: " + String.join(", ", catalog.names()) + ".");
        return ExitCodes.USAGE;
      }
      shown = List.of(catalog.domain(only).orElseThrow());
    }
    for (Domain domain : shown) {
      if (brief) {
        out.printf("%-16s %-28s %3d fields %3d rollups  %s%n", domain.name(), domain.title(),
            domain.schema().fields().size(), domain.rollups().rollups().size(), domain.origin());
      } else {
        describe(domain, out);
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static void describe(Domain domain, PrintWriter out) {
    EventSchema schema = domain.schema();
    out.println("domain " + domain.name() + " — " + domain.title());
    if (domain.description() != null && !domain.description().isBlank()) out.println("  " + domain.description().strip());
    out.println("  file        " + domain.origin());
    out.println("  topics      events " + domain.topics().events() + ", dead letters " + domain.topics().deadLetters());
    out.println("  raw table   " + domain.rawTable() + "   warehouse commits as " + domain.sink());
    out.println("  id          " + (schema.id().hashed()
        ? "hash of " + String.join(", ", schema.id().hashOf())
        : schema.id().field() + (schema.id().collectorAssigns() ? " (assigned by the collector when missing)" : "")));
    out.println("  event time  " + schema.time().field()
        + (schema.time().arrivalWhenMissing() ? " (arrival time when missing)" : ""));
    out.println("  partition   " + (schema.partitionKey().isEmpty() ? "by event id" : String.join(", ", schema.partitionKey())));
    out.println("  unknown     fields not declared are " + (schema.unknownFields() == UnknownFields.REFUSE
        ? "refused (the event is a dead letter)" : "ignored"));
    out.println("  fields");
    for (EventField field : schema.fields()) {
      out.printf("    %-16s %-10s %s%n", field.name(), field.type().yamlName(), checks(field));
    }
    if (!schema.derived().isEmpty()) {
      out.println("  derived");
      for (DerivedColumn derived : schema.derived()) {
        out.printf("    %-16s = %s%n", derived.name(), derived.expression().replaceAll("\\s+", " ").strip());
      }
    }
    if (!schema.rules().isEmpty()) {
      out.println("  rules (a violation is a dead letter with reason rule:<name>)");
      for (Rule rule : schema.rules()) {
        out.printf("    %-16s %s%s%n", rule.name(), rule.when() == null ? "" : "when " + rule.when().text() + ": ",
            "require " + rule.require().text());
      }
    }
    out.println("  rollups");
    for (RollupDefinition rollup : domain.rollups().rollups()) {
      String dimensions = rollup.dimensions().stream().map(DomainsCommand::dimension).collect(Collectors.joining(", "));
      String metrics = rollup.metrics().stream().map(Metric::name).collect(Collectors.joining(", "));
      out.printf("    %-22s by %s%n    %-22s    → %s%n", rollup.table(), dimensions, "", metrics);
    }
    DashboardDefinition dashboard = domain.dashboard();
    if (dashboard != null) {
      out.println("  dashboard   tiles " + String.join(", ", dashboard.tiles()));
      out.println("              from " + String.join(", ", dashboard.tables()) + "; filters "
          + dashboard.filters().stream().map(f -> filter(dashboard.dimension(f).orElseThrow())).collect(Collectors.joining(", ")));
    }
    out.println();
  }

  /** A filter with its dimension's type: {@code campaign (id)}, {@code country (text)}, {@code plan (enum: free, pro)}. */
  private static String filter(DashboardDefinition.DashboardDimension d) {
    String type = d.isEnum() ? "enum: " + String.join(", ", d.values()) : d.kind().yamlName();
    return d.name() + " (" + type + ")";
  }

  private static String dimension(Dimension d) {
    return d.isTime() ? d.name() + " (" + d.time().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")" : d.name();
  }

  private static String checks(EventField field) {
    List<String> checks = new ArrayList<>();
    if (field.required()) checks.add("required");
    if (field.rawOnly()) checks.add("raw store only");
    if (field.min() != null) checks.add("min " + field.min().toPlainString());
    if (field.max() != null) checks.add("max " + field.max().toPlainString());
    if (field.type() == io.trackpipe.domain.FieldType.DECIMAL) checks.add(field.scale() + " decimals");
    if (!field.values().isEmpty()) checks.add("one of " + String.join(", ", field.values()));
    if (!field.formats().isEmpty()) {
      checks.add("as " + field.formats().stream().map(TimeFormat::yamlName).collect(Collectors.joining(", ")));
    }
    if (field.textual() && !field.rawOnly() && field.type() != io.trackpipe.domain.FieldType.ENUM) {
      checks.add("at most " + field.maxLength() + " characters");
    }
    if (!field.nullIsMissing()) checks.add("null refused");
    return String.join("; ", checks);
  }
}
