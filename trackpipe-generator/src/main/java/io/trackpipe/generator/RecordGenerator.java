package io.trackpipe.generator;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import java.time.Instant;
import java.time.ZoneId;

/**
 * Makes the records of a generator run, one per {@link #next(Instant)} call, deterministically for its config's seed.
 * Implementations are not thread-safe: one per producing thread.
 */
public interface RecordGenerator {

  GeneratorConfig config();

  /**
   * The next record.
   *
   * @param now the current time: the event time of VALID records, and what LATE records are late against
   */
  GeneratedRecord next(Instant now);

  /**
   * The generator of a domain's events: the realistic {@link EventGenerator} for job ads,
   * {@link EcommerceEventGenerator} for the shop and {@link ClickstreamEventGenerator} for the web clickstream, the
   * {@link SchemaEventGenerator} built from the definition for every other domain.
   *
   * @param zone the zone the pipeline reads timestamps without an offset in
   */
  static RecordGenerator forDomain(Domain domain, GeneratorConfig config, ZoneId zone) {
    return switch (domain.name()) {
      case DomainCatalog.JOB_ADS -> new EventGenerator(config);
      case DomainCatalog.ECOMMERCE -> new EcommerceEventGenerator(domain, config, zone);
      case DomainCatalog.CLICKSTREAM -> new ClickstreamEventGenerator(domain, config, zone);
      default -> new SchemaEventGenerator(domain, config, zone);
    };
  }
}
