package io.trackpipe.embedded;

/** An embedded server could not be started, prepared or stopped. */
public class EmbeddedServerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public EmbeddedServerException(String message) {
    super(message);
  }

  public EmbeddedServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
