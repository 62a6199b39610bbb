package io.trackpipe.generator;

/** Records could not be written or delivered; the message says where to and why. */
public final class EventSinkException extends RuntimeException {
  public EventSinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
