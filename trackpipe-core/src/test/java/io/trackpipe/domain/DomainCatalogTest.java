package io.trackpipe.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DomainCatalogTest {
  private static final String SIGNUPS = """
      name: signups
      fields:
        - {name: account_id, type: integer, min: 1, required: true}
        - {name: at, type: timestamp, formats: [iso-8601, epoch-seconds]}
        - {name: plan, type: enum, values: [free, pro]}
        - {name: amount, type: decimal, scale: 2, min: 0, max: 1000}
        - {name: country, type: text, max-length: 2}
        - {name: confirmed, type: boolean, null: refuse}
      id: {hash-of: [account_id, at, plan]}
      time: {field: at}
      partition-key: [account_id]
      unknown-fields: ignore
      derived:
        - {name: paid, expression: "amount > 0"}
      rules:
        - {name: pro_pays, when: "plan = 'pro'", require: "amount > 0", message: "a pro signup has an amount"}
      rollups:
        - name: signups_daily
          dimensions: [plan, {name: dates, time: day}, {name: hours, time: hour-of-day}]
          metrics:
            - {name: signups, kind: count}
            - {name: revenue, kind: sum, of: amount}
      dashboard:
        tables: [signups_daily]
        measures:
          - {name: signups, label: Signups, sum: signups}
          - {name: revenue, label: Revenue, format: money, sum: revenue}
          - {name: revenue_per_signup, label: Revenue per signup, format: money, numerator: revenue, denominator: signups}
        dimensions: [{name: plan, label: Plan}]
        tiles: [signups, revenue, revenue_per_signup]
        time-chart: [signups]
        top: {dimensions: [plan], measures: [signups]}
        filters: [plan]
      """;

  @Test
  void aUsersDomainLoadsNextToTheBuiltInOnesWithItsDefaults(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("signups.yaml"), SIGNUPS);
    DomainCatalog catalog = DomainCatalog.load(List.of(file), List.of());
    assertThat(catalog.names()).containsExactly("job-ads", "ecommerce", "clickstream", "signups");
    Domain signups = catalog.domain("signups").orElseThrow();
    assertThat(signups.topics()).isEqualTo(new DomainTopics("signups-events", "signups-events-dead-letter"));
    assertThat(signups.sink()).isEqualTo("signups-stream");
    assertThat(signups.rawTable()).isEqualTo("signups_events");
    assertThat(signups.schema().id().hashOf()).containsExactly("account_id", "at", "plan");
    assertThat(signups.schema().rules()).singleElement().extracting(Rule::reason).isEqualTo("rule:pro_pays");
    assertThat(signups.dashboard().measure("revenue_per_signup").orElseThrow().ratio()).isTrue();
  }

  @Test
  void reportsEveryProblemOfABadDefinitionAtOnce(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.yaml"), """
        name: bad
        fields:
          - {name: when, type: datetime}
          - {name: price, type: decimal, max-length: 3}
          - {name: event_id, type: text}
          - {name: kind, type: enum}
        time: {field: price}
        rules:
          - {name: r1, require: "prize > 0"}
          - {name: r2, require: "price >> 0"}
        rollups:
          - name: bad_daily
            dimensions: [kind, {name: dates, time: day}]
            metrics: [{name: n, kind: count}]
        dashboard:
          tables: [bad_daily, nowhere]
          measures: [{name: n, sum: n}, {name: share, numerator: n, denominator: missing}]
          tiles: [n, ghost]
        """);
    assertThatThrownBy(() -> DomainCatalog.load(List.of(file), List.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).allMatch(p -> p.startsWith(file + " (domain 'bad')"))
            .anyMatch(p -> p.contains("field 'when': unknown type 'datetime'"))
            .anyMatch(p -> p.contains("field 'price': max-length applies to text and any fields only"))
            .anyMatch(p -> p.contains("field 'event_id': the name is reserved"))
            .anyMatch(p -> p.contains("field 'kind': an enum field needs 'values'"))
            .anyMatch(p -> p.contains(", id: missing"))
            .anyMatch(p -> p.contains(", time: 'price' is a decimal field, not a timestamp"))
            .anyMatch(p -> p.contains("rule 'r2', require: unknown operator '>>'"))
            .anyMatch(p -> p.contains("dashboard, tables: 'nowhere' is not a rollup table"))
            .anyMatch(p -> p.contains("dashboard, tables: the first, 'bad_daily', needs a time: hour-of-day dimension"))
            .anyMatch(p -> p.contains("measure 'share': 'missing' is not a measure declared before it"))
            .anyMatch(p -> p.contains("dashboard, tiles: 'ghost' is not a declared measure")));
  }

  @Test
  void aRuleNamingAFieldThatDoesNotExistIsRefused(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("signups.yaml"), SIGNUPS.replace("require: \"amount > 0\"", "require: \"amunt > 0\""));
    assertThatThrownBy(() -> DomainCatalog.load(List.of(file), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("rule 'pro_pays', require: 'amunt' is not a field of the event");
  }

  @Test
  void twoDomainsCannotShareATopicOrATable(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("clash.yaml"), SIGNUPS.replace("name: signups\n",
        "name: clash\ntopics: {events: tracking-events}\n").replace("signups_daily", "events"));
    assertThatThrownBy(() -> DomainCatalog.load(List.of(file), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("topic 'tracking-events' is already used by domains/job-ads.yaml (domain 'job-ads')")
        .hasMessageContaining("warehouse table 'events' is already used by domains/job-ads.yaml");
  }

  @Test
  void aDashboardDimensionsKindComesFromTheFieldItNames(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("signups.yaml"), SIGNUPS
        .replace("dimensions: [plan, {name: dates", "dimensions: [plan, country, account_id, {name: paid_key, column: \"CAST(paid AS STRING)\"}, {name: dates")
        .replace("dimensions: [{name: plan, label: Plan}]", "dimensions: [{name: plan, label: Plan}, {name: country},"
            + " {name: account, column: account_id}, {name: paid, column: paid_key, type: text}]"));
    DashboardDefinition dashboard = DomainCatalog.load(List.of(file), List.of()).domain("signups").orElseThrow().dashboard();
    DashboardDefinition.DashboardDimension plan = dashboard.dimension("plan").orElseThrow();
    assertThat(plan.kind()).isEqualTo(DashboardDefinition.Kind.TEXT);
    assertThat(plan.values()).containsExactly("free", "pro");
    assertThat(plan.isEnum()).isTrue();
    DashboardDefinition.DashboardDimension country = dashboard.dimension("country").orElseThrow();
    assertThat(country.isEnum()).isFalse();
    assertThat(country.maxLength()).as("the field's max-length").isEqualTo(2);
    assertThat(dashboard.dimension("account").orElseThrow().kind()).isEqualTo(DashboardDefinition.Kind.ID);
    DashboardDefinition.DashboardDimension paid = dashboard.dimension("paid").orElseThrow();
    assertThat(paid.kind()).as("declared for an expression").isEqualTo(DashboardDefinition.Kind.TEXT);
    assertThat(paid.maxLength()).as("a key column's length").isEqualTo(DomainCatalog.TEXT_KEY_CHARS);
    DashboardDefinition.DashboardDimension company = DomainCatalog.load(List.of(), List.of()).jobAds().dashboard()
        .dimension("company").orElseThrow();
    assertThat(company.kind()).as("job-ads' lookup column, declared").isEqualTo(DashboardDefinition.Kind.ID);
  }

  @Test
  void badDashboardDimensionsAreReportedTogether(@TempDir Path dir) throws Exception {
    String longValue = "x".repeat(DomainCatalog.TEXT_KEY_CHARS + 1);
    Path file = Files.writeString(dir.resolve("signups.yaml"), SIGNUPS
        .replace("values: [free, pro]", "values: [free, pro, " + longValue + "]")
        .replace("dimensions: [plan, {name: dates", "dimensions: [plan, country, amount, {name: paid_key, column: \"CAST(paid AS STRING)\"}, {name: dates")
        .replace("dimensions: [{name: plan, label: Plan}]", "dimensions: [{name: plan, label: Plan}, {name: ghost},"
            + " {name: money, column: amount}, {name: paid, column: paid_key}, {name: mistyped, column: country, type: id},"
            + " {name: day, column: dates}, {name: kind, column: paid_key, type: colour},"
            + " {name: named, column: country, names: {table: country}}]"));
    assertThatThrownBy(() -> DomainCatalog.load(List.of(file), List.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems())
            .anyMatch(p -> p.contains("dimension 'plan': enum value(s) longer than the 191 characters a key column keeps"))
            .anyMatch(p -> p.contains("dimension 'ghost': column 'ghost' is not a dimension or attribute of table 'signups_daily'"))
            .anyMatch(p -> p.contains("dimension 'money': column 'amount' holds the decimal field 'amount'; a dashboard dimension is an integer id or a text"))
            .anyMatch(p -> p.contains("dimension 'paid': column 'paid_key' is not an event field, so its values' type is unknown: declare type: id"))
            .anyMatch(p -> p.contains("dimension 'mistyped': type id contradicts the text field 'country'"))
            .anyMatch(p -> p.contains("dimension 'day': column 'dates' is the time: day bucket"))
            .anyMatch(p -> p.contains("dimension 'kind': unknown type 'colour' (expected id or text)"))
            .anyMatch(p -> p.contains("dimension 'named', names: a text dimension shows its values as they are")));
  }

  @Test
  void aMissingFileIsNamed() {
    assertThatThrownBy(() -> DomainCatalog.load(List.of(Path.of("no-such-domain.yaml")), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no-such-domain.yaml: no such file (domain.definitions)");
  }

  static Domain signups() {
    return DomainCatalog.parse("signups.yaml", SIGNUPS);
  }
}
