package io.trackpipe.dimension;

import static java.util.Objects.requireNonNull;

/** A row of the {@code company} dimension table: an employer that posts job ads. */
public record Company(long id, String name) {
  public Company {
    requireNonNull(name, "name is null");
  }
}
