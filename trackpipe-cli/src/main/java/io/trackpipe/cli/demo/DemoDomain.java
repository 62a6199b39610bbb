package io.trackpipe.cli.demo;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import io.trackpipe.domain.DomainCatalog;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;

/**
 * A built-in domain the demo generates next to job ads, at a rate of its own: the setting of the rate and what the
 * banner prints about it. One list, {@link #BUILT_IN}, so every domain runs the same way.
 *
 * @param domain the domain's name in the catalogue
 * @param label the banner's name of the block (at most 9 characters, to line up)
 * @param rate events per second of its generator; 0 runs none
 * @param tables the tables worth querying and the doc that explains them
 * @param queries SQL the banner offers to run with mysql
 * @param sampleEvent an event to send with curl, at the given time
 */
public record DemoDomain(String domain, String label, Setting<Double> rate, String tables, List<String> queries,
    Function<Instant, String> sampleEvent) {

  public DemoDomain {
    requireNonNull(domain, "domain is null");
    requireNonNull(label, "label is null");
    requireNonNull(rate, "rate is null");
    requireNonNull(tables, "tables is null");
    queries = List.copyOf(queries);
    requireNonNull(sampleEvent, "sampleEvent is null");
  }

  public static final Setting<Double> ECOMMERCE_RATE = rate("demo.ecommerce-rate", "the shop (built-in ecommerce domain)");
  public static final Setting<Double> CLICKSTREAM_RATE = rate("demo.clickstream-rate",
      "the web clickstream (built-in clickstream domain)");

  /** The built-in domains the demo runs next to job ads, in the banner's order. */
  public static final List<DemoDomain> BUILT_IN = List.of(
      new DemoDomain(DomainCatalog.ECOMMERCE, "Shop", ECOMMERCE_RATE,
          "product_count, event_count, daily_events, shop_hourly, product_daily (docs/ecommerce.md)",
          List.of("SELECT * FROM product_count ORDER BY product_revenue DESC LIMIT 10",
              "SELECT * FROM daily_events ORDER BY dates DESC"),
          now -> "{\"user_id\":7,\"type_of_event\":\"purchase\",\"timestamp\":\"" + now.truncatedTo(ChronoUnit.SECONDS)
              + "\",\"product_id\":1001,\"price\":19.99}"),
      new DemoDomain(DomainCatalog.CLICKSTREAM, "Web", CLICKSTREAM_RATE,
          "url_daily, url_totals, country_daily, city_daily, technology_daily, site_hourly (docs/clickstream.md)",
          List.of("SELECT * FROM url_totals ORDER BY unique_users DESC LIMIT 10",
              "SELECT * FROM country_daily ORDER BY dates DESC, unique_users DESC LIMIT 10"),
          now -> "{\"user_id\":\"c0ffee42\",\"timestamp\":\"" + now.truncatedTo(ChronoUnit.MILLIS)
              + "\",\"url\":\"https://www.example-shop.com/pricing\",\"country\":\"Vietnam\",\"city\":\"Hanoi\","
              + "\"browser\":\"Firefox\",\"os\":\"Linux\",\"device\":\"desktop\"}"));

  private static Setting<Double> rate(String key, String what) {
    return Setting.of(key, ValueType.NUMBER, 100.0, "Events per second of " + what + " generator the demo runs next to"
        + " job ads; 0: none.").checked(r -> r >= 0 && r <= 1_000_000, "0 to 1000000");
  }
}
