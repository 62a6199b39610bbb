package io.trackpipe.cli.bench;

import io.trackpipe.config.Configuration;
import io.trackpipe.domain.DomainCatalog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The domains {@code bench} streams and each one's share of the events, from its {@code --domain NAME[=SHARE]} options. */
final class BenchShares {
  private BenchShares() {
  }

  /**
   * Shares that add up to 1, in the options' order; job ads alone when none is given. A name without a share gets an
   * equal part of what the named shares leave. Problems are reported to {@code settings}, all of them; the map is then
   * incomplete.
   */
  static Map<String, Double> parse(List<String> options, Configuration settings) {
    if (options.isEmpty()) return Map.of(DomainCatalog.JOB_ADS, 1.0);
    DomainCatalog catalog = DomainCatalog.from(settings);
    Map<String, Double> named = new LinkedHashMap<>();
    double given = 0;
    int unshared = 0;
    for (String option : options) {
      int eq = option.indexOf('=');
      String name = (eq < 0 ? option : option.substring(0, eq)).trim();
      Double share = null;
      if (eq >= 0) {
        try {
          share = Double.parseDouble(option.substring(eq + 1).trim());
        } catch (NumberFormatException e) {
          settings.check(false, "--domain " + option + ": the share must be a number between 0 and 1");
          continue;
        }
        settings.check(share > 0 && share <= 1, "--domain " + option + ": the share must be above 0 and at most 1");
      }
      settings.check(catalog.domain(name).isPresent(), "--domain " + option + ": unknown domain '" + name
          + "'. Known domains: " + String.join(", ", catalog.names()));
      settings.check(!named.containsKey(name), "--domain " + name + " is given twice");
      named.put(name, share);
      if (share == null) unshared++;
      else given += share;
    }
    double rest = 1 - given;
    boolean addsUp = unshared > 0 ? rest > 1e-9 : Math.abs(rest) < 1e-9;
    settings.check(addsUp, unshared > 0
        ? "--domain: the shares given add up to " + given + ", which leaves nothing for the domains named without one"
        : "--domain: the shares add up to " + given + ", not 1");
    Map<String, Double> shares = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : named.entrySet()) {
      shares.put(e.getKey(), e.getValue() != null ? e.getValue() : rest / unshared);
    }
    return shares;
  }
}
