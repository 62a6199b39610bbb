package io.trackpipe.cli;

import io.trackpipe.cli.batch.BackfillCommand;
import io.trackpipe.cli.batch.BatchCommand;
import io.trackpipe.cli.batch.VerifyCommand;
import io.trackpipe.cli.bench.BatchBenchCommand;
import io.trackpipe.cli.bench.BenchCommand;
import io.trackpipe.cli.bench.ApiBenchCommand;
import io.trackpipe.cli.bench.CollectorBenchCommand;
import io.trackpipe.cli.collect.CollectCommand;
import io.trackpipe.cli.demo.DemoCommand;
import io.trackpipe.cli.domains.DomainsCommand;
import io.trackpipe.cli.export.ExportCommand;
import io.trackpipe.cli.fileimport.ImportCommand;
import io.trackpipe.cli.generate.GenerateCommand;
import io.trackpipe.cli.index.IndexCommand;
import io.trackpipe.cli.serve.ServeCommand;
import io.trackpipe.cli.settings.ConfigCommand;
import io.trackpipe.cli.stream.StreamCommand;
import io.trackpipe.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code trackpipe <command>}: the one entry point that assembles the pipeline's parts. */
@Command(
    name = "trackpipe",
    mixinStandardHelpOptions = true,
    version = "trackpipe 0.1.0",
    description = "Near-real-time analytics for user-interaction tracking logs.%n",
    subcommands = {DemoCommand.class, GenerateCommand.class, StreamCommand.class, BatchCommand.class, BackfillCommand.class,
        VerifyCommand.class, ExportCommand.class, IndexCommand.class, CollectCommand.class, ImportCommand.class, ServeCommand.class, DomainsCommand.class, ConfigCommand.class, BenchCommand.class,
        CollectorBenchCommand.class, ApiBenchCommand.class, BatchBenchCommand.class},
    footer = {"", "Examples:", "  trackpipe demo                 start Kafka, MariaDB, the generator and the stream on this machine",
        "  trackpipe demo --no-generate   the same, without the generator: send your own events",
        "  trackpipe stream --config prod.yaml   run the streaming job against external Kafka and MySQL",
        "  trackpipe batch --every 10s --config prod.yaml   rewrite settled hours from the raw store (heals late events)",
        "  trackpipe verify --from 2024-05-01 --to 2024-05-02   compare the warehouse with a recount of the raw store",
        "  trackpipe export hive --config prod.yaml   the rollup tables as external Hive tables (Parquet)",
        "  trackpipe collect --config prod.yaml  serve the HTTP collector in front of Kafka",
        "  trackpipe import --domain job-ads events.csv   load a file of events through the collector's checks",
        "  trackpipe serve --config prod.yaml    serve the live dashboard and the query API",
        "  trackpipe index --config prod.yaml    index the rollup tables into OpenSearch, one document per row",
        "  trackpipe domains                     list the domains (built-in and yours) with their fields and rollups",
        "  trackpipe config --config prod.yaml   print the effective configuration",
        "", "Run 'trackpipe <command> --help' for a command's options."})
public final class Trackpipe implements Runnable {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Trackpipe());
    // Descriptions are written as lines of up to ~115 characters; narrower terminals still wrap them.
    cli.setUsageHelpWidth(120);
    cli.setUsageHelpAutoWidth(true);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ConfigException config) {
        commandLine.getErr().println(config.getMessage());
        return ExitCodes.CONFIG;
      }
      commandLine.getErr().println("trackpipe " + commandLine.getCommandName() + " failed: " + e.getMessage());
      if (System.getenv("TRACKPIPE_DEBUG") != null) e.printStackTrace(commandLine.getErr());
      return ExitCodes.FAILURE;
    });
    return cli;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
