package io.trackpipe.dimension;

import static java.util.Objects.requireNonNull;

/** A row of the {@code master_publisher} dimension table: a site that shows job ads. */
public record Publisher(long id, String name) {
  public Publisher {
    requireNonNull(name, "name is null");
  }
}
