package io.trackpipe.spark.hive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.RollupCatalog;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which tables an export copies and how it partitions them, from the definitions alone; the export's small values. */
class ExportTableTest {

  @Test
  void everyRollupTableOfJobAdsIsPartitionedByItsDayColumn() {
    Domain jobAds = DomainCatalog.load(List.of(), List.of()).jobAds();
    List<ExportTable> tables = ExportTable.of(jobAds);
    assertThat(tables).extracting(ExportTable::name)
        .containsExactlyElementsOf(jobAds.rollups().rollups().stream().map(r -> r.table()).toList());
    assertThat(tables).allSatisfy(t -> assertThat(t.dayColumn()).contains("dates"));
  }

  @Test
  void aDistinctMetricsSideTableComesBeforeItsRollupAndAnHourOnlyRollupHasNoDay() {
    RollupCatalog rollups = RollupCatalog.parse("test.yaml", """
        rollups:
          - name: by_hour
            dimensions:
              - {name: hour, time: hour}
            metrics:
              - {name: events, kind: count}
              - {name: users, kind: distinct, of: job_id}
          - name: by_day
            dimensions:
              - {name: day, time: day}
            metrics:
              - {name: events, kind: count}
        """);
    Domain domain = DomainCatalog.load(List.of(), List.of()).jobAds().withRollups(rollups);
    assertThat(ExportTable.of(domain)).containsExactly(new ExportTable("by_hour__users", Optional.empty()),
        new ExportTable("by_hour", Optional.empty()), new ExportTable("by_day", Optional.of("day")));
  }

  @Test
  void aRangeIncludesItsFirstDayAndExcludesItsLast() {
    DateRange range = new DateRange(LocalDate.parse("2024-05-02"), LocalDate.parse("2024-05-04"));
    assertThat(range.contains(LocalDate.parse("2024-05-01"))).isFalse();
    assertThat(range.contains(LocalDate.parse("2024-05-02"))).isTrue();
    assertThat(range.contains(LocalDate.parse("2024-05-03"))).isTrue();
    assertThat(range.contains(LocalDate.parse("2024-05-04"))).isFalse();
    assertThatThrownBy(() -> new DateRange(LocalDate.parse("2024-05-02"), LocalDate.parse("2024-05-02")))
        .hasMessageContaining("must be before");
  }

  @Test
  void aLocalWarehouseFolderBecomesAnAbsoluteFileUriAndAUriIsKept() {
    HiveConfig local = new HiveConfig("data/hive/warehouse/", Path.of("m"), Optional.empty(), "trackpipe");
    assertThat(local.warehouseUri()).startsWith("file:/").endsWith("/data/hive/warehouse")
        .contains(Path.of("").toAbsolutePath().toString());
    assertThat(new HiveConfig("hdfs://nn:8020/warehouse/", Path.of("m"), Optional.empty(), "t").warehouseUri())
        .isEqualTo("hdfs://nn:8020/warehouse");
    assertThat(local.embeddedMetastore()).isTrue();
    assertThat(new HiveConfig("w", Path.of("m"), Optional.of("thrift://h:9083"), "t").embeddedMetastore()).isFalse();
  }

  @Test
  void formatsParseByTheirOptionNames() {
    assertThat(ExportFormat.parse("CSV")).contains(ExportFormat.CSV);
    assertThat(ExportFormat.parse("parquet")).contains(ExportFormat.PARQUET);
    assertThat(ExportFormat.parse("orc")).isEmpty();
    assertThat(ExportFormat.names()).isEqualTo("parquet, csv");
  }
}
