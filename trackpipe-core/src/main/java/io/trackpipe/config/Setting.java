package io.trackpipe.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * One configuration key: its name, type, default, description and check, kept together so that the
 * documentation, {@code trackpipe config} and start-up validation cannot drift apart.
 *
 * @param defaultValue null when the setting is optional and has no default
 * @param secret never printed in effective configuration
 */
public record Setting<T>(
    String key,
    ValueType<T> type,
    T defaultValue,
    String description,
    Predicate<T> check,
    String checkDescription,
    boolean secret) {

  public Setting {
    requireNonNull(key, "key is null");
    requireNonNull(type, "type is null");
    requireNonNull(description, "description is null");
    requireNonNull(check, "check is null");
    requireNonNull(checkDescription, "checkDescription is null");
  }

  public static <T> Setting<T> of(String key, ValueType<T> type, T defaultValue, String description) {
    return new Setting<>(key, type, defaultValue, description, v -> true, "", false);
  }

  public Setting<T> checked(Predicate<T> check, String mustBe) {
    return new Setting<>(key, type, defaultValue, description, check, mustBe, secret);
  }

  public Setting<T> asSecret() {
    return new Setting<>(key, type, defaultValue, description, check, checkDescription, true);
  }

  /** The environment variable that overrides this key: {@code kafka.bootstrap-servers} → {@code TRACKPIPE_KAFKA_BOOTSTRAP_SERVERS}. */
  public String environmentVariable() {
    return "TRACKPIPE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public String format(T value) {
    if (value == null) return "";
    if (secret) return "******";
    if (value instanceof Duration d) return ValueType.formatDuration(d);
    return value.toString();
  }

  public static Predicate<Integer> positive() {
    return v -> v > 0;
  }

  public static Predicate<Duration> positiveDuration() {
    return d -> !d.isNegative() && !d.isZero();
  }
}
