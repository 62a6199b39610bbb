package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import io.trackpipe.dimension.Dimensions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the generator produces and how fast. Each record is exactly one of: a duplicate (probability
 * {@code duplicateRatio}), a malformed record ({@code malformedRatio}), an event that breaks one of the domain's rules
 * ({@code ruleViolationRatio}), a late event ({@code lateRatio}) or a valid on-time event (the rest), so the four
 * ratios may add up to at most 1.
 *
 * @param seed fixes every random choice: the same seed, config and clock readings give the same bytes
 * @param eventsPerSecond target rate of records; 0 means as fast as the sink accepts
 * @param maxEvents stop after this many records, if present
 * @param maxDuration stop after this much (clock) time, if present
 * @param trackMix weights of the {@code custom_track} values (job ads only)
 * @param duplicateRatio share of records that re-send an earlier event byte for byte (at-least-once delivery)
 * @param lateRatio share of records that are valid events whose time lies up to {@code maxLateness} in the past
 * @param maxLateness how late a late event can be; at least one second, so its {@code ts} is really in the past
 * @param malformedRatio share of records that are bad input, cycling through every {@link Malformation} (job ads) or
 *     {@link SchemaMalformation} the domain allows
 * @param nullFieldRatio chance, per field and per event, that {@code job_id}, {@code publisher_id},
 *     {@code campaign_id}, {@code group_id} or {@code bid} is null (trackers lose them; the pipeline must cope); for
 *     other domains, that each optional field is left out or null
 * @param ruleViolationRatio share of records that are otherwise valid events breaking one of the domain's rules (a
 *     purchase without a price), cycling through the rules; 0 for domains without rules (job ads)
 * @param dimensions the jobs and publishers job-ad events refer to; needs at least one of each
 */
public record GeneratorConfig(
    long seed,
    double eventsPerSecond,
    OptionalLong maxEvents,
    Optional<Duration> maxDuration,
    TrackMix trackMix,
    double duplicateRatio,
    double lateRatio,
    Duration maxLateness,
    double malformedRatio,
    double nullFieldRatio,
    double ruleViolationRatio,
    Dimensions dimensions) {

  public static final long DEFAULT_SEED = 42;
  public static final double DEFAULT_EVENTS_PER_SECOND = 1000;
  public static final Duration DEFAULT_MAX_LATENESS = Duration.ofMinutes(90);
  public static final double DEFAULT_NULL_FIELD_RATIO = 0.01;
  private static final Duration LONGEST_LATENESS = Duration.ofDays(365);

  private static final ValueType<Double> NUMBER = ValueType.NUMBER;

  public static final Setting<Long> SEED = Setting.of("generator.seed", ValueType.LONG, DEFAULT_SEED,
      "Seed of every random choice; the same seed and settings reproduce the same records.");
  public static final Setting<Double> EVENTS_PER_SECOND = Setting.of("generator.events-per-second", NUMBER,
      DEFAULT_EVENTS_PER_SECOND, "Target records per second; 0 = as fast as possible.");
  public static final Setting<Long> MAX_EVENTS = Setting.of("generator.max-events", ValueType.LONG, null,
      "Stop after this many records (unset = no limit).");
  public static final Setting<Duration> MAX_DURATION = Setting.of("generator.max-duration", ValueType.DURATION_TYPE, null,
      "Stop after this long (unset = no limit).");
  public static final Setting<Double> MIX_CLICK = Setting.of("generator.mix.click", NUMBER, TrackMix.DEFAULT.click(),
      "Relative weight of custom_track=click.");
  public static final Setting<Double> MIX_CONVERSION = Setting.of("generator.mix.conversion", NUMBER,
      TrackMix.DEFAULT.conversion(), "Relative weight of custom_track=conversion.");
  public static final Setting<Double> MIX_QUALIFIED = Setting.of("generator.mix.qualified", NUMBER,
      TrackMix.DEFAULT.qualified(), "Relative weight of custom_track=qualified.");
  public static final Setting<Double> MIX_UNQUALIFIED = Setting.of("generator.mix.unqualified", NUMBER,
      TrackMix.DEFAULT.unqualified(), "Relative weight of custom_track=unqualified.");
  public static final Setting<Double> MIX_OTHER = Setting.of("generator.mix.other", NUMBER, TrackMix.DEFAULT.other(),
      "Relative weight of events with an uncounted custom_track (apply_start, save_job).");
  public static final Setting<Double> MIX_IMPRESSION = Setting.of("generator.mix.impression", NUMBER,
      TrackMix.DEFAULT.impression(), "Relative weight of impressions: page views of a job ad, sent without custom_track.");
  public static final Setting<Double> DUPLICATE_RATIO = Setting.of("generator.duplicate-ratio", NUMBER, 0.0,
      "Share of records that re-send an earlier event byte for byte.");
  public static final Setting<Double> LATE_RATIO = Setting.of("generator.late-ratio", NUMBER, 0.0,
      "Share of records that are events with a time in the past (up to generator.max-lateness).");
  public static final Setting<Duration> MAX_LATENESS = Setting.of("generator.max-lateness", ValueType.DURATION_TYPE,
      DEFAULT_MAX_LATENESS, "How far in the past a late event's time can be.");
  public static final Setting<Double> MALFORMED_RATIO = Setting.of("generator.malformed-ratio", NUMBER, 0.0,
      "Share of records that are bad input (broken JSON, wrong types, missing fields, absurd values).");
  public static final Setting<Double> NULL_FIELD_RATIO = Setting.of("generator.null-field-ratio", NUMBER,
      DEFAULT_NULL_FIELD_RATIO, "Chance per event that each of job_id, publisher_id, campaign_id, group_id, bid is null "
      + "(other domains: that each optional field is left out).");

  public static final Setting<Double> RULE_VIOLATION_RATIO = Setting.of("generator.rule-violation-ratio", NUMBER, 0.0,
      "Share of records that are otherwise valid events breaking one of the domain's rules (e-commerce: a purchase"
          + " without a positive price, a view with a price), cycling through the rules; ignored by job ads, which have none.");

  public static final List<Setting<?>> SETTINGS = List.of(SEED, EVENTS_PER_SECOND, MAX_EVENTS, MAX_DURATION,
      MIX_CLICK, MIX_CONVERSION, MIX_QUALIFIED, MIX_UNQUALIFIED, MIX_OTHER, MIX_IMPRESSION, DUPLICATE_RATIO, LATE_RATIO, MAX_LATENESS,
      MALFORMED_RATIO, NULL_FIELD_RATIO, RULE_VIOLATION_RATIO);

  /** @throws ConfigException listing every invalid value by its setting key */
  public GeneratorConfig {
    requireNonNull(maxEvents, "maxEvents is null");
    requireNonNull(maxDuration, "maxDuration is null");
    requireNonNull(trackMix, "trackMix is null");
    requireNonNull(maxLateness, "maxLateness is null");
    requireNonNull(dimensions, "dimensions is null");
    List<String> problems = new ArrayList<>();
    if (!(eventsPerSecond >= 0) || Double.isInfinite(eventsPerSecond)) {
      problems.add(EVENTS_PER_SECOND.key() + " must be a finite number >= 0 (0 = unlimited), got " + eventsPerSecond);
    }
    if (maxEvents.isPresent() && maxEvents.getAsLong() < 0) {
      problems.add(MAX_EVENTS.key() + " must be >= 0, got " + maxEvents.getAsLong());
    }
    if (maxDuration.isPresent() && maxDuration.get().isNegative()) {
      problems.add(MAX_DURATION.key() + " must not be negative, got " + maxDuration.get());
    }
    checkRatio(DUPLICATE_RATIO, duplicateRatio, problems);
    checkRatio(LATE_RATIO, lateRatio, problems);
    checkRatio(MALFORMED_RATIO, malformedRatio, problems);
    checkRatio(NULL_FIELD_RATIO, nullFieldRatio, problems);
    checkRatio(RULE_VIOLATION_RATIO, ruleViolationRatio, problems);
    if (duplicateRatio + lateRatio + malformedRatio + ruleViolationRatio > 1 + 1e-9) {
      problems.add(DUPLICATE_RATIO.key() + " + " + LATE_RATIO.key() + " + " + MALFORMED_RATIO.key() + " + "
          + RULE_VIOLATION_RATIO.key() + " must be at most 1 (each record is one kind), got "
          + (duplicateRatio + lateRatio + malformedRatio + ruleViolationRatio));
    }
    if (maxLateness.compareTo(Duration.ofSeconds(1)) < 0 || maxLateness.compareTo(LONGEST_LATENESS) > 0) {
      problems.add(MAX_LATENESS.key() + " must be between 1s (ts has whole seconds) and 365d, got " + maxLateness);
    }
    if (dimensions.jobs().isEmpty()) {
      problems.add("dimensions must contain at least one job");
    }
    if (dimensions.publishers().isEmpty()) {
      problems.add("dimensions must contain at least one publisher");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** Every default, drawing from {@code dimensions}. */
  public static GeneratorConfig defaults(Dimensions dimensions) {
    return builder(dimensions).build();
  }

  public static Builder builder(Dimensions dimensions) {
    return new Builder(dimensions);
  }

  public Builder toBuilder() {
    return new Builder(dimensions)
        .seed(seed)
        .eventsPerSecond(eventsPerSecond)
        .maxEvents(maxEvents)
        .maxDuration(maxDuration)
        .trackMix(trackMix)
        .duplicateRatio(duplicateRatio)
        .lateRatio(lateRatio)
        .maxLateness(maxLateness)
        .malformedRatio(malformedRatio)
        .nullFieldRatio(nullFieldRatio)
        .ruleViolationRatio(ruleViolationRatio);
  }

  /** Binds the {@link #SETTINGS} of an effective configuration; problems surface as a {@link ConfigException}. */
  public static GeneratorConfig from(Configuration config, Dimensions dimensions) {
    Long maxEvents = config.get(MAX_EVENTS);
    TrackMix mix = new TrackMix(config.get(MIX_CLICK), config.get(MIX_CONVERSION), config.get(MIX_QUALIFIED),
        config.get(MIX_UNQUALIFIED), config.get(MIX_OTHER), config.get(MIX_IMPRESSION));
    return new GeneratorConfig(
        config.get(SEED),
        config.get(EVENTS_PER_SECOND),
        maxEvents == null ? OptionalLong.empty() : OptionalLong.of(maxEvents),
        Optional.ofNullable(config.get(MAX_DURATION)),
        mix,
        config.get(DUPLICATE_RATIO),
        config.get(LATE_RATIO),
        config.get(MAX_LATENESS),
        config.get(MALFORMED_RATIO),
        config.get(NULL_FIELD_RATIO),
        config.get(RULE_VIOLATION_RATIO),
        dimensions);
  }

  /** Dimension rows are summarised: printing 500 jobs helps nobody. */
  @Override
  public String toString() {
    return "GeneratorConfig[seed=" + seed + ", eventsPerSecond=" + eventsPerSecond + ", maxEvents=" + maxEvents
        + ", maxDuration=" + maxDuration + ", trackMix=" + trackMix + ", duplicateRatio=" + duplicateRatio
        + ", lateRatio=" + lateRatio + ", maxLateness=" + maxLateness + ", malformedRatio=" + malformedRatio
        + ", nullFieldRatio=" + nullFieldRatio + ", ruleViolationRatio=" + ruleViolationRatio + ", dimensions=" + dimensions.companies().size() + " companies, "
        + dimensions.jobs().size() + " jobs, " + dimensions.publishers().size() + " publishers]";
  }

  private static void checkRatio(Setting<Double> setting, double value, List<String> problems) {
    if (!(value >= 0 && value <= 1)) {
      problems.add(setting.key() + " must be between 0 and 1, got " + value);
    }
  }

  /** Starts from the defaults; {@link #build()} validates everything at once. Not thread-safe. */
  public static final class Builder {
    private final Dimensions dimensions;
    private long seed = DEFAULT_SEED;
    private double eventsPerSecond = DEFAULT_EVENTS_PER_SECOND;
    private OptionalLong maxEvents = OptionalLong.empty();
    private Optional<Duration> maxDuration = Optional.empty();
    private TrackMix trackMix = TrackMix.DEFAULT;
    private double duplicateRatio;
    private double lateRatio;
    private Duration maxLateness = DEFAULT_MAX_LATENESS;
    private double malformedRatio;
    private double nullFieldRatio = DEFAULT_NULL_FIELD_RATIO;
    private double ruleViolationRatio;

    private Builder(Dimensions dimensions) {
      this.dimensions = requireNonNull(dimensions, "dimensions is null");
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder eventsPerSecond(double eventsPerSecond) {
      this.eventsPerSecond = eventsPerSecond;
      return this;
    }

    public Builder maxEvents(long maxEvents) {
      return maxEvents(OptionalLong.of(maxEvents));
    }

    public Builder maxEvents(OptionalLong maxEvents) {
      this.maxEvents = requireNonNull(maxEvents, "maxEvents is null");
      return this;
    }

    public Builder maxDuration(Duration maxDuration) {
      return maxDuration(Optional.of(maxDuration));
    }

    public Builder maxDuration(Optional<Duration> maxDuration) {
      this.maxDuration = requireNonNull(maxDuration, "maxDuration is null");
      return this;
    }

    public Builder trackMix(TrackMix trackMix) {
      this.trackMix = trackMix;
      return this;
    }

    public Builder duplicateRatio(double duplicateRatio) {
      this.duplicateRatio = duplicateRatio;
      return this;
    }

    public Builder lateRatio(double lateRatio) {
      this.lateRatio = lateRatio;
      return this;
    }

    public Builder maxLateness(Duration maxLateness) {
      this.maxLateness = maxLateness;
      return this;
    }

    public Builder malformedRatio(double malformedRatio) {
      this.malformedRatio = malformedRatio;
      return this;
    }

    public Builder nullFieldRatio(double nullFieldRatio) {
      this.nullFieldRatio = nullFieldRatio;
      return this;
    }

    public Builder ruleViolationRatio(double ruleViolationRatio) {
      this.ruleViolationRatio = ruleViolationRatio;
      return this;
    }

    /** @throws ConfigException listing every invalid value */
    public GeneratorConfig build() {
      return new GeneratorConfig(seed, eventsPerSecond, maxEvents, maxDuration, trackMix, duplicateRatio, lateRatio,
          maxLateness, malformedRatio, nullFieldRatio, ruleViolationRatio, dimensions);
    }
  }
}
