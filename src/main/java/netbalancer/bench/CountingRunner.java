package netbalancer.bench;

import java.time.Duration;
import java.util.List;
import netbalancer.system.CommandRunner;

/**
 * Counts the subprocesses an applier starts and the time spent waiting for {@code ip} and for
 * {@code nft}, so "subprocesses per apply" is measured, not claimed, and a slow apply shows
 * where its time went. Any thread (the observer reads in parallel).
 */
final class CountingRunner implements CommandRunner {
  private final CommandRunner delegate;
  private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong ipNanos = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong nftNanos = new java.util.concurrent.atomic.AtomicLong();

  CountingRunner(CommandRunner delegate) {
    this.delegate = delegate;
  }

  @Override
  public Result run(List<String> argv, String stdin, Duration timeout) {
    count.incrementAndGet();
    long t0 = System.nanoTime();
    try {
      return delegate.run(argv, stdin, timeout);
    } finally {
      long spent = System.nanoTime() - t0;
      if (argv.get(0).equals("nft")) {
        nftNanos.addAndGet(spent);
      } else if (argv.get(0).equals("ip")) {
        ipNanos.addAndGet(spent);
      }
    }
  }

  @Override
  public <T> T stream(List<String> argv, Duration timeout, java.util.function.Function<java.io.InputStream, T> reader) {
    count.incrementAndGet();
    long t0 = System.nanoTime();
    try {
      return delegate.stream(argv, timeout, reader);
    } finally {
      ipNanos.addAndGet(System.nanoTime() - t0);
    }
  }

  /** What was counted since the last call, then starts again from zero. */
  synchronized Tally take() {
    return new Tally(count.getAndSet(0), ipNanos.getAndSet(0) / 1e6, nftNanos.getAndSet(0) / 1e6);
  }

  record Tally(int subprocesses, double ipMs, double nftMs) {
  }
}
