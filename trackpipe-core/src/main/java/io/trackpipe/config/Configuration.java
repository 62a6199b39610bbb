package io.trackpipe.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Effective configuration: defaults, then a YAML file, then {@code TRACKPIPE_*} environment variables, then
 * command-line overrides, each layer winning over the previous. Every key is checked against the declared
 * {@link Setting}s at load time and all problems are reported together.
 *
 * <p>Components bind their typed records with {@link #get}; cross-key rules go through {@link #check}, and
 * the caller ends binding with {@link #throwIfInvalid()} so those are reported together too.
 */
public final class Configuration {
  private static final String ENV_PREFIX = "TRACKPIPE_";
  /** Environment variables with our prefix that are not settings (the launcher's own). */
  private static final List<String> NON_SETTING_ENV = List.of("TRACKPIPE_CONFIG", "TRACKPIPE_HOME", "TRACKPIPE_JAVA_OPTS");

  private final Map<String, Setting<?>> settings;
  private final Map<String, Object> values;
  private final Map<String, String> origins;
  private final List<String> problems = new ArrayList<>();

  private Configuration(Map<String, Setting<?>> settings, Map<String, Object> values, Map<String, String> origins) {
    this.settings = settings;
    this.values = values;
    this.origins = origins;
  }

  /**
   * @param file optional YAML file
   * @param environment usually {@code System.getenv()}
   * @param overrides {@code key=value} pairs from the command line; a key mapped to null is reset to its default,
   *     whatever the file or the environment say (the demo's embedded servers are plaintext on loopback, whatever
   *     security settings a production configuration holds)
   */
  public static Configuration load(
      Optional<Path> file, Map<String, String> environment, Map<String, String> overrides, Collection<Setting<?>> known) {
    Map<String, Setting<?>> settings = new LinkedHashMap<>();
    for (Setting<?> s : known) {
      if (settings.put(s.key(), s) != null) {
        throw new IllegalStateException("setting declared twice: " + s.key());
      }
    }
    List<String> problems = new ArrayList<>();
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();

    if (file.isPresent()) {
      Path path = file.get();
      try {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(path));
        if (root != null && !root.isMissingNode() && !root.isNull()) {
          if (!root.isObject()) {
            problems.add(path + ": expected a map of settings at the top level");
          } else {
            flatten("", root, path.toString(), raw, origins, problems);
          }
        }
      } catch (IOException e) {
        problems.add("cannot read config file " + path + ": " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    Map<String, String> envToKey = new LinkedHashMap<>();
    settings.values().forEach(s -> envToKey.put(s.environmentVariable(), s.key()));
    for (var e : new java.util.TreeMap<>(environment).entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX) || NON_SETTING_ENV.contains(e.getKey())) continue;
      String key = envToKey.get(e.getKey());
      if (key == null) {
        problems.add("environment variable " + e.getKey() + " matches no setting" + suggestion(e.getKey(), envToKey.keySet()));
        continue;
      }
      raw.put(key, e.getValue());
      origins.put(key, "environment " + e.getKey());
    }
    overrides.forEach((key, value) -> {
      if (value == null) {
        raw.remove(key);
        if (settings.containsKey(key)) origins.put(key, "default (reset by the command)");
      } else {
        raw.put(key, value);
        origins.put(key, "command line");
      }
    });

    Map<String, Object> values = new LinkedHashMap<>();
    for (var e : raw.entrySet()) {
      Setting<?> setting = settings.get(e.getKey());
      if (setting == null) {
        problems.add("unknown setting '" + e.getKey() + "' (from " + origins.get(e.getKey()) + ")"
            + suggestion(e.getKey(), settings.keySet()));
        continue;
      }
      parseInto(setting, e.getValue(), origins.get(e.getKey()), values, problems);
    }
    for (Setting<?> s : settings.values()) {
      if (!values.containsKey(s.key()) && s.defaultValue() != null) {
        values.put(s.key(), s.defaultValue());
        origins.putIfAbsent(s.key(), "default");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Configuration(settings, values, origins);
  }

  private static <T> void parseInto(
      Setting<T> setting, String text, String origin, Map<String, Object> values, List<String> problems) {
    T value;
    try {
      value = setting.type().parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(setting.key() + " (from " + origin + "): " + e.getMessage());
      return;
    }
    if (!setting.check().test(value)) {
      problems.add(setting.key() + " (from " + origin + "): must be " + setting.checkDescription()
          + ", got '" + (setting.secret() ? "******" : text) + "'");
      return;
    }
    values.put(setting.key(), value);
  }

  private static void flatten(
      String prefix, JsonNode node, String file, Map<String, String> raw, Map<String, String> origins, List<String> problems) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      var e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode value = e.getValue();
      if (value.isObject()) {
        flatten(key, value, file, raw, origins, problems);
      } else if (value.isArray()) {
        problems.add(key + " (from " + file + "): lists are not supported here");
      } else if (!value.isNull()) {
        raw.put(key, value.asText());
        origins.put(key, file);
      }
    }
  }

  /** Did-you-mean for typos: the known name sharing the longest prefix, if it shares a meaningful part. */
  private static String suggestion(String unknown, Collection<String> known) {
    String best = null;
    int bestScore = 0;
    for (String candidate : known) {
      int score = commonPrefix(unknown, candidate);
      if (score > bestScore) {
        bestScore = score;
        best = candidate;
      }
    }
    return best != null && bestScore >= Math.min(6, unknown.length()) ? "; did you mean '" + best + "'?" : "";
  }

  private static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) i++;
    return i;
  }

  /** The typed value, or null for an optional setting left unset. */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    if (!settings.containsKey(setting.key())) {
      throw new IllegalStateException("setting not declared to this configuration: " + setting.key());
    }
    return (T) values.get(setting.key());
  }

  /** The value of a setting that must be set; a missing one is recorded as a problem. */
  public <T> T require(Setting<T> setting) {
    T value = get(setting);
    if (value == null) {
      problems.add(setting.key() + " is required (" + setting.description() + "); set it in the config file, with "
          + setting.environmentVariable() + ", or with --set " + setting.key() + "=…");
    }
    return value;
  }

  /** Records a cross-key rule violation; binding goes on so that all problems are reported together. */
  public void check(boolean ok, String problem) {
    if (!ok) problems.add(problem);
  }

  public void throwIfInvalid() {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** Every declared setting with its effective value (secrets masked), origin and description: {@code trackpipe config}. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    for (String key : new TreeSet<>(settings.keySet())) {
      out.append(describeOne(settings.get(key)));
    }
    return out.toString();
  }

  private <T> String describeOne(Setting<T> s) {
    T value = get(s);
    return String.format("%s = %s%n    %s [%s, from %s; env %s]%n", s.key(), value == null ? "(unset)" : s.format(value),
        s.description(), s.type().name(), origins.getOrDefault(s.key(), "unset"), s.environmentVariable());
  }
}
