package io.trackpipe.spark.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * Creates files through Hadoop's {@link FileSystem} API without the processes Hadoop 3.3 starts on a local disk.
 *
 * <p>Its local file system sets a new file's permissions by running {@code chmod} when Hadoop's native library is
 * missing (it is, here and in Spark's distributions), once for the file and once for its {@code .crc}. A streaming job
 * writes files on every batch (Spark's offsets and commits, the dedup log): 6 process starts a batch per domain, a few
 * milliseconds each from a large JVM, on the batch's thread. On a local disk the file is written with Java's own I/O
 * instead, with the process's default permissions and no {@code .crc} (reading through Hadoop skips the check when it
 * is missing; Spark's checkpoint files and the dedup log carry their own checks). Folders are created the same way
 * (Hadoop sets their permissions with {@code chmod} too). Other file systems (HDFS) are left to Hadoop.
 */
public final class HadoopFiles {
  private HadoopFiles() {}

  /** Creates {@code path}, or replaces its content, and its missing parent folders. */
  public static FSDataOutputStream create(FileSystem fs, org.apache.hadoop.fs.Path path) throws IOException {
    if (fs instanceof LocalFileSystem local) {
      Path file = local.pathToFile(path).toPath();
      Files.createDirectories(file.getParent());
      return new FSDataOutputStream(Files.newOutputStream(file), null);
    }
    return fs.create(path, true);
  }

  /** Creates the folder {@code path} and its missing parents. */
  public static void mkdirs(FileSystem fs, org.apache.hadoop.fs.Path path) throws IOException {
    if (fs instanceof LocalFileSystem local) {
      Files.createDirectories(local.pathToFile(path).toPath());
    } else if (!fs.mkdirs(path)) {
      throw new IOException("cannot create the folder " + path);
    }
  }
}
