package io.trackpipe.cli.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackpipe.cli.ExitCodes;
import io.trackpipe.cli.Trackpipe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class IndexCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Trackpipe.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void helpExplainsTheOptionsWithExamples() {
    assertThat(run("index", "--help")).isEqualTo(ExitCodes.OK);
    assertThat(out.toString())
        .contains("--domain=NAME")
        .contains("--full")
        .contains("--every=DURATION")
        .contains("one document per row")
        .contains("trackpipe index --every 30s");
    assertThat(run("--help")).isEqualTo(ExitCodes.OK);
    assertThat(out.toString()).containsPattern("index +Index a domain's rollup tables into OpenSearch");
  }

  @Test
  void aMalformedUrlIsAConfigurationErrorNamingTheKey() {
    assertThat(run("index", "--set", "search.url=127.0.0.1:9200", "--set", "warehouse.jdbc-url=jdbc:mariadb://127.0.0.1:1/x",
        "--set", "warehouse.user=u")).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString()).contains("search.url").contains("an http:// or https:// URL");
  }

  @Test
  void anUnreachableServerFailsAtOnceWithItsUrl() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = run("index", "--domain", "job-ads", "--set", "search.url=http://127.0.0.1:" + port, "--set", "search.retries=0",
          "--set", "warehouse.jdbc-url=jdbc:mariadb://127.0.0.1:1/nowhere", "--set", "warehouse.user=u");
    } finally {
      System.setOut(stdout);
    }
    assertThat(code).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("trackpipe index failed: Cannot reach the search server at http://127.0.0.1:" + port
        + " (search.url)").contains("ConnectException").contains("Is the server running and search.url right?");
  }

  @Test
  void anUnknownDomainListsTheKnownOnes() {
    assertThat(run("index", "--domain", "nosuch", "--set", "warehouse.jdbc-url=jdbc:mariadb://127.0.0.1:1/x", "--set",
        "warehouse.user=u")).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString()).contains("--domain: no domain 'nosuch'").contains("job-ads");
  }
}
