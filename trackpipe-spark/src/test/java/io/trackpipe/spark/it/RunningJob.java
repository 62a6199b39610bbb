package io.trackpipe.spark.it;

/** A streaming job a test started (a child JVM, a driver on a Spark cluster): whether it still runs, and its log. */
public interface RunningJob {
  boolean isAlive();

  /** The end of its log, for failure messages. */
  String logTail();
}
