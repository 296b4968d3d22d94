package netbalancer.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import netbalancer.kernel.CommandRunner;

/** Counts the subprocesses an applier starts, so "subprocesses per apply" is measured, not claimed. */
final class CountingRunner implements CommandRunner {
  private final CommandRunner delegate;
  private final AtomicInteger count = new AtomicInteger();

  CountingRunner(CommandRunner delegate) {
    this.delegate = delegate;
  }

  @Override
  public Result run(List<String> argv, String stdin, Duration timeout) {
    count.incrementAndGet();
    return delegate.run(argv, stdin, timeout);
  }

  /** Subprocesses started since the last call. */
  int takeCount() {
    return count.getAndSet(0);
  }
}
