package io.trackpipe.collector;

import io.trackpipe.domain.DomainCatalog;
import java.util.List;

/** The catalogues the tests route: the built-in domains alone (job ads), or with a user's domain. */
final class TestDomains {
  /** Job ads only, as an installation without {@code domain.definitions}. */
  static final DomainCatalog BUILT_IN = DomainCatalog.load(List.of(), List.of());

  private TestDomains() {}
}
