package io.trackpipe.cli.settings;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.config.Configuration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code trackpipe config}: the effective configuration, where each value came from, and what each key means. */
@Command(name = "config",
    header = "Print every setting with its effective value, origin and description.",
    mixinStandardHelpOptions = true,
    description = {"Print every setting with its effective value, origin and description.",
        "Settings come from defaults < config file < TRACKPIPE_* environment variables < --set."},
    footer = {"", "Examples:", "  trackpipe config --config prod.yaml",
        "  TRACKPIPE_STREAM_TIME_ZONE=Asia/Ho_Chi_Minh trackpipe config --set stream.allowed-lateness=1h"})
public final class ConfigCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Configuration effective = config.load();
    spec.commandLine().getOut().print(effective.describe());
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
