package io.trackpipe.cli.export;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code trackpipe export <target>}: copies of the warehouse's tables for other tools. */
@Command(name = "export", header = "Copy the warehouse's rollup tables for other tools (Hive external tables).",
    mixinStandardHelpOptions = true, subcommands = HiveExportCommand.class,
    description = {"Copy a domain's rollup tables out of the warehouse. Targets:"},
    footer = {"", "Examples:", "  trackpipe export hive --config prod.yaml   every domain's tables as Parquet external tables"})
public final class ExportCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing the export's target: hive");
  }
}
