package io.trackpipe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.cli.settings.TrackpipeSettings;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.rollup.RollupDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the demo's banner says about each built-in domain it generates is true of that domain's definition. */
class DemoDomainTest {
  private static final DomainCatalog CATALOG = DomainCatalog.load(List.of(), List.of());

  @Test
  void everyBuiltInDomainButJobAdsRunsAtARateOfItsOwnSetting() {
    assertThat(DemoDomain.BUILT_IN).extracting(DemoDomain::domain)
        .containsExactlyElementsOf(CATALOG.names().subList(1, CATALOG.names().size()));
    assertThat(DemoDomain.BUILT_IN).extracting(d -> d.rate().key())
        .containsExactly("demo.ecommerce-rate", "demo.clickstream-rate");
    for (DemoDomain d : DemoDomain.BUILT_IN) {
      assertThat(DemoConfig.SETTINGS).contains(d.rate());
      assertThat(TrackpipeSettings.ALL).contains(d.rate());
      assertThat(d.rate().defaultValue()).isEqualTo(100.0);
      assertThat(d.label()).hasSizeLessThanOrEqualTo(9);
    }
  }

  @Test
  void theBannersTablesQueriesAndSampleEventFitTheDomain() {
    for (DemoDomain d : DemoDomain.BUILT_IN) {
      Domain domain = CATALOG.domain(d.domain()).orElseThrow();
      List<String> tables = new ArrayList<>();
      for (RollupDefinition r : domain.rollups().rollups()) {
        tables.add(r.table());
        r.views().forEach(v -> tables.add(v.name()));
      }
      for (String named : d.tables().replaceAll("\\(.*\\)", "").split(",")) {
        assertThat(tables).as(d.domain() + " banner table").contains(named.strip());
      }
      for (String query : d.queries()) {
        Matcher from = Pattern.compile("FROM (\\w+)").matcher(query);
        assertThat(from.find()).isTrue();
        assertThat(tables).as(query).contains(from.group(1));
      }
      Instant now = Instant.now();
      DecodeResult sample = new EventDecoder(domain.schema(), EventLimits.DEFAULT).decode(d.sampleEvent().apply(now),
          now.toEpochMilli());
      assertThat(sample).as(d.domain() + "'s curl example").isInstanceOf(DecodeResult.Accepted.class);
    }
  }
}
