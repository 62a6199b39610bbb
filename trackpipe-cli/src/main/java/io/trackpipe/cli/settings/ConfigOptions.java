package io.trackpipe.cli.settings;

import io.trackpipe.config.Configuration;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every command shares: a config file and {@code --set key=value} overrides. */
public final class ConfigOptions {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "YAML config file (default: $TRACKPIPE_CONFIG if set). Keys: see 'trackpipe config'.")
  Path file;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one setting, e.g. --set stream.allowed-lateness=1h.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** Loads the effective configuration; fails with every problem at once. */
  public Configuration load(Map<String, String> commandDefaults) {
    Map<String, String> layered = new LinkedHashMap<>();
    layered.putAll(overrides);
    Optional<Path> configFile = Optional.ofNullable(file)
        .or(() -> Optional.ofNullable(System.getenv("TRACKPIPE_CONFIG")).filter(s -> !s.isBlank()).map(Path::of));
    return Configuration.load(configFile, System.getenv(), withDefaults(commandDefaults, layered), TrackpipeSettings.ALL);
  }

  public Configuration load() {
    return load(Map.of());
  }

  /** Command-specific defaults (e.g. the demo's embedded servers) sit below explicit overrides. */
  private static Map<String, String> withDefaults(Map<String, String> commandDefaults, Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(commandDefaults);
    merged.putAll(overrides);
    return merged;
  }
}
