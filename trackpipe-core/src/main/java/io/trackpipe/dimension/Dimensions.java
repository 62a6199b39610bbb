package io.trackpipe.dimension;

import java.util.List;

/** A consistent set of dimension rows: every job's company exists. */
public record Dimensions(List<Company> companies, List<Job> jobs, List<Publisher> publishers) {
  public Dimensions {
    companies = List.copyOf(companies);
    jobs = List.copyOf(jobs);
    publishers = List.copyOf(publishers);
  }
}
