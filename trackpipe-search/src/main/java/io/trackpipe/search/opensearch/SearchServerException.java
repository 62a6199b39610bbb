package io.trackpipe.search.opensearch;

/** The search server could not be reached, or refused a request; the message says which request and what to do. */
public class SearchServerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SearchServerException(String message) {
    super(message);
  }

  public SearchServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
