package io.trackpipe.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.DecodedEvent;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;
import io.trackpipe.rollup.Metric;
import io.trackpipe.rollup.RollupDefinition;
import io.trackpipe.rollup.TotalsView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in shop domain: its fields, the id hashed from all of them, and the seed's four price rules. */
class EcommerceDomainTest {
  private static final long NOW = 1_772_400_000_000L;
  private final Domain shop = DomainCatalog.load(List.of(), List.of()).domain(DomainCatalog.ECOMMERCE).orElseThrow();
  private final EventDecoder decoder = new EventDecoder(shop.schema(), EventLimits.DEFAULT);

  @Test
  void loadsAsABuiltInDomainWithTheSeedsTablesAndViews() {
    assertThat(DomainCatalog.load(List.of(), List.of()).names()).containsExactly("job-ads", "ecommerce", "clickstream");
    assertThat(shop.topics()).isEqualTo(new DomainTopics("ecommerce-events", "ecommerce-events-dead-letter"));
    assertThat(shop.rawTable()).isEqualTo("ecommerce_events");
    assertThat(shop.schema().fieldNames()).containsExactly("user_id", "type_of_event", "timestamp", "product_id", "price");
    assertThat(shop.rollups().rollups()).extracting(RollupDefinition::table)
        .containsExactly("product_daily", "event_count_daily", "daily_events", "shop_hourly", "shop_hourly_product");
    assertThat(shop.rollups().rollups().stream().flatMap(r -> r.views().stream()).map(TotalsView::name))
        .containsExactly("product_count", "event_count");
    assertThat(shop.rollups().rollup("product_daily").orElseThrow().metric("product_user_impressions"))
        .hasValueSatisfying(m -> assertThat(m.kind()).isEqualTo(Metric.Kind.DISTINCT));
    assertThat(shop.dashboard().tiles()).contains("revenue", "orders", "views", "conversion", "return_rate");
  }

  @Test
  void rollupDefinitionsExtendJobAdsOnly(@TempDir Path dir) throws Exception {
    Path extra = Files.writeString(dir.resolve("extra.yaml"), """
        rollups:
          - name: clicks_by_group
            dimensions: [group_id, {name: dates, time: day}]
            metrics: [{name: clicks, kind: count}]
        """);
    DomainCatalog catalog = DomainCatalog.load(List.of(), List.of(extra));
    assertThat(catalog.jobAds().rollups().rollup("clicks_by_group")).isPresent();
    assertThat(catalog.domain(DomainCatalog.ECOMMERCE).orElseThrow().rollups().rollups()).hasSameSizeAs(shop.rollups().rollups());
  }

  @Test
  void decodesAShopEventAndHashesItsIdFromAllFiveFields() {
    DecodedEvent purchase = accepted("{\"user_id\":7,\"type_of_event\":\"purchase\",\"timestamp\":\"2026-03-01 10:15:30\","
        + "\"product_id\":42,\"price\":19.99}");
    assertThat(purchase.eventTimeMillis()).isEqualTo(1_772_360_130_000L);
    assertThat(purchase.value(shop.schema().indexOf("price"))).isEqualTo(1999L);
    assertThat(purchase.id()).hasSize(32);
    // The same event in another time format is the same event: a duplicate.
    assertThat(accepted("{\"user_id\":7,\"type_of_event\":\"purchase\",\"timestamp\":1772360130000,\"product_id\":42,"
        + "\"price\":19.990}").id()).isEqualTo(purchase.id());
    assertThat(accepted("{\"user_id\":7,\"type_of_event\":\"purchase\",\"timestamp\":\"2026-03-01T10:15:30Z\","
        + "\"product_id\":42,\"price\":20}").id()).isNotEqualTo(purchase.id());
  }

  @Test
  void eachPriceRuleIsADeadLetterWithItsOwnReason() {
    assertRule("purchase", "0", "rule:purchase_price_positive", "a purchase has a price above 0");
    assertRule("purchase", "-5.00", "rule:purchase_price_positive", "a purchase has a price above 0");
    assertRule("return", "0", "rule:return_price_negative", "a return has a negative price (the refund)");
    assertRule("return", "5.00", "rule:return_price_negative", "a return has a negative price (the refund)");
    assertRule("view", "0.01", "rule:view_price_zero", "a view has price 0");
    assertRule("cart", "-1", "rule:cart_price_zero", "a cart has price 0");
    accepted(event("view", "0"));
    accepted(event("cart", "0.00"));
    accepted(event("purchase", "0.01"));
    accepted(event("return", "-0.01"));
  }

  @Test
  void refusesWhatTheSchemaForbids() {
    rejected("{\"user_id\":1,\"type_of_event\":\"wishlist\",\"timestamp\":1772360130000,\"product_id\":1,\"price\":0}",
        RejectReason.INVALID_VALUE, "'type_of_event' is \"wishlist\", not one of [view, cart, purchase, return]");
    rejected("{\"user_id\":1,\"type_of_event\":\"view\",\"timestamp\":1772360130000,\"price\":0}",
        RejectReason.MISSING_FIELD, "'product_id'");
    rejected("{\"user_id\":1,\"type_of_event\":\"view\",\"timestamp\":1772360130000,\"product_id\":1,\"price\":\"0\"}",
        RejectReason.WRONG_TYPE, "'price'");
    rejected("{\"user_id\":1,\"type_of_event\":\"view\",\"timestamp\":1772360130000,\"product_id\":1,\"price\":0,\"qty\":1}",
        RejectReason.UNKNOWN_FIELD, "unknown field 'qty'");
  }

  private static String event(String type, String price) {
    return "{\"user_id\":3,\"type_of_event\":\"" + type + "\",\"timestamp\":\"2026-03-01T10:15:30Z\",\"product_id\":9,"
        + "\"price\":" + price + "}";
  }

  private void assertRule(String type, String price, String code, String message) {
    assertThat(decoder.decode(event(type, price), NOW)).as("%s at %s", type, price)
        .isInstanceOfSatisfying(DecodeResult.Rejected.class, r -> {
          assertThat(r.reason()).isEqualTo(RejectReason.RULE_VIOLATED);
          assertThat(r.code()).isEqualTo(code);
          assertThat(r.message()).isEqualTo(message);
        });
  }

  private DecodedEvent accepted(String json) {
    DecodeResult result = decoder.decode(json, NOW);
    assertThat(result).as(json).isInstanceOf(DecodeResult.Accepted.class);
    return ((DecodeResult.Accepted) result).event();
  }

  private void rejected(String json, RejectReason reason, String message) {
    assertThat(decoder.decode(json, NOW)).isInstanceOfSatisfying(DecodeResult.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(reason);
      assertThat(r.message()).contains(message);
    });
  }
}
