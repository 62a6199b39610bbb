package io.trackpipe.serve.query;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.util.List;

/**
 * Which facts a query reads: the dates {@code from} … {@code to} (inclusive, in the facts' zone) and, per dimension,
 * the ids to keep (empty = all). Validated by the API before it gets here.
 */
public record FactFilter(LocalDate from, LocalDate to, List<Long> jobs, List<Long> campaigns, List<Long> publishers,
    List<Long> companies, List<Long> groups) {

  public FactFilter {
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    if (to.isBefore(from)) throw new IllegalArgumentException("to " + to + " is before from " + from);
    jobs = List.copyOf(jobs);
    campaigns = List.copyOf(campaigns);
    publishers = List.copyOf(publishers);
    companies = List.copyOf(companies);
    groups = List.copyOf(groups);
  }

  public static FactFilter dates(LocalDate from, LocalDate to) {
    return new FactFilter(from, to, List.of(), List.of(), List.of(), List.of(), List.of());
  }

  List<Long> ids(Dimension dimension) {
    return switch (dimension) {
      case JOB -> jobs;
      case CAMPAIGN -> campaigns;
      case PUBLISHER -> publishers;
      case COMPANY -> companies;
      case GROUP -> groups;
    };
  }
}
