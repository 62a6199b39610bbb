package io.trackpipe.spark.stream;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The first domain's first batch runs alone. A query's first batch is its dearest (Spark plans and generates its code,
 * the JIT compiles it): on two cores, three domains' first batches at once took 13–18 s each, so every domain's first
 * facts came late. The other domains' first batches wait until the first domain committed its first batch, found
 * nothing to read or stopped, and never longer than {@link #LIMIT}.
 */
final class FirstBatchFirst {
  /** The most a domain's first batch waits: a slow first batch of the first domain delays the others by no more. */
  static final Duration LIMIT = Duration.ofSeconds(30);

  private final CountDownLatch released = new CountDownLatch(1);

  /** The first domain's first batch is done (committed, skipped or failed), or there was none to run. */
  void release() {
    released.countDown();
  }

  /** Waits for {@link #release} or {@link #LIMIT}, whichever comes first. */
  void await() throws InterruptedException {
    released.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
