package io.trackpipe.rollup;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Which rollups run in addition to the job-ads domain's own.
 *
 * @param definitionFiles YAML files with rollups and lookups added to the job-ads domain
 */
public record RollupConfig(List<Path> definitionFiles) {
  public static final Setting<String> DEFINITIONS = Setting.of("rollup.definitions", ValueType.STRING, "",
      "Comma-separated YAML files of rollups (and lookups) to compute in addition to the built-in job-ads ones; see docs/rollups.md.");

  /** What an event's kind is comes from the job-ads domain's derived column {@code event_kind} now. */
  private static final String RETIRED = "unset: an event's kind is the derived column event_kind of the job-ads domain"
      + " (domains/job-ads.yaml) since domains are definition files; to classify events differently, declare your own"
      + " domain with its own derived column (docs/rollups.md)";
  public static final Setting<String> IMPRESSION_TRACKS = Setting.of("rollup.impression-tracks", ValueType.STRING, null,
      "Retired: refused at start-up. Which custom_track values are impressions is the job-ads domain's derived column"
          + " event_kind (custom_track impression, empty or missing).").checked(v -> false, RETIRED);
  public static final Setting<String> UNTRACKED_IS_IMPRESSION = Setting.of("rollup.untracked-is-impression",
      ValueType.STRING, null, "Retired: refused at start-up. An event without custom_track is an impression, as the"
          + " job-ads domain's derived column event_kind declares.").checked(v -> false, RETIRED);

  public static final List<Setting<?>> SETTINGS = List.of(DEFINITIONS, IMPRESSION_TRACKS, UNTRACKED_IS_IMPRESSION);

  public static final RollupConfig DEFAULT = new RollupConfig(List.of());

  public RollupConfig {
    definitionFiles = List.copyOf(definitionFiles);
  }

  public static RollupConfig from(Configuration config) {
    return new RollupConfig(split(config.get(DEFINITIONS)).stream().map(Path::of).toList());
  }

  /**
   * The built-in and configured definitions.
   *
   * @throws ConfigException with every problem of every file
   */
  public RollupCatalog catalog() {
    return RollupCatalog.load(definitionFiles);
  }

  private static List<String> split(String list) {
    return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
