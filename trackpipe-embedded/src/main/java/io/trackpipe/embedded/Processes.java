package io.trackpipe.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Process, port and file helpers shared by the embedded servers (Linux: relies on /proc). */
final class Processes {

  private static final Logger LOG = LoggerFactory.getLogger(Processes.class);
  static final String LOOPBACK = "127.0.0.1";
  private static final Path PROC = Path.of("/proc");

  private Processes() {}

  /** A free TCP port on 127.0.0.1 (closed again before it is returned; good enough on one machine). */
  static int freePort(int... notThese) {
    Set<Integer> excluded = new HashSet<>();
    for (int p : notThese) {
      excluded.add(p);
    }
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
        socket.setReuseAddress(true);
        int port = socket.getLocalPort();
        if (!excluded.contains(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot find a free port on " + LOOPBACK, e);
      }
    }
    throw new IllegalStateException("No free port found on " + LOOPBACK);
  }

  static boolean isPortOpen(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The process's arguments from /proc/PID/cmdline, empty if it is gone or unreadable. */
  static List<String> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
      if (raw.length == 0) {
        return List.of();
      }
      return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  static OptionalLong readPidFile(Path pidFile) {
    try {
      if (!Files.isRegularFile(pidFile)) {
        return OptionalLong.empty();
      }
      String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      LOG.warn("Ignoring unreadable pid file {}: {}", pidFile, e.toString());
      return OptionalLong.empty();
    }
  }

  static void writePidFile(Path pidFile, long pid) {
    writeAtomically(pidFile, pid + "\n");
  }

  /** Deletes the pid file only if it still names this pid: a newer server may already own it. */
  static void deletePidFile(Path pidFile, long pid) {
    OptionalLong current = readPidFile(pidFile);
    if (current.isPresent() && current.getAsLong() == pid) {
      try {
        Files.deleteIfExists(pidFile);
      } catch (IOException e) {
        LOG.debug("Cannot delete {}", pidFile, e);
      }
    }
  }

  /**
   * Stops a server left over from an earlier run on the same data folder (its parent JVM was killed, or a handle
   * was dropped without close()): children outlive a SIGKILLed parent and would hold the ports, locks and files.
   *
   * <p>Candidates are the process named by the pid file if its command line mentions {@code dataDirText}, and any
   * process with an argument exactly equal to {@code marker} (covers a lost pid file). Never this JVM.
   */
  static void stopStale(String what, Path pidFile, String dataDirText, String marker) {
    long self = ProcessHandle.current().pid();
    Set<Long> stale = new HashSet<>();
    readPidFile(pidFile).ifPresent(pid -> {
      if (pid != self && String.join(" ", commandLine(pid)).contains(dataDirText)) {
        stale.add(pid);
      }
    });
    try (Stream<Path> entries = Files.list(PROC)) {
      entries.map(p -> p.getFileName().toString())
          .filter(name -> name.chars().allMatch(Character::isDigit))
          .map(Long::parseLong)
          .filter(pid -> pid != self)
          .filter(pid -> commandLine(pid).contains(marker))
          .forEach(stale::add);
    } catch (IOException e) {
      LOG.debug("Cannot scan {}", PROC, e);
    }
    for (long pid : stale) {
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isPresent() && handle.get().isAlive()) {
        LOG.warn("Stopping a stale {} (pid {}) left running on {}", what, pid, dataDirText);
        terminate(handle.get(), 15);
      }
    }
  }

  /**
   * Stops the processes left by a JVM that is gone (killed with SIGKILL, so its shutdown hooks never ran): those with an
   * argument {@code ownerMarker + pid} whose pid no longer runs.
   */
  static void stopOrphans(String what, String ownerMarker) {
    try (Stream<Path> entries = Files.list(PROC)) {
      entries.map(p -> p.getFileName().toString())
          .filter(name -> name.chars().allMatch(Character::isDigit))
          .map(Long::parseLong)
          .forEach(pid -> commandLine(pid).stream().filter(a -> a.startsWith(ownerMarker)).findFirst().ifPresent(a -> {
            long owner;
            try {
              owner = Long.parseLong(a.substring(ownerMarker.length()));
            } catch (NumberFormatException e) {
              return;
            }
            if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) return;
            ProcessHandle.of(pid).ifPresent(orphan -> {
              LOG.warn("Stopping a {} (pid {}) left running by pid {}, which is gone", what, pid, owner);
              terminate(orphan, 15);
            });
          }));
    } catch (IOException e) {
      LOG.debug("Cannot scan {}", PROC, e);
    }
  }

  /** SIGTERM, wait up to {@code graceSeconds}, then SIGKILL. Returns true if it ended gracefully. */
  static boolean terminate(ProcessHandle handle, long graceSeconds) {
    if (!handle.isAlive()) {
      return true;
    }
    handle.destroy();
    try {
      handle.onExit().get(graceSeconds, TimeUnit.SECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn("pid {} did not stop within {} s after SIGTERM: killing it", handle.pid(), graceSeconds);
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.debug("Waiting for pid {}", handle.pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    handle.destroyForcibly();
    try {
      handle.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("pid {} still alive after SIGKILL", handle.pid());
    }
    return false;
  }

  /** The last {@code lines} lines of a text file, or a note that it does not exist. */
  static String tail(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "(no " + file.getFileName() + ")";
    }
    Deque<String> last = new ArrayDeque<>(lines);
    try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
      all.forEach(line -> {
        if (last.size() == lines) {
          last.removeFirst();
        }
        last.addLast(line);
      });
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
    return String.join(System.lineSeparator(), new ArrayList<>(last));
  }

  static long fileSize(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.size(file) : 0L;
    } catch (IOException e) {
      return 0L;
    }
  }

  /** What was written to a log after {@code offset} (from the start if the file was rolled over since), at most 16 MB. */
  static String readSince(Path file, long offset) {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    try (SeekableByteChannel channel = Files.newByteChannel(file)) {
      long from = channel.size() < offset ? 0 : offset;
      long length = channel.size() - from;
      if (length <= 0) {
        return "";
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, 16L * 1024 * 1024));
      channel.position(from);
      while (buffer.hasRemaining() && channel.read(buffer) > 0) {
        // read until full or end of file
      }
      return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * A child JVM's jars: from the system property {@code property} if set, else from the resource {@code resource}
   * that the runtime module {@code module} writes at build time (its resolved runtime classpath).
   */
  static List<String> recordedClasspath(String what, String property, String resource, String module) {
    String raw = System.getProperty(property);
    String source = "system property " + property;
    if (raw == null || raw.isBlank()) {
      source = "resource " + resource;
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      InputStream in = loader == null ? null : loader.getResourceAsStream(resource);
      if (in == null) {
        in = Processes.class.getClassLoader().getResourceAsStream(resource);
      }
      if (in == null) {
        throw new EmbeddedServerException("No " + what + " classpath: neither " + property + " nor the resource "
            + resource + " (built by " + module + ") is there");
      }
      try (InputStream stream = in) {
        raw = new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + resource, e);
      }
    }
    List<String> entries = new ArrayList<>();
    for (String entry : raw.trim().split(java.io.File.pathSeparator)) {
      if (!entry.isBlank()) {
        entries.add(entry.trim());
      }
    }
    List<String> missing = entries.stream().filter(e -> !Files.exists(Path.of(e))).toList();
    if (entries.isEmpty() || !missing.isEmpty()) {
      throw new EmbeddedServerException(what + " classpath from " + source + " is empty or names missing files "
          + "(rebuild " + module + " so its jars are resolved): " + missing);
    }
    return entries;
  }

  /**
   * A server's classpath whose launcher class is ours: the recorded classpath ({@link #recordedClasspath}) led by the
   * runtime module that recorded it, where the launcher is; a classpath given by {@code property} must name it itself.
   */
  static List<String> launcherClasspath(String what, String property, String resource, String module) {
    List<String> classpath = new ArrayList<>(recordedClasspath(what, property, resource, module));
    if (System.getProperty(property) == null) classpath.add(0, launcherLocation(what, resource));
    return classpath;
  }

  /**
   * The jar or class folder that holds {@code resource}: a runtime module, which also holds the launcher class of
   * {@code what}'s child JVM.
   */
  private static String launcherLocation(String what, String resource) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    URL url = loader == null ? null : loader.getResource(resource);
    if (url == null) url = Processes.class.getClassLoader().getResource(resource);
    if (url == null) {
      throw new EmbeddedServerException("No " + what + " classpath: the resource " + resource + " is not on the classpath");
    }
    try {
      String text = url.toString();
      if (text.startsWith("jar:")) return Path.of(new URI(text.substring(4, text.indexOf("!/")))).toString();
      Path root = Path.of(url.toURI());
      for (int i = 0; i < Path.of(resource).getNameCount(); i++) root = root.getParent();
      return root.toString();
    } catch (URISyntaxException | RuntimeException e) {
      throw new EmbeddedServerException("Cannot locate the " + what + " launcher from " + url, e);
    }
  }

  /** Writes via a temporary file and a rename, so a crash never leaves a half-written file. */
  static void writeAtomically(Path file, String content) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  static Path createDirectories(Path dir) {
    try {
      return Files.createDirectories(dir).toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + dir, e);
    }
  }

  /**
   * For a server JVM that shares one machine with others while they all start: C2, the optimising compiler, takes only
   * methods ten times hotter than by default. Starting, a JVM spends most of its CPU compiling code it runs a few
   * thousand times; what runs for hours still gets C2. In the demo's start, Cassandra used 12 s of CPU with these
   * flags instead of 17 s, and the first facts came sooner (docs/performance.md).
   */
  static final List<String> FEWER_C2_COMPILATIONS = List.of("-XX:Tier4InvocationThreshold=50000",
      "-XX:Tier4CompileThreshold=150000", "-XX:Tier4BackEdgeThreshold=400000");

  /**
   * For a server whose load here is light (a broker of one machine's events): C1 only, which halves its start-up CPU
   * and costs it little at that load.
   */
  static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

  /**
   * trackpipe's folder for what can be made again at any time (server binaries unpacked from their jars, the servers'
   * class archives), shared by every data folder of this machine user: {@code $XDG_CACHE_HOME/trackpipe}, else
   * {@code ~/.cache/trackpipe}. Empty when it cannot be created.
   */
  static Optional<Path> cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path dir = xdg != null && !xdg.isBlank()
        ? Path.of(xdg, "trackpipe")
        : Path.of(System.getProperty("user.home"), ".cache", "trackpipe");
    try {
      Path created = Files.createDirectories(dir);
      return Files.isWritable(created) ? Optional.of(created.toRealPath()) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      LOG.debug("No cache folder at {}: {}", dir, e.toString());
      return Optional.empty();
    }
  }

  /** The java launcher of this JVM's runtime, for the servers' child JVMs. */
  static String javaCommand() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Starts a server's JVM in a session of its own ({@link #inOwnSession}) in {@code dir}, its output and errors appended
   * to {@code log}.
   *
   * @param what the server, as messages name it ("Kafka broker JVM")
   * @param environment changes to the child's environment (Spark's SPARK_HOME …), or none
   */
  static Process launchInOwnSession(String what, List<String> command, Path dir, Path log,
      java.util.function.Consumer<java.util.Map<String, String>> environment) {
    ProcessBuilder builder = new ProcessBuilder(inOwnSession(command))
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    environment.accept(builder.environment());
    try {
      return builder.start();
    } catch (IOException e) {
      throw new EmbeddedServerException("Cannot launch the " + what + " (" + command.get(0) + ")", e);
    }
  }

  static Process launchInOwnSession(String what, List<String> command, Path dir, Path log) {
    return launchInOwnSession(what, command, dir, log, env -> { });
  }

  /**
   * {@code command} run in a session of its own ({@code setsid} execs in place, so the pid stays the child's): a
   * terminal's Ctrl-C signals the whole foreground process group, and a server that got it too would go down while
   * the parent still writes to it. The parent stops its servers itself, in order. Without {@code setsid} the command
   * runs as given.
   */
  static List<String> inOwnSession(List<String> command) {
    Optional<Path> setsid = Stream.of("/usr/bin/setsid", "/bin/setsid").map(Path::of).filter(Files::isExecutable)
        .findFirst();
    if (setsid.isEmpty()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(command.size() + 1);
    wrapped.add(setsid.get().toString());
    wrapped.addAll(command);
    return wrapped;
  }

  /** What to tell a user when a child server that was not closed is gone: its exit code and where its log is. */
  static Optional<String> unexpectedExit(String what, Process process, boolean closed, Path log) {
    if (closed || process.isAlive()) {
      return Optional.empty();
    }
    return Optional.of(what + " (pid " + process.pid() + ") exited with code " + process.exitValue() + "; its log: " + log);
  }

  /** A server's start in a folder, for {@link #startInTemporaryFolder}. */
  @FunctionalInterface
  interface Start<T> {
    T in(Path dir);
  }

  /**
   * The one-per-JVM test servers: {@code start} in a fresh temporary folder (deleted again if the start fails), stopped
   * and the folder deleted when the JVM exits.
   */
  static <T extends AutoCloseable> T startInTemporaryFolder(String name, Start<T> start) {
    Path dir;
    try {
      dir = Files.createTempDirectory("trackpipe-" + name + "-");
    } catch (IOException e) {
      throw new EmbeddedServerException("Cannot create a temporary folder for the shared " + name + " server", e);
    }
    T server;
    try {
      server = start.in(dir);
    } catch (RuntimeException e) {
      deleteRecursively(dir);
      throw e;
    }
    addShutdownHook("trackpipe-shared-" + name + "-stop", () -> {
      try {
        server.close();
      } catch (Exception e) {
        LOG.warn("Stopping the shared {} server failed", name, e);
      }
      deleteRecursively(dir);
    });
    return server;
  }

  /** Registers a shutdown hook; returns it so that close() can remove it. */
  static Thread addShutdownHook(String name, Runnable action) {
    Thread hook = new Thread(action, name);
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  static void removeShutdownHook(Thread hook) {
    if (hook == null || Thread.currentThread() == hook) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is already exiting: the hook runs anyway and close() is idempotent.
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("Interrupted while waiting", e);
    }
  }

  /** Deletes a folder and everything in it; logs (does not throw) when that fails. */
  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", dir, e.toString());
    }
  }

  /**
   * Waits until a child server's log (from {@code logOffset}) holds {@code readyLine} and its port accepts
   * connections: the line alone does not prove the listener is up, and the port alone could be someone else's.
   *
   * @param what the server, as messages name it ("Kafka broker")
   * @param diagnostics what to add to a failure message (error lines, log tails)
   */
  static void awaitLogLineAndPort(Process process, String what, Path log, long logOffset, String readyLine, int port,
      Duration timeout, long pollMillis, java.util.function.Supplier<String> diagnostics) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean logged = false;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new EmbeddedServerException(what + " exited with code " + process.exitValue() + " during start-up"
            + diagnostics.get());
      }
      logged = logged || readSince(log, logOffset).contains(readyLine);
      if (logged && isPortOpen(port)) {
        return;
      }
      sleep(pollMillis);
    }
    throw new EmbeddedServerException(what + " not ready within " + timeout.toSeconds() + " s (no \"" + readyLine
        + "\" in " + log + (logged ? ", or port " + port + " closed" : "") + ")" + diagnostics.get());
  }

  /**
   * Stops a child server (SIGTERM, then SIGKILL after {@code graceSeconds}), drops its hook and pid file, logs it.
   *
   * @return true if it was running and stopped when told to; false if it had ended before, or had to be killed
   */
  static boolean stopChild(String what, Process process, Thread shutdownHook, Path pidFile, long graceSeconds) {
    removeShutdownHook(shutdownHook);
    boolean graceful = false;
    if (process.isAlive()) {
      long t0 = System.nanoTime();
      graceful = terminate(process.toHandle(), graceSeconds);
      LOG.info("{} stopped{} (pid {}) in {} ms", what, graceful ? "" : " forcibly", process.pid(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
    deletePidFile(pidFile, process.pid());
    return graceful;
  }
}
