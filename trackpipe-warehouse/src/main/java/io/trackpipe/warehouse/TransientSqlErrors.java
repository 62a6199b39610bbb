package io.trackpipe.warehouse;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * The one place that decides which warehouse errors are worth running a transaction again for: the server rolled
 * the transaction back (deadlock, lock wait time-out) or the connection was lost (killed, reset, server restarted).
 * Anything else (constraint violations, bad SQL, access denied) fails at once.
 */
public final class TransientSqlErrors {
  /** MariaDB/MySQL error codes: lock wait time-out, deadlock, connection killed, server gone or lost, shutdown. */
  private static final Set<Integer> TRANSIENT_CODES = Set.of(1205, 1213, 1927, 2006, 2013, 1053);

  private TransientSqlErrors() {}

  /** Whether {@code e}, or an SQL error that caused it, is transient. */
  public static boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && isTransientItself(sql)) return true;
    }
    return false;
  }

  private static boolean isTransientItself(SQLException e) {
    if (e instanceof SQLTransientException || e instanceof SQLNonTransientConnectionException) return true;
    if (TRANSIENT_CODES.contains(e.getErrorCode())) return true;
    String state = e.getSQLState();
    // 08: connection exception; 40: transaction rollback; 70100: the statement was interrupted (KILL).
    return state != null && (state.startsWith("08") || state.startsWith("40") || state.equals("70100"));
  }
}
