package io.trackpipe.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class data sharing for a server's child JVM: the classes it loaded are archived when it first stops, and every later
 * start maps them from the archive instead of reading and verifying them from the jars. While the demo's servers and
 * Spark all start on two cores, that CPU is what the first facts wait for (docs/performance.md).
 *
 * <p>The archive is the JVM's own ({@code -XX:ArchiveClassesAtExit}, mapped with {@code -XX:SharedArchiveFile}), kept
 * in trackpipe's cache folder under a name made of the server and a digest of what it depends on: the JVM and every
 * classpath file's path, size and modification time. A rebuilt jar or another JDK makes a new name, and so a new archive.
 * A JVM writes its archive to a name of its own and it is renamed into place once complete: a truncated archive would
 * crash the JVM that maps it.
 */
final class ClassArchive {
  private static final Logger LOG = LoggerFactory.getLogger(ClassArchive.class);
  /** The first four bytes of a complete dynamic archive; the JVM writes its header last. */
  private static final int DYNAMIC_ARCHIVE_MAGIC = 0xf00baba8;
  /** A pending archive older than this was left by a JVM killed while it wrote it. */
  private static final Duration ABANDONED = Duration.ofHours(1);
  private static final String PENDING_SUFFIX = ".pending";
  /**
   * Lets the JVM archive classes while an agent runs, and map such an archive; the agent must not change the classes
   * it sees.
   */
  private static final List<String> WITH_AGENT = List.of("-XX:+UnlockDiagnosticVMOptions",
      "-XX:+AllowArchivingWithJavaAgent");

  private final String server;
  private final Path archive;
  private final Path pending;
  private final boolean javaAgent;

  private ClassArchive(String server, Path archive, boolean javaAgent) {
    this.server = server;
    this.archive = archive;
    this.javaAgent = javaAgent;
    this.pending = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + "-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + PENDING_SUFFIX);
  }

  /**
   * The archive of {@code server} on {@code classpath}, in trackpipe's cache folder; empty when there is none to write
   * to (the server then starts as usual).
   *
   * @param javaAgent whether the server's JVM runs a Java agent (one that does not change classes, as Cassandra's
   *     object sizer): the JVM archives classes next to an agent only when told it may
   */
  static Optional<ClassArchive> of(String server, List<String> classpath, boolean javaAgent) {
    try {
      return Processes.cacheDir().map(cache -> in(cache.resolve("class-archives"), server, classpath, javaAgent));
    } catch (UncheckedIOException e) {
      LOG.debug("No class archive for {}: {}", server, e.toString());
      return Optional.empty();
    }
  }

  /** As {@link #of}, in {@code folder}. */
  static ClassArchive in(Path folder, String server, List<String> classpath, boolean javaAgent) {
    Processes.createDirectories(folder);
    deleteAbandoned(folder);
    return new ClassArchive(server, folder.resolve(server + "-" + digest(classpath) + ".jsa"), javaAgent);
  }

  /** Where the archive is, once a JVM has written it. */
  Path path() {
    return archive;
  }

  /** The JVM options that map the archive, or that write it when this JVM exits if there is none yet. */
  List<String> jvmArgs() {
    // Writing, the JVM warns of every class it cannot archive (generated, signed jars' …) into the server's log.
    List<String> args = Files.isRegularFile(archive)
        ? List.of("-XX:SharedArchiveFile=" + archive)
        : List.of("-XX:ArchiveClassesAtExit=" + pending, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    // An archive written next to an agent is mapped only by a JVM that allows it too.
    return javaAgent ? Stream.concat(WITH_AGENT.stream(), args.stream()).toList() : args;
  }

  /**
   * After the server's JVM has ended: puts the archive it wrote in place if it ran as it should and the archive is
   * complete; deletes it otherwise (a server that failed has loaded few of its classes; a JVM killed while it wrote its
   * archive left it cut short). Nothing to do when the JVM mapped an archive.
   *
   * @param asUsual whether the server stopped when told to (or the tool ended) without a failure
   */
  void afterExit(boolean asUsual) {
    if (!Files.exists(pending)) return;
    try {
      if (asUsual && isComplete(pending)) {
        try {
          Files.move(pending, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(pending, archive, StandardCopyOption.REPLACE_EXISTING);
        }
        LOG.info("Archived the classes of {} for faster starts: {}", archive.getFileName(), archive);
        deleteOlder();
      } else {
        Files.deleteIfExists(pending);
      }
    } catch (IOException e) {
      LOG.warn("Cannot keep the class archive {}: {}", archive, e.toString());
    }
  }

  /** The server's archives for earlier jars or JVMs: one archive per server is enough. */
  private void deleteOlder() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(archive.getParent(), server + "-*.jsa")) {
      for (Path file : files) {
        boolean older = file.getFileName().toString().matches(Pattern.quote(server) + "-[0-9a-f]{16}\\.jsa");
        if (older && !file.equals(archive)) Files.deleteIfExists(file);
      }
    }
  }

  static boolean isComplete(Path file) throws IOException {
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(head, 0, 4) < 4) return false;
    }
    return ByteBuffer.wrap(head).order(ByteOrder.nativeOrder()).getInt() == DYNAMIC_ARCHIVE_MAGIC;
  }

  private static String digest(List<String> classpath) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      update(sha, System.getProperty("java.home"));
      update(sha, System.getProperty("java.vm.version"));
      for (String entry : classpath) {
        Path file = Path.of(entry);
        update(sha, entry);
        try {
          update(sha, Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis());
        } catch (IOException e) {
          update(sha, "missing");
        }
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest sha, String text) {
    sha.update(text.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
  }

  private static void deleteAbandoned(Path folder) {
    FileTime before = FileTime.from(Instant.now().minus(ABANDONED));
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + PENDING_SUFFIX)) {
      for (Path file : files) {
        if (Files.getLastModifiedTime(file).compareTo(before) < 0) Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      LOG.debug("Cannot clean {}: {}", folder, e.toString());
    }
  }
}
