package io.trackpipe.cli.settings;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is written for people; this keeps it from falling behind the code. */
class DocumentedSettingsTest {

  @Test
  void everySettingIsDocumentedWithItsDefault() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    for (Setting<?> setting : TrackpipeSettings.ALL) {
      assertThat(docs).as("docs/configuration.md documents " + setting.key()).contains("`" + setting.key() + "`");
      if (setting.defaultValue() != null && !setting.secret()) {
        assertThat(docs).as("docs/configuration.md shows the default of " + setting.key())
            .contains("`" + setting.key() + "` | " + setting.type().name() + " | `" + formatted(setting) + "`");
      }
    }
  }

  private static <T> String formatted(Setting<T> setting) {
    return setting.format(setting.defaultValue());
  }
}
