package io.trackpipe.event.legacy;

import io.trackpipe.event.EventLimits;
import io.trackpipe.event.RejectReason;

/** The {@code custom_track} values the job-ads rollups count. */
public final class CustomTrack {
  public static final String CLICK = "click";
  public static final String CONVERSION = "conversion";
  public static final String QUALIFIED = "qualified";
  public static final String UNQUALIFIED = "unqualified";

  private CustomTrack() {}
}
