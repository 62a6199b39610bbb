package io.trackpipe.collector;

import io.trackpipe.domain.DomainCatalog;
import java.util.List;

/** The catalogues the tests route: job ads alone, or with a user's domain. */
final class TestDomains {
  /**
   * Job ads only: each test creates job ads' topics of its own (the shop's are never created here, so its routes would
   * answer 503; {@code MissingTopicsIT} tests that).
   */
  static final DomainCatalog JOB_ADS = DomainCatalog.load(List.of(), List.of()).only(List.of(DomainCatalog.JOB_ADS));

  private TestDomains() {}
}
