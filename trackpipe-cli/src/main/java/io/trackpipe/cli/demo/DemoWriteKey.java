package io.trackpipe.cli.demo;

import io.trackpipe.fs.Folders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The demo collector's write key: random, made on the first start and kept in the demo's data folder, so trackers
 * and scripts pointed at the demo keep working across restarts. No credential is in the code.
 */
final class DemoWriteKey {
  static final String FILE_NAME = "collector-write-key";

  private DemoWriteKey() {}

  static String loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    try {
      if (Files.isRegularFile(file)) {
        String key = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!key.isEmpty()) return key;
      }
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      String key = HexFormat.of().formatHex(random);
      Files.createDirectories(dataDir);
      Folders.writePrivately(file, key + "\n");
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or write the demo's write key in " + file, e);
    }
  }
}
