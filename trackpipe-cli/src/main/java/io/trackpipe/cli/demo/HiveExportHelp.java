package io.trackpipe.cli.demo;

import io.trackpipe.warehouse.WarehouseConfig;
import java.io.PrintStream;
import java.nio.file.Path;

/** The demo's lines on exporting its tables to Hive and querying them (docs/hive-export.md). */
final class HiveExportHelp {
  private HiveExportHelp() {}

  static void print(PrintStream out, DemoConfig demo, WarehouseConfig warehouse) {
    Path hive = demo.dataDir().toAbsolutePath().resolve("hive");
    Path metastore = hive.resolve("metastore");
    out.println("  Hive      bin/trackpipe export hive --set warehouse.jdbc-url=" + warehouse.jdbcUrl() + " --set warehouse.user="
        + warehouse.user() + " --set warehouse.password='" + warehouse.password() + "' --set hive.warehouse-dir="
        + hive.resolve("warehouse") + " --set hive.metastore-dir=" + metastore);
    out.println("            then, once it has finished (the Derby metastore takes one process at a time):");
    out.println("            spark-sql --conf spark.sql.catalogImplementation=hive --conf spark.hadoop.javax.jdo.option.ConnectionURL="
        + "'jdbc:derby:;databaseName=" + metastore.resolve("metastore_db") + "' -e 'SELECT * FROM trackpipe.campaign_daily LIMIT 10'");
    out.println();
  }
}
