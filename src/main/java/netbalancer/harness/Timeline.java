package netbalancer.harness;

import java.io.PrintStream;

/** Prints what happens, as it happens, in seconds since the scenario started. */
final class Timeline implements Observer.Listener {
  private final PrintStream out;
  private volatile long start = System.nanoTime();

  Timeline(PrintStream out) {
    this.out = out;
  }

  void restart() {
    start = System.nanoTime();
  }

  void note(String what) {
    seen(System.nanoTime(), what);
  }

  @Override
  public synchronized void seen(long nanos, String what) {
    out.printf("  %+8.3f s  %s%n", (nanos - start) / 1e9, what);
    out.flush();
  }
}
