package io.trackpipe.serve.api;

/** A request the API refuses with 400: which parameter, and what it must be. */
final class BadRequest extends RuntimeException {
  private final String parameter;

  BadRequest(String parameter, String message) {
    super(message, null, false, false);
    this.parameter = parameter;
  }

  /** The offending parameter, or null when the problem is not one parameter's. */
  String parameter() {
    return parameter;
  }
}
