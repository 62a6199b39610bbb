package io.trackpipe.generator;

import static java.util.Objects.requireNonNull;

import com.datastax.oss.driver.api.core.CqlSession;
import io.trackpipe.domain.Domain;
import io.trackpipe.event.DecodeResult;
import io.trackpipe.event.EventDecoder;
import io.trackpipe.event.EventLimits;
import io.trackpipe.rawstore.RawEventWriter;
import io.trackpipe.rawstore.RawStoreConfig;
import io.trackpipe.rawstore.RawStoreSchema;
import io.trackpipe.rawstore.RawStoreSessions;
import io.trackpipe.rawstore.RawStoreUnavailableException;
import io.trackpipe.rawstore.RawTable;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes generated events of a domain straight into its table of the Cassandra raw store ({@link RawTable}), as the trackers of systems whose logs already land
 * in Cassandra do: each record is checked as the streaming job checks it ({@link EventDecoder}) and stored with every
 * field, the raw-only ones included, asynchronously with bounded writes in flight ({@code rawstore.max-in-flight}).
 *
 * <p>A record the pipeline would reject (the generator's malformed share) has no typed row to go to: it is not
 * stored, but counted by reason ({@link #rejectedByReason()}), and the command prints the counts. Copies write the
 * same row again (the key is the event's), so the table holds each event once.
 */
public final class CassandraEventSink implements EventSink {
  private final RawTable table;
  private final CqlSession session;
  private final RawEventWriter writer;
  private final EventDecoder decoder;
  private final Clock clock;
  private final Map<String, Long> rejected = new TreeMap<>();
  private long stored;
  private boolean closed;

  /**
   * Connects, creates the keyspace and tables when missing, and checks their layout.
   *
   * @param limits the streaming job's rules (zone of timestamps without offset, future skew), so that exactly the
   *     records it would accept are stored
   * @throws RawStoreUnavailableException when Cassandra cannot be reached
   */
  public CassandraEventSink(Domain domain, RawStoreConfig config, EventLimits limits, Clock clock) {
    this.table = RawTable.of(requireNonNull(domain, "domain is null"), requireNonNull(config, "config is null"));
    this.clock = requireNonNull(clock, "clock is null");
    this.decoder = new EventDecoder(domain.schema(), limits);
    this.session = RawStoreSessions.open(config);
    try {
      RawStoreSchema.apply(session, table);
      this.writer = new RawEventWriter(session, table, clock);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  @Override
  public void send(GeneratedRecord record) {
    long receivedAt = clock.millis();
    DecodeResult result = decoder.decode(record.value(), receivedAt);
    if (result instanceof DecodeResult.Accepted accepted) {
      writer.write(accepted.event(), receivedAt);
      stored++;
    } else {
      rejected.merge(((DecodeResult.Rejected) result).code(), 1L, Long::sum);
    }
  }

  @Override
  public void flush() {
    writer.flush();
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    try {
      writer.flush();
    } finally {
      session.close();
    }
  }

  /** Records written to the table (copies included: they rewrite their event's row). */
  public long stored() {
    return stored;
  }

  /** Records not stored because the pipeline would reject them, by reason code. */
  public Map<String, Long> rejectedByReason() {
    return Map.copyOf(rejected);
  }

  /** "table keyspace.table at host:port". */
  public String destination() {
    return "table " + table.qualifiedName() + " at " + table.store().contactPoints();
  }
}
