package io.trackpipe.cli.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An operations tool from the system (docker-compose, promtool, python3) run to its end, with what it printed. */
final class Tool {
  record Result(int exitCode, String stdout, String stderr) {
    String output() {
      return stdout + stderr;
    }
  }

  private Tool() {}

  static Result run(Path directory, Map<String, String> environment, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(directory.toFile());
    // The files are checked as they are, whatever the developer's shell exports.
    builder.environment().keySet().removeIf(name -> name.startsWith("TRACKPIPE_"));
    builder.environment().putAll(environment);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException(command[0] + " is not installed: .ci/run installs it (see README, profile deploy)", e);
    }
    process.getOutputStream().close();
    CompletableFuture<String> out = read(process.getInputStream());
    CompletableFuture<String> err = read(process.getErrorStream());
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", new ArrayList<>(List.of(command))) + " did not finish in 2 minutes");
    }
    return new Result(process.exitValue(), out.join(), err.join());
  }

  private static CompletableFuture<String> read(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read: " + e + ")";
      }
    });
  }
}
