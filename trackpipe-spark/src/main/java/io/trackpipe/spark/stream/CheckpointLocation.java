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
 * Where a query's checkpoint lives: a local folder (a plain path, or a {@code file:} URI), or a folder of any file
 * system Hadoop reaches ({@code hdfs://namenode:8020/trackpipe/checkpoints}, {@code s3a://bucket/checkpoints} with
 * hadoop-aws on the classpath, …). A driver that cluster deploy mode restarts on another machine finds its checkpoint
 * only on storage every machine sees. Everything trackpipe itself reads or deletes there goes through Hadoop's
 * {@link FileSystem}, as Spark's own checkpoint files do.
 *
 * @param uri absolute, with its scheme ({@code file:/srv/checkpoints/events} for a local folder)
 */
public record CheckpointLocation(URI uri) {

  /** A plain path (relative to the working folder, or absolute) or a URI with a scheme of two letters or more. */
  public static final ValueType<CheckpointLocation> TYPE = new ValueType<>("path or URI", CheckpointLocation::parse);

  // Two letters at least, so that a Windows drive ("C:\…") stays a path.
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

  public CheckpointLocation {
    if (uri.getScheme() == null || uri.getPath() == null || !uri.getPath().startsWith("/")) {
      throw new IllegalArgumentException("not an absolute checkpoint location with a scheme: " + uri);
    }
  }

  public static CheckpointLocation parse(String text) {
    String trimmed = text.trim();
    if (trimmed.isEmpty()) throw new IllegalArgumentException("empty checkpoint location");
    if (!SCHEME.matcher(trimmed).matches()) return local(Path.of(trimmed));
    try {
      URI uri = new URI(trimmed);
      if ("file".equals(uri.getScheme())) return local(Path.of(uri));
      if (uri.getPath() == null || !uri.getPath().startsWith("/")) {
        throw new IllegalArgumentException("'" + trimmed + "' has no absolute path (e.g. hdfs://namenode:8020/trackpipe/checkpoints)");
      }
      // Hadoop's own form: no trailing slash, no "." or "..".
      return new CheckpointLocation(new org.apache.hadoop.fs.Path(uri.normalize().toString()).toUri());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URI: '" + trimmed + "': " + e.getMessage());
    }
  }

  /** A local folder, made absolute. */
  public static CheckpointLocation local(Path dir) {
    try {
      return new CheckpointLocation(new URI("file", null, dir.toAbsolutePath().normalize().toString(), null));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a usable folder name: " + dir, e);
    }
  }

  /** The local folder, for a {@code file:} location. */
  public Optional<Path> localPath() {
    return "file".equals(uri.getScheme()) ? Optional.of(Path.of(uri)) : Optional.empty();
  }

  /** The folder {@code child} inside this one. */
  public CheckpointLocation resolve(String child) {
    return new CheckpointLocation(new org.apache.hadoop.fs.Path(hadoopPath(), child).toUri());
  }

  public org.apache.hadoop.fs.Path hadoopPath() {
    return new org.apache.hadoop.fs.Path(uri);
  }

  /** The file system that holds it, configured as Spark's session is ({@code spark.hadoop.*}). */
  public FileSystem fileSystem(Configuration hadoopConf) throws IOException {
    return hadoopPath().getFileSystem(hadoopConf);
  }

  /** A local folder's path, or the URI. */
  @Override
  public String toString() {
    return localPath().map(Path::toString).orElse(uri.toString());
  }
}
