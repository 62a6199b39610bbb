package io.trackpipe.domain;

import static java.util.Objects.requireNonNull;

/**
 * A column computed from the event's fields before the rollups read them: a Spark SQL expression over the fields
 * (and the derived columns declared before it). The stream and the batch path add it the same way.
 */
public record DerivedColumn(String name, String expression, String description) implements java.io.Serializable {
  public DerivedColumn {
    requireNonNull(name, "name is null");
    requireNonNull(expression, "expression is null");
  }
}
