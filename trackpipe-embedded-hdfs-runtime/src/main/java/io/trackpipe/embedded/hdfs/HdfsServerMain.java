package io.trackpipe.embedded.hdfs;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * Starts an HDFS name node and one data node (Hadoop's mini cluster) for trackpipe's tests, in the JVM that runs this
 * class (a child of trackpipe's).
 *
 * <p>Arguments: the base folder of the cluster's storage and the name node's RPC port. A base folder that already holds
 * a formatted name node is resumed, with its files. Prints {@value #READY_LINE} once the cluster is up and out of safe
 * mode; a failure prints its cause and exits with {@value #EXIT_FAILED}, so the parent can show why.
 */
public final class HdfsServerMain {

  /** What the parent waits for in this process's output. */
  public static final String READY_LINE = "trackpipe: HDFS ready";
  /** Exit code when the cluster cannot start. */
  public static final int EXIT_FAILED = 3;

  private HdfsServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: HdfsServerMain BASE_DIR NAME_NODE_PORT");
      System.exit(2);
    }
    Path base = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    MiniDFSCluster cluster = null;
    try {
      Configuration conf = new Configuration();
      conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
      // Every server of the cluster on loopback, like the other embedded servers.
      conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
      conf.set("dfs.datanode.address", "127.0.0.1:0");
      conf.set("dfs.datanode.http.address", "127.0.0.1:0");
      conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
      conf.set("dfs.namenode.http-address", "127.0.0.1:0");
      // The mini cluster keeps its first name node's storage in name-0-1 (and its data nodes' in data/).
      boolean resume = base.resolve("name-0-1").resolve("current").toFile().isDirectory();
      cluster = new MiniDFSCluster.Builder(conf)
          .nameNodePort(port)
          .numDataNodes(1)
          .format(!resume)
          .manageNameDfsDirs(true)
          .manageDataDfsDirs(true)
          .build();
      cluster.waitActive();
    } catch (Throwable e) {
      System.err.println("trackpipe: HDFS failed to start: " + e);
      e.printStackTrace(System.err);
      System.err.flush();
      Runtime.getRuntime().halt(EXIT_FAILED);
    }
    MiniDFSCluster started = cluster;
    Runtime.getRuntime().addShutdownHook(new Thread(started::shutdown, "trackpipe-hdfs-stop"));
    System.out.println(READY_LINE + " at hdfs://127.0.0.1:" + started.getNameNodePort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
