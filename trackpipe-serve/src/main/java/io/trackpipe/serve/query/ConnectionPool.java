package io.trackpipe.serve.query;

import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A few warehouse connections kept open for read queries (a new connection costs more than a dashboard query).
 * Connections are opened on demand, checked before reuse and replaced when broken. Thread-safe.
 */
public final class ConnectionPool implements AutoCloseable {
  private final Warehouse warehouse;
  private final BlockingQueue<Connection> idle;
  private final Semaphore permits;
  private final int size;
  private volatile boolean closed;

  public ConnectionPool(Warehouse warehouse, int size) {
    this.warehouse = warehouse;
    this.idle = new ArrayBlockingQueue<>(size);
    this.permits = new Semaphore(size, true);
    this.size = size;
  }

  /** Work done with a borrowed connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs {@code work} on a pooled connection (waiting up to {@code waitMillis} for one). */
  public <T> T withConnection(long waitMillis, Work<T> work) throws SQLException {
    try {
      if (!permits.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
        throw new SQLException("all " + size + " warehouse connections stayed busy for " + waitMillis + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a warehouse connection", e);
    }
    Connection c = null;
    boolean broken = true;
    try {
      c = idle.poll();
      if (c != null && !c.isValid(2)) {
        closeQuietly(c);
        c = null;
      }
      if (c == null) {
        c = warehouse.connect();
        c.setReadOnly(true);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      T result = work.run(c);
      broken = false;
      return result;
    } finally {
      if (c != null) {
        if (broken || closed || !idle.offer(c)) closeQuietly(c);
      }
      permits.release();
    }
  }

  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = idle.poll()) != null) closeQuietly(c);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Closing a broken connection: nothing left to do with it.
    }
  }
}
