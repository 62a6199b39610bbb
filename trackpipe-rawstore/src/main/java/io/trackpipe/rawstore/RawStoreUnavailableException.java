package io.trackpipe.rawstore;

/** Cassandra could not be reached, or did not take a write, within the time allowed. Retriable later. */
public class RawStoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RawStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
