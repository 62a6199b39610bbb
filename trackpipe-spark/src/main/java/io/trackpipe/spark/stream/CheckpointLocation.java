package io.trackpipe.spark.stream;

import io.trackpipe.config.ValueType;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where a query's checkpoint lives: a local folder (a path, or a {@code file:} URI), or a folder of any file system
 * Hadoop reaches ({@code hdfs://namenode:8020/trackpipe/checkpoints}, {@code s3a://bucket/checkpoints} with hadoop-aws
 * on the classpath, …). A driver that cluster deploy mode restarts on another machine finds its checkpoint only on
 * storage every machine sees. Everything trackpipe itself reads or deletes there goes through Hadoop's
 * {@link FileSystem}, as Spark's own checkpoint files do.
 *
 * @param local the folder, for a local checkpoint (as given: a relative path stays relative to the working folder)
 * @param remote the URI, for any other
 */
public record CheckpointLocation(Path local, URI remote) {

  /** A path (relative to the working folder, or absolute) or a URI with a scheme of two letters or more. */
  public static final ValueType<CheckpointLocation> TYPE = new ValueType<>("path or URI", CheckpointLocation::parse);

  // Two letters at least, so that a Windows drive ("C:\…") stays a path.
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

  public CheckpointLocation {
    if ((local == null) == (remote == null)) throw new IllegalArgumentException("either a local folder or a URI");
  }

  public static CheckpointLocation parse(String text) {
    String trimmed = text.trim();
    if (trimmed.isEmpty()) throw new IllegalArgumentException("empty checkpoint location");
    if (!SCHEME.matcher(trimmed).matches()) return local(Path.of(trimmed));
    URI uri;
    try {
      uri = new URI(trimmed).normalize();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URI: '" + trimmed + "': " + e.getMessage());
    }
    if (uri.getPath() == null || !uri.getPath().startsWith("/")) {
      throw new IllegalArgumentException("'" + trimmed + "' has no absolute path (e.g. hdfs://namenode:8020/trackpipe/checkpoints)");
    }
    if ("file".equals(uri.getScheme())) return local(Path.of(uri));
    // Hadoop's own form: no trailing slash.
    return new CheckpointLocation(null, new org.apache.hadoop.fs.Path(uri.toString()).toUri());
  }

  public static CheckpointLocation local(Path dir) {
    return new CheckpointLocation(dir.normalize(), null);
  }

  /** The local folder, for a local checkpoint. */
  public Optional<Path> localPath() {
    return Optional.ofNullable(local);
  }

  /** The folder {@code child} inside this one. */
  public CheckpointLocation resolve(String child) {
    if (local != null) return local(local.resolve(child));
    return new CheckpointLocation(null, new org.apache.hadoop.fs.Path(hadoopPath(), child).toUri());
  }

  /** Absolute: what Spark's checkpointLocation option and Hadoop's file systems take. */
  public org.apache.hadoop.fs.Path hadoopPath() {
    if (local != null) return new org.apache.hadoop.fs.Path(local.toAbsolutePath().toString());
    return new org.apache.hadoop.fs.Path(remote);
  }

  /** The file system that holds it, configured as Spark's session is ({@code spark.hadoop.*}). */
  public FileSystem fileSystem(Configuration hadoopConf) throws IOException {
    return hadoopPath().getFileSystem(hadoopConf);
  }

  /** The path as given, or the URI. */
  @Override
  public String toString() {
    return local != null ? local.toString() : remote.toString();
  }
}
