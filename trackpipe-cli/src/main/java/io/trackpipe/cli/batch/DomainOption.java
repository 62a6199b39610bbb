package io.trackpipe.cli.batch;

import io.trackpipe.domain.DomainCatalog;
import picocli.CommandLine.Option;

/** {@code --domain NAME}: which domain's raw table and rollups batch, backfill and verify work on. */
public final class DomainOption {
  @Option(names = "--domain", paramLabel = "NAME", defaultValue = DomainCatalog.JOB_ADS,
      description = "The domain whose raw table is read and whose rollups are rewritten or checked "
          + "(default: ${DEFAULT-VALUE}; others come from domain.definitions).")
  String name;
}
