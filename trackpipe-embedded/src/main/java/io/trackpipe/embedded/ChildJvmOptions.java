package io.trackpipe.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tunables of a server that runs in a child JVM ({@link EmbeddedCassandra}, {@link EmbeddedOpenSearch}): its port, its
 * heap, how long its start may take, and extra JVM arguments.
 *
 * @param port the server's client port; 0 picks a free one
 * @param maxHeap the child JVM's -Xmx value, e.g. "512m"
 */
public record ChildJvmOptions(int port, String maxHeap, Duration startTimeout, List<String> jvmArgs) {

  public ChildJvmOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    Objects.requireNonNull(maxHeap, "maxHeap");
    Objects.requireNonNull(startTimeout, "startTimeout");
    jvmArgs = List.copyOf(jvmArgs);
  }

  /** A free port, {@code maxHeap}, a 120 s start timeout, no extra JVM arguments. */
  public static ChildJvmOptions of(String maxHeap) {
    return new ChildJvmOptions(0, maxHeap, Duration.ofSeconds(120), List.of());
  }

  public ChildJvmOptions withPort(int newPort) {
    return new ChildJvmOptions(newPort, maxHeap, startTimeout, jvmArgs);
  }

  public ChildJvmOptions withMaxHeap(String newMaxHeap) {
    return new ChildJvmOptions(port, newMaxHeap, startTimeout, jvmArgs);
  }

  public ChildJvmOptions withStartTimeout(Duration newTimeout) {
    return new ChildJvmOptions(port, maxHeap, newTimeout, jvmArgs);
  }

  /** These arguments added to the server's JVM, e.g. a {@code -Dcassandra.*} property. */
  public ChildJvmOptions withJvmArgs(String... args) {
    List<String> merged = new ArrayList<>(jvmArgs);
    merged.addAll(List.of(args));
    return new ChildJvmOptions(port, maxHeap, startTimeout, merged);
  }
}
