package io.trackpipe.cli.settings;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.config.Configuration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code trackpipe config}: the effective configuration, where each value came from, and what each key means. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = {"Print every setting with its effective value, origin and description.",
        "Settings come from defaults < config file < TRACKPIPE_* environment variables < --set."})
public final class ConfigCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Override
  public Integer call() {
    Configuration effective = config.load();
    System.out.print(effective.describe());
    return ExitCodes.OK;
  }
}
