package io.trackpipe.collector.kafka;

import io.trackpipe.domain.DomainTopics;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Kafka is taking records, as last seen by a send or by {@link KafkaProbe}, and which of the routed topics do
 * not exist. While Kafka is down, requests are answered 503 at once instead of each waiting the full Kafka time-out and
 * piling up memory; the probe brings it back. A missing topic takes down only the domains that write to it: a domain
 * whose topics nobody created yet (the stream creates a domain's topics when it starts streaming it) does not stop
 * the others. Thread-safe.
 */
public final class KafkaAvailability {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaAvailability.class);

  /**
   * Why Kafka is down, in words fit for any client: answers and {@code /health} are public, so they never name
   * Kafka's addresses or its error messages (those go to the log, as the problem's detail).
   */
  public enum Outage {
    NOT_CHECKED("not checked yet"),
    UNREACHABLE("Kafka is unreachable"),
    NOT_ACKNOWLEDGED("Kafka did not acknowledge in time");

    private final String description;

    Outage(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  /**
   * The current state and, when down, why.
   *
   * @param outage null while up
   * @param detail what exactly failed, addresses included: for the log only; null while up
   */
  public record State(boolean up, Outage outage, String detail, long sinceMillis) {}

  private volatile State state;
  /** The routed topics Kafka said do not exist, at the last probe. */
  private volatile Set<String> missingTopics = Set.of();

  /** Starts down until the first probe: nothing is acknowledged before Kafka is known to be there. */
  public KafkaAvailability() {
    this.state = new State(false, Outage.NOT_CHECKED, Outage.NOT_CHECKED.description(), System.currentTimeMillis());
  }

  public boolean isUp() {
    return state.up();
  }

  public State state() {
    return state;
  }

  /** Whether both of a domain's topics exist (as of the last probe); says nothing about Kafka being up. */
  public boolean topicsExist(DomainTopics topics) {
    Set<String> missing = missingTopics;
    return !missing.contains(topics.events()) && !missing.contains(topics.deadLetters());
  }

  /** The routed topics that did not exist at the last probe. */
  public Set<String> missingTopics() {
    return missingTopics;
  }

  /** What the probe found: Kafka answered, and these of the routed topics do not exist. */
  public void topicsMissing(Set<String> missing) {
    Set<String> before = missingTopics;
    missingTopics = Set.copyOf(missing);
    if (!before.equals(missing)) {
      if (missing.isEmpty()) {
        LOG.info("Every routed topic exists now; every domain takes events");
      } else {
        LOG.warn("Topics {} do not exist; their domains answer 503 until they do (the stream creates a domain's topics"
            + " when it starts streaming it)", new TreeSet<>(missing));
      }
    }
  }

  public void markUp() {
    State before = state;
    if (!before.up()) {
      state = new State(true, null, null, System.currentTimeMillis());
      if (before.outage() != Outage.NOT_CHECKED) LOG.info("Kafka is reachable again; accepting events");
    }
  }

  public void markDown(Outage outage, String detail) {
    State before = state;
    if (before.up()) {
      state = new State(false, outage, detail, System.currentTimeMillis());
      LOG.warn("Kafka is unavailable ({}); answering 503 until it is back", detail);
    } else if (!detail.equals(before.detail())) {
      state = new State(false, outage, detail, before.sinceMillis());
    }
  }
}
