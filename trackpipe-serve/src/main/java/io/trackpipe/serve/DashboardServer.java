package io.trackpipe.serve;

import static java.util.Objects.requireNonNull;

import io.trackpipe.rollup.RollupCatalog;
import io.trackpipe.rollup.RollupConfig;
import io.trackpipe.serve.api.ApiRoutes;
import io.trackpipe.serve.auth.AllowedHosts;
import io.trackpipe.serve.auth.AuthMode;
import io.trackpipe.serve.auth.ReadAccess;
import io.trackpipe.serve.dashboard.DashboardAssets;
import io.trackpipe.serve.query.ConnectionPool;
import io.trackpipe.serve.query.FactQueries;
import io.trackpipe.serve.query.RollupTableQueries;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import io.trackpipe.warehouse.calendar.HourCalendar;
import io.trackpipe.warehouse.status.PipelineStatusTable;
import io.trackpipe.warehouse.summary.SummaryRefresher;
import java.net.URI;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code trackpipe serve}, running: the live dashboard and the query API on Jetty, reading the warehouse through a
 * few pooled connections. {@link #close()} stops it. Thread-safe.
 */
public final class DashboardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  /** Longer than any write transaction of the stream: rows it wrote but committed late are still found. */
  private static final Duration SUMMARY_OVERLAP = Duration.ofMinutes(2);

  private final ServeConfig config;
  private final Server server;
  private final ServerConnector connector;
  private final ConnectionPool pool;
  private final Summaries summaries;

  private DashboardServer(ServeConfig config, Server server, ServerConnector connector, ConnectionPool pool,
      Summaries summaries) {
    this.config = config;
    this.server = server;
    this.connector = connector;
    this.pool = pool;
    this.summaries = summaries;
  }

  /**
   * Starts listening. The warehouse's schema must be migrated (the stream does it; so does {@code trackpipe serve}).
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  public static DashboardServer start(ServeConfig config, Warehouse warehouse, Clock clock) {
    return start(config, RollupConfig.DEFAULT.catalog(), warehouse, clock);
  }

  /** @param rollups the declared rollups, whose tables and views {@code /api/v1/rollups} serves */
  public static DashboardServer start(ServeConfig config, RollupCatalog rollups, Warehouse warehouse, Clock clock) {
    requireNonNull(config, "config is null");
    requireNonNull(warehouse, "warehouse is null");
    if (config.authMode() == AuthMode.NONE && !config.loopbackOnly()) {
      // ServeConfig.from reports this as a configuration error; this guards the other ways of building a config.
      throw new IllegalArgumentException("refusing to serve " + config.host() + " without read access control"
          + " (serve.auth.mode=none): set serve.auth.mode, or listen on 127.0.0.1");
    }
    // Queries run as the read-only account when there is one; the owner only keeps summaries and the calendar current.
    Warehouse reader = config.readerUser() == null ? warehouse : new Warehouse(new WarehouseConfig(
        warehouse.config().jdbcUrl(), config.readerUser(), config.readerPassword()));
    ConnectionPool pool = new ConnectionPool(reader, config.connections());
    Summaries summaries = new Summaries(new SummaryRefresher(warehouse, SUMMARY_OVERLAP), config.summaryRefresh());
    Server server = null;
    try {
      fillCalendar(warehouse, config, clock);
      ApiRoutes api = new ApiRoutes(new FactQueries(pool, config.queryTimeout(), summaries::ready),
          new RollupTableQueries(pool, config.queryTimeout(), rollups), new PipelineStatusTable(warehouse), config, clock);
      QueuedThreadPool threads = new QueuedThreadPool();
      threads.setName("trackpipe-serve-http");
      server = new Server(threads);
      HttpConfiguration http = new HttpConfiguration();
      http.setSendServerVersion(false);
      http.setSendXPoweredBy(false);
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
      connector.setHost(config.host());
      connector.setPort(config.port());
      server.addConnector(connector);
      ErrorHandler errors = new ErrorHandler();
      errors.setShowStacks(false);
      server.setErrorHandler(errors);
      GzipHandler gzip = new GzipHandler(new ServeRoutes(api, DashboardAssets.load(), new ReadAccess(config),
          new AllowedHosts(config), config.maxConcurrentRequests()));
      gzip.setMinGzipSize(1024);
      server.setHandler(gzip);
      server.setStopTimeout(5000);
      server.start();
      DashboardServer running = new DashboardServer(config, server, connector, pool, summaries);
      summaries.start();
      log.info("Dashboard at {} (API {}{}, read access {}, queries as {}, facts zone {})", running.url(), running.url(),
          ApiRoutes.PREFIX, config.authMode().name().toLowerCase(Locale.ROOT), reader.config().user(), config.factsZone());
      return running;
    } catch (Exception e) {
      if (server != null) {
        try {
          server.stop();
        } catch (Exception stop) {
          e.addSuppressed(stop);
        }
      }
      pool.close();
      summaries.close();
      throw new IllegalStateException("cannot start the dashboard on " + config.host() + ":" + config.port() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Runs the summary refresh on its own thread every {@code serve.summary-refresh}. The summaries answer queries only
   * after this process's first refresh finished (they may be stale from before it started), and stop answering if a
   * refresh fails, until one succeeds.
   */
  private static final class Summaries implements AutoCloseable {
    private final SummaryRefresher refresher;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    private volatile boolean ready;

    Summaries(SummaryRefresher refresher, Duration interval) {
      this.refresher = refresher;
      this.interval = interval;
      this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "trackpipe-summary-refresh");
        t.setDaemon(true);
        return t;
      });
    }

    void start() {
      if (interval.isZero()) return;
      scheduler.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refresh() {
      try {
        if (refresher.refresh().ran()) ready = true;
      } catch (SQLException | RuntimeException e) {
        ready = false;
        if (scheduler.isShutdown()) {
          // close() interrupted it: the refresh's transaction is rolled back, the next start refreshes again.
          log.debug("Summary refresh cut short by the stop: {}", e.toString());
          return;
        }
        log.warn("Summary refresh failed (queries read events until one succeeds): {}", e.toString());
      }
    }

    boolean ready() {
      return ready;
    }

    @Override
    public void close() {
      scheduler.shutdownNow();
    }
  }

  /** Grafana's queries join the facts with hour_calendar: keep it covering the facts (informative; failures logged). */
  private static void fillCalendar(Warehouse warehouse, ServeConfig config, Clock clock) {
    try {
      new HourCalendar(warehouse, config.factsZone()).fillAround(LocalDate.now(clock.withZone(config.factsZone())));
    } catch (SQLException e) {
      log.warn("Cannot fill hour_calendar: {}", e.toString());
    }
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://host:port}, without a trailing slash. */
  public URI url() {
    String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
    return URI.create("http://" + host + ":" + port());
  }

  /** True once this server's first summary refresh finished: queries then read the summary tables. */
  public boolean summariesReady() {
    return summaries.ready();
  }

  @Override
  public synchronized void close() {
    summaries.close();
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("Dashboard HTTP server did not stop cleanly: {}", e.toString());
    }
    pool.close();
  }
}
