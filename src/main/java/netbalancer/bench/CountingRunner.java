package netbalancer.bench;

import java.time.Duration;
import java.util.List;
import netbalancer.system.CommandRunner;

/**
 * Counts the subprocesses an applier starts and the time spent waiting for {@code ip} and for
 * {@code nft}, so "subprocesses per apply" is measured, not claimed, and a slow apply shows
 * where its time went. Single-threaded use.
 */
final class CountingRunner implements CommandRunner {
  private final CommandRunner delegate;
  private int count;
  private long ipNanos;
  private long nftNanos;

  CountingRunner(CommandRunner delegate) {
    this.delegate = delegate;
  }

  @Override
  public Result run(List<String> argv, String stdin, Duration timeout) {
    count++;
    long t0 = System.nanoTime();
    try {
      return delegate.run(argv, stdin, timeout);
    } finally {
      long spent = System.nanoTime() - t0;
      if (argv.get(0).equals("nft")) {
        nftNanos += spent;
      } else if (argv.get(0).equals("ip")) {
        ipNanos += spent;
      }
    }
  }

  /** What was counted since the last call, then starts again from zero. */
  Tally take() {
    Tally t = new Tally(count, ipNanos / 1e6, nftNanos / 1e6);
    count = 0;
    ipNanos = 0;
    nftNanos = 0;
    return t;
  }

  record Tally(int subprocesses, double ipMs, double nftMs) {
  }
}
