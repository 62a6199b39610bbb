package io.trackpipe.cli.demo;

import io.trackpipe.rawstore.RawStoreConfig;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The demo's lines on how to look into the raw store. */
final class RawStoreHelp {
  private RawStoreHelp() {}

  static void print(PrintStream out, RawStoreConfig rawStore) {
    String[] hostPort = rawStore.contactPoints().split(",")[0].trim().split(":");
    String hour = Instant.now().truncatedTo(ChronoUnit.HOURS).toString().replace("T", " ").replace("Z", "+0000");
    out.println("  Cassandra " + rawStore.contactPoints() + "   raw events " + rawStore.qualifiedTable() + "   ("
        + rawStore.bucketsPerHour() + " buckets per event hour; new hours by arrival in " + rawStore.qualifiedArrivalsTable() + ")");
    out.println("            cqlsh " + hostPort[0] + " " + (hostPort.length > 1 ? hostPort[1] : "9042") + " -e \"SELECT ts,"
        + " create_time, job_id, custom_track, bid FROM " + rawStore.qualifiedTable() + " WHERE event_hour = '" + hour
        + "' AND bucket = 0 LIMIT 10\"");
    out.println();
  }
}
