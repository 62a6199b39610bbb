package io.trackpipe.generator;

import io.trackpipe.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Relative weights of the {@code custom_track} values in generated events. Weights need not add up to 1; each is
 * divided by their sum.
 *
 * @param other events whose {@code custom_track} the rollups do not count, such as {@code apply_start}
 * @param impression views of a job ad: events without {@code custom_track}, as the seed trackers send page views
 */
public record TrackMix(double click, double conversion, double qualified, double unqualified, double other, double impression) {
  /** The {@code custom_track} values the job-ads rollups count (the sample data names them; the pipeline does not). */
  public static final String CLICK = "click";
  public static final String CONVERSION = "conversion";
  public static final String QUALIFIED = "qualified";
  public static final String UNQUALIFIED = "unqualified";

  /**
   * About 9 impressions per click (a CTR near 11 %, usual for job boards); of the rest 70 % clicks and 10 % each of
   * conversions, qualified and unqualified applications.
   */
  public static final TrackMix DEFAULT = new TrackMix(0.70, 0.10, 0.10, 0.10, 0, 6.3);

  /** A mix without impressions. */
  public TrackMix(double click, double conversion, double qualified, double unqualified, double other) {
    this(click, conversion, qualified, unqualified, other, 0);
  }

  /** @throws ConfigException naming every weight that is negative or not finite, or all weights being zero */
  public TrackMix {
    List<String> problems = new ArrayList<>();
    check("click", click, problems);
    check("conversion", conversion, problems);
    check("qualified", qualified, problems);
    check("unqualified", unqualified, problems);
    check("other", other, problems);
    check("impression", impression, problems);
    if (problems.isEmpty() && click + conversion + qualified + unqualified + other + impression <= 0) {
      problems.add("generator.mix.* weights must not all be 0");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** Each value's share of events, in the order click, conversion, qualified, unqualified, impression, other. */
  double[] shares() {
    double sum = click + conversion + qualified + unqualified + impression + other;
    return new double[] {click / sum, conversion / sum, qualified / sum, unqualified / sum, impression / sum, other / sum};
  }

  /** The counted {@code custom_track} values in the order of {@link #shares()}; impressions and "other" are not among them. */
  static List<String> countedValues() {
    return List.of(CLICK, CONVERSION, QUALIFIED, UNQUALIFIED);
  }

  private static void check(String name, double weight, List<String> problems) {
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      problems.add("generator.mix." + name + " must be a finite number >= 0, got " + weight);
    }
  }
}
