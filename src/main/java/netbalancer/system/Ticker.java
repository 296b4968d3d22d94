package netbalancer.system;

/**
 * A source of monotonic nanoseconds (as Caffeine's {@code Ticker}): the health state machine reads
 * time only through it, so minutes of hold-down and backoff are tested in microseconds.
 */
@FunctionalInterface
public interface Ticker {
  /** Nanoseconds from an arbitrary origin; only differences mean anything. */
  long read();

  static Ticker system() {
    return System::nanoTime;
  }
}
