package io.trackpipe.cli.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code trackpipe bench}: measures the pipeline on embedded servers. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure end-to-end throughput and freshness on embedded servers.")
public final class BenchCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("not yet");
  }
}
