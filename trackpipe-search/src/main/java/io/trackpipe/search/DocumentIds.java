package io.trackpipe.search;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A row's document id, made from its key values alone: the same row always gets the same id, so indexing it again
 * overwrites its document. The values' canonical texts joined by {@code |} ({@code \} and {@code |} inside a value are
 * escaped with {@code \}), e.g. {@code 42|2026-12-06|14|0|0|0}; ids longer than the 512 bytes OpenSearch allows are
 * replaced by {@code sha256:} and the hex SHA-256 of that text.
 */
public final class DocumentIds {

  /** OpenSearch's and Elasticsearch's limit on an id's UTF-8 length. */
  static final int MAX_ID_BYTES = 512;

  private DocumentIds() {}

  /** @param keyValues the key columns' values in key order, as {@link SearchFieldType#read} gives them (never null) */
  public static String of(List<String> keyValues) {
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < keyValues.size(); i++) {
      if (i > 0) id.append('|');
      String value = keyValues.get(i);
      if (value == null) {
        throw new IllegalArgumentException("key value " + i + " is null: a primary key column cannot be null");
      }
      for (int c = 0; c < value.length(); c++) {
        char ch = value.charAt(c);
        if (ch == '|' || ch == '\\') id.append('\\');
        id.append(ch);
      }
    }
    String text = id.toString();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_ID_BYTES && !text.startsWith("sha256:")) {
      return text;
    }
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
