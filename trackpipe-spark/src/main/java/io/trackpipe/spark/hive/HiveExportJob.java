package io.trackpipe.spark.hive;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.trackpipe.domain.Domain;
import io.trackpipe.warehouse.WarehouseConfig;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTablePartition;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Copies a domain's warehouse tables into external Hive tables (see docs/hive-export.md). Each rewrite goes to a new run
 * folder through a staging table; the table's location, or its partitions' locations (one metastore call), are then
 * switched to it, so a reader sees the old rows or the new ones, never a mix within a table or a partition. Folders no
 * longer referenced are deleted afterwards. Runs of the export must not overlap (they share the staging tables).
 */
public final class HiveExportJob {
  private static final Logger LOG = LoggerFactory.getLogger(HiveExportJob.class);
  /** The table property recording the format, so that a change of {@code --format} recreates the table. */
  static final String FORMAT_PROPERTY = "trackpipe.export.format";
  /** A run's folder name: sortable, one per run. */
  private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("'run-'yyyyMMdd'T'HHmmss.SSS'Z'");

  private final SparkSession spark;
  private final WarehouseConfig warehouse;
  private final HiveConfig hive;
  private final Clock clock;

  public HiveExportJob(SparkSession spark, WarehouseConfig warehouse, HiveConfig hive, Clock clock) {
    this.spark = requireNonNull(spark, "spark is null");
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
    this.hive = requireNonNull(hive, "hive is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * What one table's export did.
   *
   * @param partitions the partitions written (0 for a table rewritten whole)
   * @param partitionsDropped partitions of the range (or of the whole table) that have no rows in the warehouse any more
   */
  public record TableResult(String table, String hiveTable, boolean partitioned, long rows, int partitions,
      int partitionsDropped, long millis) {}

  /**
   * Exports every table of {@code domain}: whole, or for a {@code range} the partitions of its days (tables without a
   * day column are rewritten whole either way). Tables not in the warehouse yet are left out, with a warning.
   */
  public List<TableResult> export(Domain domain, Optional<DateRange> range, ExportFormat format) throws IOException {
    String runId = RUN_ID.format(clock.instant().atOffset(ZoneOffset.UTC));
    spark.sql("CREATE DATABASE IF NOT EXISTS " + quote(hive.database()) + " LOCATION '" + databaseUri() + "'");
    List<TableResult> results = new ArrayList<>();
    Set<String> inWarehouse = warehouseTables();
    for (ExportTable table : ExportTable.of(domain)) {
      if (!inWarehouse.contains(table.name())) {
        // A domain whose stream or batch has not run yet: nothing to export, and nothing in Hive is touched.
        LOG.warn("Table {} of domain {} is not in the warehouse yet: not exported", table.name(), domain.name());
        continue;
      }
      results.add(export(table, range, format, runId));
    }
    return results;
  }

  private Set<String> warehouseTables() throws IOException {
    try (Connection c = DriverManager.getConnection(warehouse.jdbcUrl(), warehouse.user(), warehouse.password());
        ResultSet rs = c.getMetaData().getTables(c.getCatalog(), null, "%", new String[] {"TABLE"})) {
      Set<String> tables = new HashSet<>();
      while (rs.next()) tables.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
      return tables;
    } catch (SQLException e) {
      throw new IOException("cannot list the tables of the warehouse " + warehouse.jdbcUrl() + ": " + e.getMessage(), e);
    }
  }

  TableResult export(ExportTable table, Optional<DateRange> range, ExportFormat format, String runId) throws IOException {
    long started = System.nanoTime();
    Dataset<Row> source = readWarehouse(table.name());
    Optional<String> partitionColumn = table.dayColumn()
        .filter(c -> source.schema().getFieldIndex(c).isDefined() && source.schema().apply(c).dataType().equals(DataTypes.DateType));
    Dataset<Row> rows = source;
    if (partitionColumn.isPresent() && range.isPresent()) {
      rows = rows.where(col(partitionColumn.get()).geq(lit(Date.valueOf(range.get().from())))
          .and(col(partitionColumn.get()).lt(lit(Date.valueOf(range.get().to())))));
    }
    List<StructField> dataColumns = new ArrayList<>();
    for (StructField f : source.schema().fields()) {
      if (partitionColumn.isEmpty() || !f.name().equals(partitionColumn.get())) dataColumns.add(f);
    }
    String staging = table.name() + "__export_staging";
    Path runDir = new Path(tableUri(table.name()) + "/" + runId);
    ExternalCatalog catalog = spark.sharedState().externalCatalog();
    String db = hive.database();

    // A staging table left by a failed run is metadata only (external): its folder is cleaned below with the others.
    spark.sql("DROP TABLE IF EXISTS " + qualified(staging));
    spark.sql(createTableSql(staging, dataColumns, partitionColumn, format, runDir.toString()));
    rows.persist(StorageLevel.MEMORY_AND_DISK());
    long rowCount;
    try {
      rowCount = rows.count();
      String selected = dataColumns.stream().map(f -> quote(f.name())).collect(Collectors.joining(", "))
          + partitionColumn.map(c -> ", " + quote(c)).orElse("");
      String view = "trackpipe_export_source";
      rows.createOrReplaceTempView(view);
      spark.sql("INSERT OVERWRITE TABLE " + qualified(staging) + partitionColumn.map(c -> " PARTITION (" + quote(c) + ")").orElse("")
          + " SELECT " + selected + " FROM " + view);
      spark.catalog().dropTempView(view);
    } finally {
      rows.unpersist();
    }

    StructType expected = new StructType(dataColumns.toArray(StructField[]::new));
    if (partitionColumn.isPresent()) expected = expected.add(partitionColumn.get(), DataTypes.DateType);
    boolean exists = catalog.tableExists(db, table.name());
    if (exists && !sameShape(catalog.getTable(db, table.name()), expected, format)) {
      LOG.info("Hive table {}.{}: columns or format changed, recreating it", db, table.name());
      spark.sql("DROP TABLE " + qualified(table.name()));
      exists = false;
    }
    int written = 0;
    int dropped = 0;
    if (partitionColumn.isEmpty()) {
      if (exists) {
        spark.sql("ALTER TABLE " + qualified(table.name()) + " SET LOCATION '" + runDir + "'");
      } else {
        spark.sql(createTableSql(table.name(), dataColumns, partitionColumn, format, runDir.toString()));
      }
    } else {
      if (!exists) spark.sql(createTableSql(table.name(), dataColumns, partitionColumn, format, tableUri(table.name())));
      List<CatalogTablePartition> fresh = partitions(catalog, staging);
      Map<String, CatalogTablePartition> current = new HashMap<>();
      for (CatalogTablePartition p : partitions(catalog, table.name())) current.put(p.spec().apply(partitionColumn.get()), p);
      List<CatalogTablePartition> added = new ArrayList<>();
      List<CatalogTablePartition> replaced = new ArrayList<>();
      Set<String> freshDays = new HashSet<>();
      for (CatalogTablePartition p : fresh) {
        String day = p.spec().apply(partitionColumn.get());
        freshDays.add(day);
        (current.containsKey(day) ? replaced : added).add(p);
      }
      List<scala.collection.immutable.Map<String, String>> gone = new ArrayList<>();
      for (Map.Entry<String, CatalogTablePartition> e : current.entrySet()) {
        boolean inScope = range.isEmpty() || range.get().contains(LocalDate.parse(e.getKey()));
        if (inScope && !freshDays.contains(e.getKey())) gone.add(e.getValue().spec());
      }
      // One metastore call each: all replaced partitions switch together.
      if (!replaced.isEmpty()) catalog.alterPartitions(db, table.name(), seq(replaced));
      if (!added.isEmpty()) catalog.createPartitions(db, table.name(), seq(added), false);
      if (!gone.isEmpty()) catalog.dropPartitions(db, table.name(), seq(gone), true, false, true);
      spark.catalog().refreshTable(qualified(table.name()));
      written = fresh.size();
      dropped = gone.size();
    }
    spark.sql("DROP TABLE " + qualified(staging));
    deleteUnreferencedFolders(catalog, table.name(), partitionColumn.isPresent());
    long millis = (System.nanoTime() - started) / 1_000_000;
    LOG.info("Exported {} to Hive {}.{}: {} rows, {} partitions written, {} dropped, {} ms", table.name(), db, table.name(),
        rowCount, written, dropped, millis);
    return new TableResult(table.name(), db + "." + table.name(), partitionColumn.isPresent(), rowCount, written, dropped, millis);
  }

  /** The warehouse table through Spark JDBC, its columns as the warehouse types them. */
  private Dataset<Row> readWarehouse(String table) {
    return spark.read().format("jdbc")
        .option("url", warehouse.jdbcUrl())
        .option("user", warehouse.user())
        .option("password", warehouse.password())
        .option("dbtable", "`" + table + "`")
        // Spark quotes column names with double quotes for a jdbc:mariadb: URL (it knows MySQL's backquotes only for
        // jdbc:mysql:): ANSI_QUOTES makes MariaDB read them as names.
        .option("sessionInitStatement", "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')")
        .option("fetchsize", "10000")
        .load();
  }

  private String createTableSql(String name, List<StructField> dataColumns, Optional<String> partitionColumn,
      ExportFormat format, String location) {
    String columns = dataColumns.stream().map(f -> quote(f.name()) + " " + f.dataType().catalogString())
        .collect(Collectors.joining(", "));
    return "CREATE EXTERNAL TABLE " + qualified(name) + " (" + columns + ")"
        + partitionColumn.map(c -> " PARTITIONED BY (" + quote(c) + " DATE)").orElse("")
        + " " + format.storageClause() + " LOCATION '" + location + "'"
        + " TBLPROPERTIES ('" + FORMAT_PROPERTY + "' = '" + format.optionName() + "')";
  }

  private static boolean sameShape(CatalogTable table, StructType expected, ExportFormat format) {
    return table.schema().catalogString().equals(expected.catalogString())
        && format.optionName().equals(table.properties().get(FORMAT_PROPERTY).getOrElse(() -> ""));
  }

  private List<CatalogTablePartition> partitions(ExternalCatalog catalog, String table) {
    return CollectionConverters.asJava(catalog.listPartitions(hive.database(), table, Option.empty()));
  }

  /**
   * Deletes the run folders under the table's folder that the table no longer reads: whole ones for a table without
   * partitions, and, for a partitioned one, each partition folder that no partition points at (then the run folder once
   * none of its partitions is used).
   */
  private void deleteUnreferencedFolders(ExternalCatalog catalog, String table, boolean partitioned) throws IOException {
    Path tableDir = new Path(tableUri(table));
    FileSystem fs = tableDir.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (!fs.exists(tableDir)) return;
    Set<Path> referenced = new HashSet<>();
    if (partitioned) {
      for (CatalogTablePartition p : partitions(catalog, table)) referenced.add(fs.makeQualified(new Path(p.location())));
    } else {
      referenced.add(fs.makeQualified(new Path(catalog.getTable(hive.database(), table).location())));
    }
    for (FileStatus run : fs.listStatus(tableDir)) {
      if (!run.isDirectory()) continue;
      Path runDir = fs.makeQualified(run.getPath());
      if (!partitioned) {
        if (!referenced.contains(runDir)) fs.delete(runDir, true);
        continue;
      }
      boolean used = false;
      for (FileStatus partition : fs.listStatus(runDir)) {
        if (!partition.isDirectory()) continue;
        if (referenced.contains(fs.makeQualified(partition.getPath()))) used = true;
        else fs.delete(partition.getPath(), true);
      }
      if (!used) fs.delete(runDir, true);
    }
  }

  private String databaseUri() {
    return hive.warehouseUri() + "/" + hive.database() + ".db";
  }

  private String tableUri(String table) {
    return databaseUri() + "/" + table;
  }

  private String qualified(String table) {
    return quote(hive.database()) + "." + quote(table);
  }

  private static String quote(String name) {
    return "`" + name + "`";
  }

  private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
    return CollectionConverters.asScala(list).toSeq();
  }
}
