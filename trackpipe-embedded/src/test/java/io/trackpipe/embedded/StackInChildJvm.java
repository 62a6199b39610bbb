package io.trackpipe.embedded;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

/**
 * Test helper run as a separate JVM: starts a stack, writes some data, prints a READY line and waits to be killed
 * (the test SIGKILLs it to leave orphaned servers behind, like a killed {@code trackpipe demo}).
 */
public final class StackInChildJvm {

  private StackInChildJvm() {}

  public static void main(String[] args) throws Exception {
    EmbeddedStack stack = EmbeddedStack.start(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    EmbeddedMariaDb db = stack.mariaDb();
    db.createDatabase("survivor");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl("survivor"), db.user(), db.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
      s.execute("INSERT INTO t VALUES (1), (2), (3)");
    }
    KafkaTestClients.createTopic(stack.kafka().bootstrapServers(), "survivor", 1);
    KafkaTestClients.produce(stack.kafka().bootstrapServers(), "survivor", List.of("x", "y"));
    System.out.println("READY " + stack.kafka().port() + " " + db.port() + " " + stack.kafka().pid() + " "
        + db.pid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
