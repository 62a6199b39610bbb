package io.trackpipe.rollup;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.ConfigException;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Which rollups run and how events are classified for them.
 *
 * @param definitionFiles YAML files with rollups and lookups added to the built-in ones
 * @param impressionTracks {@code custom_track} values that mark a view of a job ad
 * @param untrackedIsImpression whether an event without {@code custom_track} (a plain page view, as the seed trackers
 *     send) is an impression
 */
public record RollupConfig(List<Path> definitionFiles, List<String> impressionTracks, boolean untrackedIsImpression) {
  public static final Setting<String> DEFINITIONS = Setting.of("rollup.definitions", ValueType.STRING, "",
      "Comma-separated YAML files of rollups (and lookups) to compute in addition to the built-in job-ads ones; see docs/rollups.md.");
  public static final Setting<String> IMPRESSION_TRACKS = Setting.of("rollup.impression-tracks", ValueType.STRING, "impression",
      "Comma-separated custom_track values that count as an impression (a view of a job ad).");
  public static final Setting<Boolean> UNTRACKED_IS_IMPRESSION = Setting.of("rollup.untracked-is-impression", ValueType.BOOLEAN,
      true, "Whether an event with no or an empty custom_track (a plain page view of the ad) counts as an impression.");

  public static final List<Setting<?>> SETTINGS = List.of(DEFINITIONS, IMPRESSION_TRACKS, UNTRACKED_IS_IMPRESSION);

  public static final RollupConfig DEFAULT = new RollupConfig(List.of(), List.of("impression"), true);

  public RollupConfig {
    definitionFiles = List.copyOf(definitionFiles);
    impressionTracks = List.copyOf(impressionTracks);
  }

  public static RollupConfig from(Configuration config) {
    return new RollupConfig(
        split(config.get(DEFINITIONS)).stream().map(Path::of).toList(),
        split(config.get(IMPRESSION_TRACKS)),
        config.get(UNTRACKED_IS_IMPRESSION));
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
