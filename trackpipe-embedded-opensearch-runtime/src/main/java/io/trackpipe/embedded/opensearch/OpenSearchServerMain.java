package io.trackpipe.embedded.opensearch;

import java.nio.file.Files;
import java.nio.file.Path;
import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Starts one OpenSearch node for trackpipe's demo and tests, in the JVM that runs this class (a child of trackpipe's).
 *
 * <p>Arguments: the node's home folder, its HTTP port, its transport port. Prints {@value #READY_LINE} once the cluster
 * is yellow. The runner's own {@code main} exits with code 1 and no message when anything fails; here the cause is
 * printed with its stack trace and the exit code is {@value #EXIT_FAILED}, so the parent can show why.
 */
public final class OpenSearchServerMain {

  /** What the parent waits for in this process's output. */
  public static final String READY_LINE = "trackpipe: OpenSearch node ready";
  /** Exit code when the node cannot start. */
  public static final int EXIT_FAILED = 3;

  private OpenSearchServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 3) {
      System.err.println("usage: OpenSearchServerMain HOME_DIR HTTP_PORT TRANSPORT_PORT");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    String httpPort = args[1];
    String transportPort = args[2];
    OpenSearchRunner runner = new OpenSearchRunner();
    try {
      Files.createDirectories(home);
      // Without a maximum above the chosen port, the runner refuses any HTTP port past 9299.
      runner.setMaxHttpPort(65535);
      runner.onBuild((number, settings) -> settings
          .put("http.port", httpPort)
          .put("transport.port", transportPort)
          .put("network.host", "127.0.0.1")
          // One node that elects itself at once, instead of waiting for peers it will never find. (discovery.type
          // single-node makes the runner's node fail: it sets the roles such a node refuses.)
          .putList("cluster.initial_cluster_manager_nodes", "Node " + number)
          // A nearly full disk must not turn the indices read-only: the demo shares the disk with everything else.
          .put("cluster.routing.allocation.disk.threshold_enabled", false)
          .put("action.auto_create_index", false));
      runner.build(OpenSearchRunner.newConfigs()
          .basePath(home.toString())
          .numOfNode(1)
          .clusterName("trackpipe")
          .useLogger()
          .printOnFailure());
      runner.ensureYellow();
    } catch (Throwable e) {
      System.err.println("trackpipe: OpenSearch node failed to start: " + e);
      e.printStackTrace(System.err);
      System.err.flush();
      Runtime.getRuntime().halt(EXIT_FAILED);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        runner.close();
      } catch (Exception e) {
        System.err.println("trackpipe: OpenSearch node did not close cleanly: " + e);
      }
    }, "trackpipe-opensearch-stop"));
    System.out.println(READY_LINE + " on 127.0.0.1:" + httpPort);
    System.out.flush();
    while (!runner.isClosed()) {
      Thread.sleep(1000);
    }
  }
}
