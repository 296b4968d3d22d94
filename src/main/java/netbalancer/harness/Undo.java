package netbalancer.harness;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Every fault in force, and what else must happen before the JVM exits, undone in reverse order
 * on the normal path and from a shutdown hook on Ctrl-C or SIGTERM. Applying and undoing hold
 * one lock, so a signal arriving while a fault is being applied waits for it and then reverts
 * it; once the hook has run, no fault is applied any more.
 */
final class Undo implements AutoCloseable {
  /** Thrown to a scenario that tries to apply a fault after the harness was told to stop. */
  static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super("stopped by a signal");
    }
  }

  private final Deque<Fault> inForce = new ArrayDeque<>();
  private final Deque<Runnable> finalActions = new ArrayDeque<>();
  private final String who;
  private final PrintStream out;
  private final Thread hook = new Thread(this::onSignal, "harness-restore");
  private boolean stopped;

  /** @param who the command, for the message on a signal ("net-balancer test") */
  Undo(String who, PrintStream out) {
    this.who = who;
    this.out = out;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Applies {@code f} and remembers it until {@link #revert}. */
  synchronized void apply(Fault f) {
    if (stopped) {
      throw new Stopped();
    }
    inForce.push(f); // first: a half-applied fault is reverted too
    f.apply();
  }

  /** Reverts {@code f} if it is in force; if that fails it stays in force, to be tried again at the end. */
  synchronized void revert(Fault f) {
    if (inForce.contains(f)) {
      f.revert();
      inForce.remove(f);
    }
  }

  /** Runs {@code action} when the harness ends, however it ends (last added runs first). */
  synchronized void atEnd(Runnable action) {
    finalActions.push(action);
  }

  synchronized boolean stopped() {
    return stopped;
  }

  private void onSignal() {
    boolean pending;
    synchronized (this) {
      pending = !stopped && (!inForce.isEmpty() || !finalActions.isEmpty());
    }
    if (pending) {
      out.println(who + ": stopping: putting back what was changed");
      out.flush();
    }
    undoAll(true);
  }

  /** Reverts every fault in force, then runs the final actions; each failure is reported, not thrown. */
  synchronized void undoAll(boolean fromSignal) {
    stopped = stopped || fromSignal;
    while (!inForce.isEmpty()) {
      Fault f = inForce.pop();
      try {
        f.revert();
        if (fromSignal) {
          out.println("  restored: " + f.describeRevert());
        }
      } catch (RuntimeException e) {
        out.println("  COULD NOT RESTORE " + f.describeRevert() + ": " + e.getMessage());
      }
    }
    while (!finalActions.isEmpty()) {
      try {
        finalActions.pop().run();
      } catch (RuntimeException e) {
        out.println("  cleanup step failed: " + e.getMessage());
      }
    }
    out.flush();
  }

  /** The normal end: undo everything and drop the hook. */
  @Override
  public void close() {
    undoAll(false);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs (and finds nothing left to do)
    }
  }
}
