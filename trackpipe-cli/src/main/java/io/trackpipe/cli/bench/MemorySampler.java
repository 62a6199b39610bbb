package io.trackpipe.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Samples this JVM's heap twice a second; reads processes' peak resident memory from Linux's /proc. */
final class MemorySampler {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "trackpipe-bench-memory");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong peakHeap = new AtomicLong();

  static MemorySampler start() {
    MemorySampler sampler = new MemorySampler();
    sampler.timer.scheduleAtFixedRate(() -> sampler.peakHeap.accumulateAndGet(
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max), 0, 500, TimeUnit.MILLISECONDS);
    return sampler;
  }

  long peakHeapMiB() {
    return peakHeap.get() >> 20;
  }

  void stop() {
    timer.shutdownNow();
  }

  /**
   * The heap in use after the last garbage collection, summed over the pools that report it: what the live data
   * holds, without the garbage a reading of the used heap would add.
   */
  static long heapAfterLastCollectionMiB() {
    long bytes = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterCollection = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      if (afterCollection != null) bytes += afterCollection.getUsed();
    }
    return bytes >> 20;
  }

  /** VmHWM (peak resident set) of a process, or -1 where /proc is not available. */
  static long peakRssMiB(long pid) {
    return procStatusMiB(pid, "VmHWM:");
  }

  /** VmRSS (resident set now) of a process, or -1 where /proc is not available. */
  static long rssMiB(long pid) {
    return procStatusMiB(pid, "VmRSS:");
  }

  private static long procStatusMiB(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
