package io.trackpipe.cli.serve;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.settings.ConfigOptions;
import io.trackpipe.config.Configuration;
import io.trackpipe.domain.DomainCatalog;
import io.trackpipe.serve.DashboardServer;
import io.trackpipe.serve.ServeConfig;
import io.trackpipe.spark.stream.StreamConfig;
import io.trackpipe.warehouse.Warehouse;
import io.trackpipe.warehouse.WarehouseConfig;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code trackpipe serve}: the live dashboard and the query API over the warehouse named by configuration. */
@Command(name = "serve",
    header = "Serve the live web dashboard and the read-only query API over the warehouse.",
    mixinStandardHelpOptions = true,
    description = {"Serve the live web dashboard and the read-only query API (/api/v1, OpenAPI at /api/v1/openapi.json)",
        "over the warehouse. Needs warehouse.jdbc-url and warehouse.user; reads stream.time-zone (the facts' zone).",
        "Listens on serve.http.host:serve.http.port (default 127.0.0.1:8088); read access by serve.auth.mode (token or",
        "basic on any address but loopback). Queries run as serve.warehouse.user, a read-only account, when it is set."},
    footer = {"", "Examples:", "  TRACKPIPE_WAREHOUSE_PASSWORD=… trackpipe serve --config prod.yaml",
        "  TRACKPIPE_SERVE_AUTH_TOKEN=… trackpipe serve --set serve.http.host=0.0.0.0 --set serve.auth.mode=token",
        "  TRACKPIPE_SERVE_WAREHOUSE_PASSWORD=… trackpipe serve --set serve.warehouse.user=trackpipe_reader"})
public final class ServeCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Override
  public Integer call() throws Exception {
    Configuration settings = config.load();
    WarehouseConfig warehouseConfig = WarehouseConfig.from(settings);
    ServeConfig serve = ServeConfig.from(settings, settings.get(StreamConfig.TIME_ZONE));
    settings.throwIfInvalid();
    DomainCatalog domains = DomainCatalog.from(settings);

    Warehouse warehouse = new Warehouse(warehouseConfig);
    warehouse.migrate();
    CountDownLatch stopped = new CountDownLatch(1);
    DashboardServer server = DashboardServer.start(serve, domains, warehouse, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "trackpipe-serve-stop"));
    System.out.println("Dashboard at " + server.url() + "/   API " + server.url() + "/api/v1 (read access: "
        + serve.authMode().name().toLowerCase(java.util.Locale.ROOT) + "). Ctrl-C stops.");
    stopped.await();
    return ExitCodes.OK;
  }
}
