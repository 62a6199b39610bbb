package io.trackpipe.collector.fileimport;

import static java.util.Objects.requireNonNull;

import io.trackpipe.collector.ingest.DomainIngestion;
import io.trackpipe.collector.ingest.IntakeResult;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends the records of files through a domain's intake, as the collector does a request's events: each accepted event
 * to the domain's events topic, each rejected line to its dead-letter topic with the reason and its place
 * ({@code import:<input>#<line>}). Records go in chunks, a few chunks in flight at once, so reading never waits for an
 * acknowledgement and memory stays bounded. When more lines than the limit are rejected the import stops after the
 * line that went over it (what was read is sent: nothing read is dropped). One run per instance; {@link #progress()}
 * may be called from any thread.
 */
public final class FileImport {
  /** One input: its name in messages and dead letters ({@code -} is standard input), and its records. */
  public record Input(String name, EventSource source, long sizeBytes) {
    public Input {
      requireNonNull(name, "name is null");
      requireNonNull(source, "source is null");
    }
  }

  /** The import could not complete: an input could not be read, or Kafka did not acknowledge. */
  public static final class ImportFailedException extends RuntimeException {
    ImportFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final int CHUNK_RECORDS = 1000;
  private static final int CHUNKS_IN_FLIGHT = 8;

  private final DomainIngestion ingestion;
  private final long maxRejected;
  private final Semaphore inFlight = new Semaphore(CHUNKS_IN_FLIGHT);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong sent = new AtomicLong();
  private final Map<String, AtomicLong> rejected = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong rejectedTotal = new AtomicLong();
  private volatile long linesBefore;
  private volatile long bytesBefore;
  private volatile long blankBefore;
  private volatile long totalBytes;
  private volatile EventSource current;
  private volatile long startNanos;
  private volatile boolean stopRequested;

  /** @param maxRejected how many rejected lines are tolerated; one more stops the import ({@link Long#MAX_VALUE}: no limit) */
  public FileImport(DomainIngestion ingestion, long maxRejected) {
    this.ingestion = requireNonNull(ingestion, "ingestion is null");
    if (maxRejected < 0) throw new IllegalArgumentException("maxRejected must be >= 0");
    this.maxRejected = maxRejected;
  }

  /**
   * Imports the inputs in order and closes them; returns once Kafka has acknowledged every record sent.
   *
   * @throws ImportFailedException when an input cannot be read or Kafka does not acknowledge
   */
  public ImportSummary run(List<Input> inputs) {
    startNanos = System.nanoTime();
    long known = 0;
    for (Input input : inputs) known = input.sizeBytes() < 0 || known < 0 ? -1 : known + input.sizeBytes();
    totalBytes = known;
    String stoppedIn = null;
    long stoppedAt = -1;
    try {
      for (Input input : inputs) {
        current = input.source();
        long stop = importOne(input);
        linesBefore += input.source().linesRead();
        bytesBefore += input.source().bytesRead();
        blankBefore += input.source().blankLines();
        current = null;
        if (stop >= 0) {
          stoppedIn = input.name();
          stoppedAt = stop;
          break;
        }
      }
      inFlight.acquireUninterruptibly(CHUNKS_IN_FLIGHT); // every chunk acknowledged
      inFlight.release(CHUNKS_IN_FLIGHT);
      throwIfFailed();
    } finally {
      for (Input input : inputs) {
        try {
          input.source().close();
        } catch (IOException e) {
          // Closing a file read to its end cannot lose anything; the import's own outcome matters more.
        }
      }
    }
    return snapshot(stoppedIn, stoppedAt);
  }

  /** The line the import stopped at (too many rejected, or {@link #stop()}), or -1 when the input was read to its end. */
  private long importOne(Input input) {
    String source = "import:" + input.name() + "#";
    DomainIngestion.Batch chunk = null;
    try {
      ImportItem item;
      while ((item = input.source().next()) != null) {
        if (chunk == null) chunk = ingestion.batch(System.currentTimeMillis());
        String where = source + item.line();
        if (item instanceof ImportItem.Event event) {
          IntakeResult result = chunk.admit(event.json(), where);
          if (result instanceof IntakeResult.Rejected rejectedEvent) countRejected(rejectedEvent.code());
        } else {
          ImportItem.Refused refused = (ImportItem.Refused) item;
          chunk.refuse(refused.input(), refused.reason(), refused.message(), where);
          countRejected(refused.reason().code());
        }
        if (rejectedTotal.get() > maxRejected || stopRequested) {
          send(chunk);
          return item.line();
        }
        if (chunk.size() >= CHUNK_RECORDS) {
          send(chunk);
          chunk = null;
        }
      }
      if (chunk != null) send(chunk);
      return -1;
    } catch (IOException e) {
      if (chunk != null) send(chunk);
      throw new ImportFailedException("cannot read " + input.name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Stops reading after the current record (Ctrl-C); {@link #run} then returns once what was read is acknowledged, with
   * {@link ImportSummary#stoppedAtLine()} set. Callable from any thread.
   */
  public void stop() {
    stopRequested = true;
  }

  private void countRejected(String code) {
    rejected.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
    rejectedTotal.incrementAndGet();
  }

  private void send(DomainIngestion.Batch chunk) {
    throwIfFailed();
    inFlight.acquireUninterruptibly();
    int accepted = chunk.accepted();
    CompletableFuture<Void> acknowledged;
    try {
      acknowledged = chunk.send();
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    acknowledged.whenComplete((stored, error) -> {
      if (error == null) {
        sent.addAndGet(accepted);
      } else {
        failure.compareAndSet(null, error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error);
      }
      inFlight.release();
    });
  }

  private void throwIfFailed() {
    Throwable cause = failure.get();
    if (cause != null) {
      throw new ImportFailedException("Kafka did not acknowledge: " + cause.getMessage(), cause);
    }
  }

  /**
   * Where the import has got; callable from any thread while it runs. The counts of the input being read are read
   * without a lock: a progress line may lag a few lines behind.
   */
  public ImportSummary progress() {
    return snapshot(null, -1);
  }

  private ImportSummary snapshot(String stoppedIn, long stoppedAt) {
    EventSource reading = current;
    long lines = linesBefore + (reading == null ? 0 : reading.linesRead());
    long bytes = bytesBefore + (reading == null ? 0 : reading.bytesRead());
    long blank = blankBefore + (reading == null ? 0 : reading.blankLines());
    Map<String, Long> byReason = new HashMap<>();
    rejected.forEach((code, n) -> byReason.put(code, n.get()));
    return new ImportSummary(lines, bytes, totalBytes, blank, sent.get(), byReason,
        Duration.ofNanos(System.nanoTime() - startNanos), stoppedIn, stoppedAt);
  }
}
