package io.trackpipe.cli.demo;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.embedded.EmbeddedOpenSearch;
import io.trackpipe.search.SearchConfig;
import io.trackpipe.search.SearchIndexJob;
import io.trackpipe.search.TableReport;
import io.trackpipe.warehouse.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code demo --with-search}: an embedded OpenSearch node under the demo's folder, and the search-index sink run over
 * every domain every {@value #EVERY_SECONDS} s, as {@code trackpipe index --every 10s} would.
 */
final class DemoSearch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoSearch.class);
  static final int EVERY_SECONDS = 10;

  private final EmbeddedOpenSearch server;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicReference<String> lastRun = new AtomicReference<>("not yet");
  private Thread indexer;

  private DemoSearch(EmbeddedOpenSearch server) {
    this.server = server;
  }

  /** Starts (or resumes) the node on {@code dataDir/opensearch}; the caller stops it, in its order. */
  static DemoSearch startServer(Path dataDir, int port) {
    EmbeddedOpenSearch server = EmbeddedOpenSearch.start(dataDir.resolve("opensearch"), port);
    server.dropShutdownHook();
    return new DemoSearch(server);
  }

  String url() {
    return server.url();
  }

  /** Why the node is no longer running, when it stopped without being closed. */
  Optional<String> unexpectedExit() {
    return server.unexpectedExit();
  }

  /** What the latest run did, for the progress line. */
  String lastRun() {
    return lastRun.get();
  }

  /** Indexes every domain's tables now and then every {@value #EVERY_SECONDS} s, on a thread of its own. */
  void startIndexing(SearchConfig config, Warehouse warehouse, DomainCatalog domains) {
    SearchIndexJob job = new SearchIndexJob(config, warehouse, (index, written, deleted) -> { });
    indexer = new Thread(() -> {
      while (stop.getCount() > 0) {
        long t0 = System.nanoTime();
        long rows = 0;
        long documents = 0;
        try {
          for (Domain domain : domains.domains()) {
            for (TableReport report : job.run(domain, false)) {
              rows += report.rowsRead();
              documents += report.documents();
            }
          }
          lastRun.set(String.format("%,d rows indexed in %,d ms, %,d documents", rows,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), documents));
        } catch (Exception e) {
          if (stop.getCount() == 0) return;
          LOG.warn("Indexing run failed (again in {} s): {}", EVERY_SECONDS, e.getMessage());
          lastRun.set("failed: " + e.getMessage());
        }
        try {
          stop.await(EVERY_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "trackpipe-demo-indexer");
    indexer.setDaemon(true);
    indexer.start();
  }

  /** Stops the indexer (a run in progress ends; the next start redoes it), then the node. */
  @Override
  public void close() {
    stop.countDown();
    if (indexer != null) {
      try {
        indexer.join(Duration.ofSeconds(20).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    server.close();
  }
}
