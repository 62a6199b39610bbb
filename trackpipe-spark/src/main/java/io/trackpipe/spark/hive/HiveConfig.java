package io.trackpipe.spark.hive;

import static java.util.Objects.requireNonNull;

import io.trackpipe.config.Configuration;
import io.trackpipe.config.Setting;
import io.trackpipe.config.ValueType;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where {@code trackpipe export hive} writes its files and registers its tables.
 *
 * @param warehouseDir the folder (a local path, or a URI such as {@code hdfs://…}) under which each table has a folder
 * @param metastoreDir the embedded Derby metastore's folder; unused when {@code metastoreUris} is set
 * @param metastoreUris an external metastore's Thrift URIs; empty: the embedded Derby metastore
 * @param database the Hive database that holds the exported tables
 */
public record HiveConfig(String warehouseDir, Path metastoreDir, Optional<String> metastoreUris, String database) {

  public static final Setting<String> WAREHOUSE_DIR = Setting.of("hive.warehouse-dir", ValueType.STRING, "data/hive/warehouse",
      "Folder (or hdfs://, s3a:// URI) of the exported files: <database>.db/<table>/<run>/, one new run folder per rewrite.")
      .checked(s -> !s.isBlank(), "a folder or URI");
  public static final Setting<Path> METASTORE_DIR = Setting.of("hive.metastore-dir", ValueType.PATH, Path.of("data/hive/metastore"),
      "Folder of the embedded Derby metastore (used when hive.metastore.uris is empty); one process at a time may open it.");
  public static final Setting<String> METASTORE_URIS = Setting.of("hive.metastore.uris", ValueType.STRING, null,
      "Thrift URIs of an external Hive metastore, e.g. thrift://metastore:9083; empty: the embedded Derby metastore.")
      .checked(s -> s.isBlank() || s.startsWith("thrift://"), "thrift://HOST:PORT URIs, comma-separated");
  public static final Setting<String> DATABASE = Setting.of("hive.database", ValueType.STRING, "trackpipe",
      "Hive database of the exported tables (created when missing).").checked(s -> s.matches("[a-z_][a-z0-9_]{0,127}"),
      "a lower-case name of letters, digits and _");

  public static final List<Setting<?>> SETTINGS = List.of(WAREHOUSE_DIR, METASTORE_DIR, METASTORE_URIS, DATABASE);

  public HiveConfig {
    requireNonNull(warehouseDir, "warehouseDir is null");
    requireNonNull(metastoreDir, "metastoreDir is null");
    requireNonNull(metastoreUris, "metastoreUris is null");
    requireNonNull(database, "database is null");
  }

  public static HiveConfig from(Configuration config) {
    return new HiveConfig(config.get(WAREHOUSE_DIR), config.get(METASTORE_DIR),
        Optional.ofNullable(config.get(METASTORE_URIS)).filter(s -> !s.isBlank()), config.get(DATABASE));
  }

  /** The warehouse folder as a URI Hadoop reads: a path without a scheme is a local folder, made absolute. */
  public String warehouseUri() {
    if (warehouseDir.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) return warehouseDir.replaceAll("/+$", "");
    return Path.of(warehouseDir).toAbsolutePath().normalize().toUri().toString().replaceAll("/+$", "");
  }

  /** Whether the metastore is the embedded Derby database in {@link #metastoreDir()}. */
  public boolean embeddedMetastore() {
    return metastoreUris.isEmpty();
  }
}
