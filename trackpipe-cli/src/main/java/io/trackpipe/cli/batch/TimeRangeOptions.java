package io.trackpipe.cli.batch;

import java.time.LocalDateTime;
import java.time.ZoneId;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --from} and {@code --to} of the commands that work on a time range of the raw store. */
final class TimeRangeOptions {
  @Option(names = "--from", required = true, paramLabel = "TIME", description = "First hour (or day) of the range.")
  String from;

  @Option(names = "--to", required = true, paramLabel = "TIME", description = "End of the range (exclusive).")
  String to;

  /** A range of local times in the facts' zone. */
  record Range(LocalDateTime start, LocalDateTime end) {}

  /** @throws ParameterException (a usage error, exit 2) for a time that does not parse or an empty range */
  Range parse(CommandSpec spec, ZoneId zone) {
    try {
      LocalDateTime start = LocalTimeArgument.parse("--from", from, zone);
      LocalDateTime end = LocalTimeArgument.parse("--to", to, zone);
      if (!start.isBefore(end)) throw new IllegalArgumentException("--from must be before --to");
      return new Range(start, end);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
