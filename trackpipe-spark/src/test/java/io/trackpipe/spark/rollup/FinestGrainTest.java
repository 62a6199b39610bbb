package io.trackpipe.spark.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.spark.enrich.DimensionLookups;
import io.trackpipe.spark.ingest.EventColumns;
import io.trackpipe.spark.session.SparkSessions;
import io.trackpipe.warehouse.dimension.LookupTable;
import io.trackpipe.warehouse.dimension.LookupTable.ValueKind;
import io.trackpipe.warehouse.fact.FactBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the stream writes ({@link Rollups#apply}: one aggregation to the {@link FinestGrain}, regrouped per rollup on the
 * driver) equals each rollup's own Spark aggregation ({@link RollupPlan#aggregate}, the definition), row for row and
 * value for value, on random events: every built-in rollup plus one with every metric kind, filters, defaults,
 * expressions and every time bucket, in zones with whole- and half-hour offsets and a daylight-saving change. (The sum
 * of doubles adds quarters, which are exact in binary: any other order of addition could round differently.)
 */
class FinestGrainTest {
  private static final String EVERY_KIND = """
      rollups:
        - name: every_kind
          filter: "coalesce(publisher_id, 0) < 4"
          lookups: [job]
          dimensions:
            - {name: hour, time: hour}
            - {name: weekday, time: day-of-week}
            - {name: kind, column: "upper(event_kind)"}
            - {name: industry, default: "'none'"}
          metrics:
            - {name: events, kind: count}
            - {name: clicks, kind: count-if, where: "event_kind = 'click'"}
            - {name: spend, kind: sum, of: bid, where: "event_kind = 'click'"}
            - {name: publishers, kind: sum, of: publisher_id}
            - {name: quarters, kind: sum, of: "publisher_id / 4"}
            - {name: cheapest, kind: min, of: bid}
            - {name: first_seen, kind: min, of: event_time}
            - {name: last_track, kind: max, of: custom_track}
            - {name: jobs, kind: distinct, of: job_id}
            - {name: campaigns, kind: distinct, of: campaign_id, where: "event_kind <> 'impression'"}
            - {name: avg_bid, kind: average, sum: spend, count: clicks}
            - {name: quarters_per_event, kind: ratio, numerator: quarters, denominator: events}
          attributes: [company_id]
        - name: group_daily
          dimensions:
            - {name: dates, time: day}
            - group_id
          metrics:
            - {name: impressions, kind: count-if, where: "event_kind = 'impression'"}
            - {name: biggest, kind: max, of: bid}
      """;
  private static final String[] TRACKS = {"click", "conversion", "qualified", "unqualified", "impression", "", null, "save_job"};

  private static SparkSession spark;
  private static RollupCatalog catalog;
  /** Job ads with {@link #catalog}'s rollups. */
  private static Domain domain;
  private static DimensionLookups jobs;

  @BeforeAll
  static void startSpark(@TempDir Path folder) throws Exception {
    spark = SparkSessions.local("finest-grain-test");
    catalog = RollupCatalog.load(List.of(Files.writeString(folder.resolve("every-kind.yaml"), EVERY_KIND)));
    domain = DomainCatalog.load(List.of(), List.of()).jobAds().withRollups(catalog);
    jobs = DimensionLookups.of(List.of(LookupTable.of(catalog.lookup("job").orElseThrow(),
        List.of(ValueKind.INTEGER, ValueKind.TEXT),
        Map.of(1L, new Object[] {77L, "Tech"}, 2L, new Object[] {55L, "Retail"}, 3L, new Object[] {55L, null}))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"UTC", "Asia/Kolkata", "America/New_York"})
  void everyRollupFromTheSharedGrainEqualsItsOwnAggregation(String zoneName) throws Exception {
    ZoneId zone = ZoneId.of(zoneName);
    Dataset<Row> events = spark.createDataFrame(randomEvents(3_000, zoneName.hashCode()),
        EventColumns.eventSchema(domain.schema(), false));
    Rollups rollups = Rollups.compile(spark, domain, jobs, zone);

    List<FactBatch> written = rollups.apply(events, "test");

    Dataset<Row> source = jobs.enrich(RollupSource.prepare(events, domain.schema()), List.of("job"));
    for (RollupPlan plan : rollups.plans()) {
      List<List<Object>> expected = asWarehouseValues(plan.aggregate(source));
      List<List<Object>> actual = written.stream().filter(b -> b.table().equals(plan.table())).findFirst().orElseThrow()
          .rows().stream().map(r -> Arrays.asList(r).subList(0, r.length - RollupCatalog.BOOKKEEPING_COLUMNS.size())).toList();
      assertThat(expected).as("rollup %s has rows", plan.definition().name()).isNotEmpty();
      assertThat(actual).as("rollup %s in %s", plan.definition().name(), zone).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  /** Spark rows as the values the warehouse gets, the way {@link Rollups} reads them back. */
  private static List<List<Object>> asWarehouseValues(Dataset<Row> rows) {
    StructField[] fields = rows.schema().fields();
    Column[] asText = Arrays.stream(rows.columns()).map(c -> functions.col(c).cast(DataTypes.StringType)).toArray(Column[]::new);
    return rows.select(asText).collectAsList().stream().map(r -> {
      List<Object> values = new ArrayList<>();
      for (int c = 0; c < fields.length; c++) values.add(Rollups.warehouseValue(r.getString(c), fields[c].dataType()));
      return values;
    }).toList();
  }

  /** Events over three days, with NULLs in every nullable column and jobs in and out of the lookup. */
  private static List<Row> randomEvents(int count, long seed) {
    Random random = new Random(seed);
    long start = Instant.parse("2024-03-09T00:00:00Z").toEpochMilli(); // across the US spring-forward night
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Timestamp time = new Timestamp(start + (long) (random.nextDouble() * 3 * 86_400_000L));
      Long bidMicros = maybe(random, random.nextInt(3_000_000));
      // Job ads' columns: id, time, arrival, create_time, ts, the ids, the bid (scale 6), custom_track.
      rows.add(RowFactory.create("id-" + i, time, time, "id-" + i, time, maybe(random, 1 + random.nextInt(5)),
          maybe(random, random.nextInt(6)), maybe(random, random.nextInt(4)), maybe(random, random.nextInt(3)),
          bidMicros == null ? null : java.math.BigDecimal.valueOf(bidMicros, 6), TRACKS[random.nextInt(TRACKS.length)]));
    }
    return rows;
  }

  private static Long maybe(Random random, long value) {
    return random.nextInt(10) == 0 ? null : value;
  }
}
