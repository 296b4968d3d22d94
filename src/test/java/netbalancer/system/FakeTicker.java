package netbalancer.system;

import java.time.Duration;

/** A ticker that moves only when a test moves it. Starts far from zero to catch "0 = unset" bugs. */
public final class FakeTicker implements Ticker {
  private long nanos = 1_000_000_000_000L;

  @Override
  public synchronized long read() {
    return nanos;
  }

  public synchronized void advance(Duration d) {
    nanos += d.toNanos();
  }

  public synchronized void set(long value) {
    if (value < nanos) {
      throw new IllegalArgumentException("time runs forward only");
    }
    nanos = value;
  }
}
