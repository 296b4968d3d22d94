package netbalancer.daemon;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import netbalancer.log.Log;

/**
 * The daemon's running parts in the order they started; {@link #stopAll} stops them in reverse,
 * each one even if another failed to stop (a socket that will not close must not keep the kernel
 * monitors running or the data plane from being cleaned up). A part that never started was never
 * added, so a failed start stops exactly what it had started. A part that starts after the stop
 * began (a SIGTERM in the middle of the start) is stopped at once. Thread-safe.
 */
final class Lifecycle {
  private record Part(String name, AutoCloseable stop) {
  }

  private final Deque<Part> started = new ArrayDeque<>();
  private boolean stopping;

  /** Records a part that has just started; {@code stop} is called once, at {@link #stopAll}. */
  void started(String name, AutoCloseable stop) {
    Part part = new Part(Objects.requireNonNull(name), Objects.requireNonNull(stop));
    synchronized (this) {
      if (!stopping) {
        started.push(part);
        return;
      }
    }
    stop(part);
  }

  /** Stops every part, last started first; returns how many failed to stop (each one logged). */
  int stopAll() {
    synchronized (this) {
      stopping = true;
    }
    int failed = 0;
    while (true) {
      Part p;
      synchronized (this) {
        p = started.poll();
      }
      if (p == null) {
        return failed;
      }
      failed += stop(p) ? 0 : 1;
    }
  }

  private static boolean stop(Part p) {
    try {
      p.stop().close();
      return true;
    } catch (Exception | Error e) {
      Log.error("stopping %s: %s", p.name(), e);
      return false;
    }
  }
}
