package io.trackpipe.domain;

import static java.util.Objects.requireNonNull;

import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.session.SessionDefinition;

/**
 * One kind of tracked events, declared in one definition file: its Kafka topics and raw-store table, its event schema,
 * its rollups (with their lookups) and its dashboard. Generic code runs every domain; {@code docs/domains.md} explains
 * the file.
 *
 * @param origin the file it was read from (for messages)
 * @param sink the name under which the stream's commits of this domain are recorded in the warehouse
 * @param rawTable the domain's table in the raw store's keyspace
 * @param dashboard its dashboard page, or null when it has none
 * @param sessions its {@code sessions:} section, or null when it has none
 */
public record Domain(String name, String title, String description, String origin, DomainTopics topics, String sink,
    String rawTable, EventSchema schema, RollupCatalog rollups, DashboardDefinition dashboard,
    SessionDefinition sessions) {

  /** A domain without sessions. */
  public Domain(String name, String title, String description, String origin, DomainTopics topics, String sink,
      String rawTable, EventSchema schema, RollupCatalog rollups, DashboardDefinition dashboard) {
    this(name, title, description, origin, topics, sink, rawTable, schema, rollups, dashboard, null);
  }

  public Domain {
    requireNonNull(name, "name is null");
    requireNonNull(title, "title is null");
    requireNonNull(origin, "origin is null");
    requireNonNull(topics, "topics is null");
    requireNonNull(sink, "sink is null");
    requireNonNull(rawTable, "rawTable is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(rollups, "rollups is null");
  }

  /** This domain with other topics (tests give each run its own). */
  public Domain withTopics(DomainTopics other) {
    return new Domain(name, title, description, origin, other, sink, rawTable, schema, rollups, dashboard, sessions);
  }

  /** This domain with other rollups (the job-ads rollups plus those of {@code rollup.definitions}). */
  public Domain withRollups(RollupCatalog other) {
    return new Domain(name, title, description, origin, topics, sink, rawTable, schema, other, dashboard, sessions);
  }

  /** This domain with its sessions cut by another gap ({@code stream.session-gap}); unchanged without sessions. */
  public Domain withSessionGap(java.time.Duration gap) {
    return sessions == null ? this
        : new Domain(name, title, description, origin, topics, sink, rawTable, schema, rollups, dashboard, sessions.withGap(gap));
  }
}
