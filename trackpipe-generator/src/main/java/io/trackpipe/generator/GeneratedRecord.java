package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One Kafka record as the generator made it.
 *
 * @param key the event's partition key, so that events with equal keys stay in order within a partition: for job
 *     ads the {@code job_id} in decimal (its {@code create_time} without one), for other domains the first
 *     partition-key field with a value (the event id without one). Never null.
 * @param value UTF-8 bytes, one JSON object for valid events (without a trailing newline). Shared, not copied: do not
 *     modify.
 * @param kind what the record is meant to test
 */
public record GeneratedRecord(String key, byte[] value, Kind kind) {

  /** What a record is, from the pipeline's point of view. */
  public enum Kind {
    /** A valid event whose time is the generation time. */
    VALID,
    /** A byte-identical copy of an earlier VALID or LATE record, as at-least-once delivery produces. */
    DUPLICATE,
    /** A valid event whose time lies in the past, up to {@link GeneratorConfig#maxLateness()}. */
    LATE,
    /** Bad input the pipeline must reject; see {@link Malformation} and {@link SchemaMalformation}. */
    MALFORMED
  }

  public GeneratedRecord {
    requireNonNull(key, "key is null");
    requireNonNull(value, "value is null");
    requireNonNull(kind, "kind is null");
  }

  /** The value decoded as UTF-8, for tests and logs (malformed values may hold broken UTF-8). */
  public String valueText() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** Compares the value's contents, not the array's identity. */
  @Override
  public boolean equals(Object other) {
    return other instanceof GeneratedRecord that
        && key.equals(that.key) && kind == that.kind && Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * key.hashCode() + Arrays.hashCode(value)) + kind.hashCode();
  }

  @Override
  public String toString() {
    return "GeneratedRecord[key=" + key + ", kind=" + kind + ", value=" + valueText() + "]";
  }
}
