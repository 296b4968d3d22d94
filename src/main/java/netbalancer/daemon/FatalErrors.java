package netbalancer.daemon;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.IntConsumer;
import netbalancer.log.Log;

/**
 * How the daemon ends when something it cannot recover from happens: an Error (out of memory, a
 * stack overflow, a class that failed to load) or any throwable that escaped one of its threads.
 * One log line, then {@link Runtime#halt} with {@link #EXIT_STATUS}: no shutdown hook, no
 * cleanup in a JVM that is out of memory (the cleanup inside the shutdown hook is what failed
 * half-way when a routing table too big for the heap made it run out) — and no JVM left hanging
 * with its reconcile thread dead.
 *
 * <p>The kernel stays as the last apply left it: every apply is complete on its own, so that is a
 * consistent balanced state, which keeps established connections flowing. Under systemd the
 * unit's ExecStopPost then runs {@code net-balancer cleanup} in a fresh JVM (the result is not
 * "success") and Restart=on-failure starts the daemon again, which applies afresh. Run by hand,
 * {@code net-balancer cleanup} or the next {@code run} (which adopts the state) finishes the job.
 * The launcher also passes {@code -XX:+ExitOnOutOfMemoryError}, so an OutOfMemoryError caught
 * anywhere (a library's thread pool) ends the JVM the same way, with the JVM's own line and
 * status 3.
 */
final class FatalErrors {
  /** Not 0 (systemd restarts on failure), not 2 (bad configuration: systemd does not restart). */
  static final int EXIT_STATUS = 70;

  private FatalErrors() {
  }

  /** Every thread's uncaught throwable ends the daemon. */
  static void install() {
    Thread.setDefaultUncaughtExceptionHandler(handler(Runtime.getRuntime()::halt));
  }

  static Thread.UncaughtExceptionHandler handler(IntConsumer halt) {
    return (thread, e) -> die(thread.getName(), e, halt);
  }

  /**
   * A single-thread scheduler whose tasks' Errors end the daemon: a scheduled task that throws
   * would otherwise just stop running, its Error kept in a future no one reads.
   */
  static ScheduledThreadPoolExecutor scheduler(String threadName) {
    return scheduler(threadName, Runtime.getRuntime()::halt);
  }

  static ScheduledThreadPoolExecutor scheduler(String threadName, IntConsumer halt) {
    return new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    }) {
      @Override
      protected void afterExecute(Runnable r, Throwable t) {
        super.afterExecute(r, t);
        Throwable failure = t;
        if (failure == null && r instanceof Future<?> f && f.isDone()) {
          try {
            f.get();
          } catch (ExecutionException e) {
            failure = e.getCause();
          } catch (CancellationException | InterruptedException e) {
            // cancelled or stopping: nothing failed
          }
        }
        if (failure instanceof Error) {
          die(threadName, failure, halt);
        }
      }
    };
  }

  private static void die(String thread, Throwable e, IntConsumer halt) {
    try {
      Log.error("fatal: %s in thread %s: exiting %d without cleanup, the kernel as the last apply left it "
          + "(the service's ExecStopPost cleans up and systemd restarts)", e, thread, EXIT_STATUS);
    } catch (Throwable ignored) {
      // not even the line fits: exit all the same
    } finally {
      halt.accept(EXIT_STATUS);
    }
  }
}
