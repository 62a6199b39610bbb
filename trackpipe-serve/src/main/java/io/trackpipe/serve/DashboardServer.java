package io.trackpipe.serve;

import static java.util.Objects.requireNonNull;

import io.trackpipe.domain.Domain;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.rollup.RollupCatalog;
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
import java.net.URI;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

  private final ServeConfig config;
  private final Server server;
  private final ServerConnector connector;
  private final ConnectionPool pool;

  private DashboardServer(ServeConfig config, Server server, ServerConnector connector, ConnectionPool pool) {
    this.config = config;
    this.server = server;
    this.connector = connector;
    this.pool = pool;
  }

  /**
   * Starts listening. The warehouse's schema must be migrated (the stream does it; so does {@code trackpipe serve}).
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  public static DashboardServer start(ServeConfig config, Warehouse warehouse, Clock clock) {
    return start(config, DomainCatalog.load(List.of(), List.of()), warehouse, clock);
  }

  /**
   * @param domains the domains whose dashboards it serves (those with a {@code dashboard:} section; the first is the
   *     default of the routes without a domain) and whose rollup tables and views {@code /api/v1/rollups} serves
   */
  public static DashboardServer start(ServeConfig config, DomainCatalog domains, Warehouse warehouse, Clock clock) {
    requireNonNull(config, "config is null");
    requireNonNull(warehouse, "warehouse is null");
    if (config.authMode() == AuthMode.NONE && !config.loopbackOnly()) {
      // ServeConfig.from reports this as a configuration error; this guards the other ways of building a config.
      throw new IllegalArgumentException("refusing to serve " + config.host() + " without read access control"
          + " (serve.auth.mode=none): set serve.auth.mode, or listen on 127.0.0.1");
    }
    // Queries run as the read-only account when there is one; the owner only keeps the calendar current.
    Warehouse reader = config.readerUser() == null ? warehouse : new Warehouse(
        warehouse.config().withCredentials(config.readerUser(), config.readerPassword()));
    ConnectionPool pool = new ConnectionPool(reader, config.connections());
    Server server = null;
    try {
      fillCalendar(warehouse, config, clock);
      List<FactQueries> dashboards = new ArrayList<>();
      List<io.trackpipe.rollup.Lookup> lookups = new ArrayList<>();
      List<io.trackpipe.rollup.RollupDefinition> rollups = new ArrayList<>();
      for (Domain domain : domains.domains()) {
        if (domain.dashboard() != null) dashboards.add(new FactQueries(domain, pool, config.queryTimeout()));
        lookups.addAll(domain.rollups().lookups());
        rollups.addAll(domain.rollups().rollups());
      }
      ApiRoutes api = new ApiRoutes(dashboards, new RollupTableQueries(pool, config.queryTimeout(),
          new RollupCatalog(lookups, rollups)), new PipelineStatusTable(warehouse), config, clock);
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
      DashboardAssets assets = DashboardAssets.load(dashboards.get(0).domain().dashboard());
      GzipHandler gzip = new GzipHandler(new ServeRoutes(api, assets, new ReadAccess(config),
          new AllowedHosts(config), config.maxConcurrentRequests()));
      gzip.setMinGzipSize(1024);
      server.setHandler(gzip);
      server.setStopTimeout(5000);
      server.start();
      DashboardServer running = new DashboardServer(config, server, connector, pool);
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
      throw new IllegalStateException("cannot start the dashboard on " + config.host() + ":" + config.port() + ": "
          + e.getMessage(), e);
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

  @Override
  public synchronized void close() {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("Dashboard HTTP server did not stop cleanly: {}", e.toString());
    }
    pool.close();
  }
}
