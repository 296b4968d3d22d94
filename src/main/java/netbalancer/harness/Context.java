package netbalancer.harness;

import java.io.PrintStream;
import java.util.Optional;
import netbalancer.harness.Observer.Seen;

/** What a running scenario works with. */
public final class Context {
  final Target target;
  final Observer observer;
  final Undo undo;
  final Timeline timeline;
  final Limits limits;
  final boolean force;
  final PrintStream out;

  Context(Target target, Observer observer, Undo undo, Timeline timeline, Limits limits, boolean force,
      PrintStream out) {
    this.target = target;
    this.observer = observer;
    this.undo = undo;
    this.timeline = timeline;
    this.limits = limits;
    this.force = force;
    this.out = out;
  }

  Seen latest() {
    return observer.latest();
  }

  /** Opens the held connections (a lab), announcing them. */
  Optional<Target.Held> hold() {
    Optional<Target.Held> held = target.hold();
    held.ifPresent(h -> timeline.note("holding " + h.opened().values().stream().mapToInt(Integer::intValue).sum()
        + " connections from the LAN host: " + Scenarios.perUplink(h.opened())));
    return held;
  }

  /** Sleeps until {@code deadlineNanos}; a stop request (Ctrl-C) ends the wait. */
  void sleepUntil(long deadlineNanos) throws InterruptedException {
    while (!undo.stopped()) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
    }
    throw new Undo.Stopped();
  }
}
