package io.trackpipe.spark.stream;

import io.trackpipe.spark.session.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager;

/**
 * Spark's checkpoint files on a local disk, written without starting a process. Spark's default manager renames
 * through Hadoop's {@code FileContext}, which on Hadoop 3.3's local file system runs {@code readlink} per rename;
 * {@link FileSystemBasedCheckpointFileManager} renames with {@code rename(2)} but creates each temporary file through
 * Hadoop, which runs {@code chmod} for it and its {@code .crc} ({@link HadoopFiles}). Together 4 to 8 process starts
 * a batch, on the batch's thread. This one creates files and folders with Java's own I/O; Spark still writes each file
 * to a temporary one and renames it.
 *
 * <p>Set as {@code spark.sql.streaming.checkpointFileManagerClass} for a local checkpoint only: on HDFS, Spark's
 * default (FileContext) is the manager whose rename is atomic.
 */
public final class LocalCheckpointFileManager extends FileSystemBasedCheckpointFileManager {
  /** Spark's contract: a manager is constructed from the checkpoint's path and the session's Hadoop settings. */
  public LocalCheckpointFileManager(Path path, Configuration hadoopConf) {
    super(path, hadoopConf);
  }

  @Override
  public FSDataOutputStream createTempFile(Path path) {
    try {
      return HadoopFiles.create(fs(), path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path + " in the checkpoint", e);
    }
  }

  @Override
  public void mkdirs(Path path) {
    try {
      HadoopFiles.mkdirs(fs(), path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the folder " + path + " in the checkpoint", e);
    }
  }
}
