package io.trackpipe.search;

import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the indexer for the job-ads domain in a child JVM that a test can SIGKILL mid-run. Prints one line per
 * {@code _bulk} request ({@value #PROGRESS}) so the test knows the run is under way.
 */
final class IndexerProcess {
  static final String PROGRESS = "sent ";

  private IndexerProcess() {}

  /** Arguments: JDBC URL, user, password, search URL, index prefix, rows per bulk request. */
  public static void main(String[] args) throws Exception {
    Warehouse warehouse = new Warehouse(WarehouseConfig.unencrypted(args[0], args[1], args[2]));
    SearchConfig config = SearchConfig.of(args[3], args[4]).withBulkRows(Integer.parseInt(args[5]));
    new SearchIndexJob(config, warehouse, (index, written, deleted) -> {
      System.out.println(PROGRESS + index + " " + written + " " + deleted);
      System.out.flush();
    }).run(TestWarehouse.JOB_ADS, false);
    System.out.println("done");
  }

  static Process start(WarehouseConfig warehouse, String searchUrl, String prefix, int bulkRows, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), IndexerProcess.class.getName(), warehouse.jdbcUrl(),
        warehouse.user(), warehouse.password(), searchUrl, prefix, Integer.toString(bulkRows)));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
