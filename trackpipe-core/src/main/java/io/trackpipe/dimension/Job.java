package io.trackpipe.dimension;

import static java.util.Objects.requireNonNull;

/** A row of the {@code job} dimension table: one job ad, owned by a company, run in a campaign and an ad group. */
public record Job(long id, long companyId, long groupId, long campaignId, String title, String industry) {
  public Job {
    requireNonNull(title, "title is null");
    requireNonNull(industry, "industry is null");
  }
}
