package io.trackpipe.cli;

/** Exit codes shared by every command, so schedulers can tell bad configuration from a failed run. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  /** Command-line usage errors (picocli's own code). */
  public static final int USAGE = 2;
  public static final int CONFIG = 3;
  /** {@code trackpipe verify} found differences between the warehouse and the raw store. */
  public static final int DRIFT = 4;
  /** {@code trackpipe import} stopped because more lines were rejected than {@code --max-rejected} allows. */
  public static final int TOO_MANY_REJECTED = 5;

  private ExitCodes() {}
}
