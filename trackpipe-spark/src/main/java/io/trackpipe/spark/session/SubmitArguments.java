package io.trackpipe.spark.session;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The command line every {@code spark-submit} entry point shares: {@code --config FILE} (default: the
 * {@code TRACKPIPE_CONFIG} environment variable) and {@code --set key=value}, taken here; each job's own options are
 * handed back one by one by {@link #nextOption()}. A usage error ends the application with exit code 2, a
 * configuration problem with 3, as the CLI does.
 */
public final class SubmitArguments {
  private final String[] args;
  private final String usage;
  private int next;
  private Optional<Path> configFile =
      Optional.ofNullable(System.getenv("TRACKPIPE_CONFIG")).filter(s -> !s.isBlank()).map(Path::of);
  private final Map<String, String> overrides = new LinkedHashMap<>();

  /** @param usage the usage line printed with a usage error, e.g. {@code "StreamMain [--config FILE] …"} */
  public SubmitArguments(String[] args, String usage) {
    this.args = args.clone();
    this.usage = usage;
  }

  /** The next option that is not {@code --config} or {@code --set}, or null after the last. */
  public String nextOption() {
    while (next < args.length) {
      String option = args[next++];
      switch (option) {
        case "--config" -> configFile = Optional.of(Path.of(value(option)));
        case "--set" -> {
          String pair = value(option);
          int eq = pair.indexOf('=');
          if (eq <= 0) usage("--set takes key=value, got '" + pair + "'");
          overrides.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        default -> {
          return option;
        }
      }
    }
    return null;
  }

  /** The value after {@code option}. */
  public String value(String option) {
    if (next >= args.length) usage(option + " needs a value");
    return args[next++];
  }

  /** Prints the problem and the usage line, and ends the application with exit code 2. */
  public void usage(String problem) {
    System.err.println(problem + "\nusage: " + usage);
    System.exit(2);
  }

  /** The configuration file, the environment and the {@code --set} pairs, read for {@code known} settings. */
  public Configuration load(Collection<Setting<?>> known) {
    return Configuration.load(configFile, System.getenv(), overrides, known);
  }

  /** Prints the configuration's problems and ends the application with exit code 3. */
  public static void exitOnConfigProblem(ConfigException e) {
    System.err.println(e.getMessage());
    System.exit(3);
  }
}
