package io.trackpipe.cli.demo;

import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawTable;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The demo's lines on how to look into the raw store. */
final class RawStoreHelp {
  private RawStoreHelp() {}

  static void print(PrintStream out, RawStoreConfig rawStore) {
    String[] hostPort = rawStore.contactPoints().split(",")[0].trim().split(":");
    RawTable table = RawTable.of(DomainCatalog.load(List.of(), List.of()).jobAds(), rawStore); // the demo's events
    String hour = Instant.now().truncatedTo(ChronoUnit.HOURS).toString().replace("T", " ").replace("Z", "+0000");
    out.println("  Cassandra " + rawStore.contactPoints() + "   raw events " + table.qualifiedName() + "   ("
        + rawStore.bucketsPerHour() + " buckets per event hour; new hours by arrival in " + table.qualifiedArrivals() + ")");
    out.println("            cqlsh " + hostPort[0] + " " + (hostPort.length > 1 ? hostPort[1] : "9042") + " -e \"SELECT ts,"
        + " create_time, job_id, custom_track, bid FROM " + table.qualifiedName() + " WHERE event_hour = '" + hour
        + "' AND bucket = 0 LIMIT 10\"");
    out.println();
  }
}
