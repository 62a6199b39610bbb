package io.trackpipe.collector.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Kafka is taking records, as last seen by a send or by {@link KafkaProbe}. While it is down, requests are
 * answered 503 at once instead of each waiting the full Kafka time-out and piling up memory; the probe brings it back.
 * Thread-safe.
 */
public final class KafkaAvailability {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaAvailability.class);

  /** The current state and, when down, why. */
  public record State(boolean up, String problem, long sinceMillis) {}

  private static final String NOT_CHECKED = "not checked yet";

  private volatile State state;

  /** Starts down until the first probe: nothing is acknowledged before Kafka is known to be there. */
  public KafkaAvailability() {
    this.state = new State(false, NOT_CHECKED, System.currentTimeMillis());
  }

  public boolean isUp() {
    return state.up();
  }

  public State state() {
    return state;
  }

  public void markUp() {
    State before = state;
    if (!before.up()) {
      state = new State(true, null, System.currentTimeMillis());
      if (!before.problem().equals(NOT_CHECKED)) LOG.info("Kafka is reachable again; accepting events");
    }
  }

  public void markDown(String problem) {
    State before = state;
    if (before.up()) {
      state = new State(false, problem, System.currentTimeMillis());
      LOG.warn("Kafka is unavailable ({}); answering 503 until it is back", problem);
    } else if (!problem.equals(before.problem())) {
      state = new State(false, problem, before.sinceMillis());
    }
  }
}
