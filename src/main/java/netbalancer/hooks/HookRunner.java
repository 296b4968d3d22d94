package netbalancer.hooks;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import netbalancer.config.Config;
import netbalancer.log.Log;
import netbalancer.system.Ticker;

/**
 * Runs the executables in HOOKS_DIR when an uplink changes state, with NB_INTERFACE, NB_STATE,
 * NB_PREVIOUS_STATE, NB_REASON, NB_TIER, NB_BALANCED, NB_FAMILY and NB_POLICIES added to their environment. {@link #fire} only queues the event:
 * one worker thread runs the hooks of one event after another, in name order, each killed with
 * its descendants at HOOK_TIMEOUT, so a stuck hook delays later hooks by at most that much and
 * the daemon, and a failover, not at all.
 */
public final class HookRunner implements AutoCloseable {
  /** Events waiting beyond this many are dropped: hooks that far behind are reporting history. */
  static final int QUEUE_CAPACITY = 64;
  private static final File DEV_NULL = new File("/dev/null");
  /** util-linux setsid, which execs the hook as the leader of a new session and process group. */
  private static final String SETSID = java.util.stream.Stream.of("/usr/bin/setsid", "/bin/setsid")
      .filter(f -> new File(f).canExecute()).findFirst().orElse(null);

  private final Path dir;
  /** The refusals logged already (HookDirectory's reasons), so each is said once. */
  private final Set<String> reported = new HashSet<>();
  private final Duration timeout;
  private final Ticker ticker;
  private final ThreadPoolExecutor worker;
  /** Events accepted and not yet handled. */
  private final AtomicInteger pending = new AtomicInteger();
  /** Events dropped since the last one accepted: a flapping storm logs two lines, not hundreds. */
  private final AtomicLong dropped = new AtomicLong();

  public HookRunner(Config config, Ticker ticker) {
    this(config.hooksDir(), config.hookTimeout(), QUEUE_CAPACITY, ticker);
  }

  HookRunner(Path dir, Duration timeout, int capacity, Ticker ticker) {
    this.dir = dir;
    this.timeout = timeout;
    this.ticker = ticker;
    this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity), r -> {
      Thread t = new Thread(r, "hooks");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Queues the hooks for one state change and returns at once.
   *
   * @param previousState null or empty for an uplink just found
   * @param reason        why the state changed, as shown in status
   * @param tier          the uplink's failover tier
   * @param balanced      the uplinks in LB_TABLE after the change
   */
  public void fire(String iface, String newState, String previousState, String reason, int tier,
      List<String> balanced) {
    fire(iface, newState, previousState, reason, tier, balanced, "ipv4");
  }

  /**
   * {@link #fire(String, String, String, String, int, List)} for one family's side of the uplink:
   * {@code family} "ipv4" (the uplink's state) or "ipv6" (its IPv6 side's; {@code balanced} then
   * the uplinks in the IPv6 multipath route).
   */
  public void fire(String iface, String newState, String previousState, String reason, int tier,
      List<String> balanced, String family) {
    fire(iface, newState, previousState, reason, tier, balanced, family, List.of());
  }

  /** As above, with NB_POLICIES: the traffic policies whose uplinks in use changed in the same pass. */
  public void fire(String iface, String newState, String previousState, String reason, int tier,
      List<String> balanced, String family, List<String> policies) {
    HookEvent e = new HookEvent(iface, newState, previousState, reason, tier, balanced, family, policies);
    pending.incrementAndGet();
    try {
      worker.execute(() -> {
        try {
          runAll(e);
        } finally {
          pending.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException ex) {
      pending.decrementAndGet();
      if (worker.isShutdown()) {
        Log.debug("hooks: stopped, not running hooks for %s", e.describe());
      } else if (dropped.getAndIncrement() == 0) {
        Log.warn("hooks: %d events already waiting, dropping %s and any more until there is room",
            worker.getQueue().size(), e.describe());
      }
      return;
    }
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      Log.warn("hooks: %d event(s) were dropped while the queue was full", lost);
    }
  }

  /** Takes no more events; those queued still run (a reload replaced this runner). */
  public void retire() {
    worker.shutdown();
  }

  /** Drops queued events and kills a running hook. */
  @Override
  public void close() {
    int notRun = worker.shutdownNow().size();
    pending.addAndGet(-notRun);
    if (notRun > 0) {
      Log.info("hooks: stopping, %d queued event(s) not run", notRun);
    }
    try {
      worker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * For tests: waits until the events queued so far have been handled. Wall time, not the ticker:
   * it sleeps for real while real hook processes run, and a fake ticker would never end the wait.
   */
  boolean awaitIdle(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (pending.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  private void runAll(HookEvent e) {
    HookDirectory.Listing listing;
    try {
      listing = HookDirectory.list(dir);
    } catch (IOException ex) {
      Log.warn("hooks: cannot read %s: %s", dir, ex.toString());
      return;
    }
    reportRefusals(listing);
    for (Path hook : listing.hooks()) {
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
      try {
        run(hook, e);
      } catch (RuntimeException ex) {
        Log.warn("hook %s (%s): %s", hook.getFileName(), e.describe(), ex.toString());
      }
    }
  }

  /**
   * Each refusal once, when it is first seen (every event would repeat it otherwise); one that
   * went away and comes back is logged again.
   */
  private void reportRefusals(HookDirectory.Listing listing) {
    Set<String> now = new HashSet<>();
    if (listing.refusedDirectory() != null) {
      String line = String.format("hooks: refusing every hook in %s: %s (hooks run as root: the directory and those"
          + " above it must be owned by root and writable by root alone)", dir, listing.refusedDirectory());
      now.add(line);
    }
    listing.refused().forEach((hook, why) -> now.add(String.format("hooks: refusing %s: %s (hooks run as root: a hook"
        + " must be a regular file owned by root, writable by root alone, inside %s)", hook.getFileName(), why, dir)));
    for (String line : now) {
      if (!reported.contains(line)) {
        Log.warn("%s", line);
      }
    }
    reported.clear();
    reported.addAll(now);
  }

  private void run(Path hook, HookEvent e) {
    // setsid: the hook leads its own process group, so a timeout kills whatever it started, even a
    // grandchild whose parent exited (no longer a descendant that ProcessHandle can find).
    ProcessBuilder pb = new ProcessBuilder(SETSID != null ? List.of(SETSID, hook.toString()) : List.of(hook.toString()))
        .directory(new File("/"))
        .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
        // Inherited, not piped: a hook that leaves a background child holding a pipe open would
        // otherwise keep a reader waiting; under systemd its output still reaches the journal.
        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(e.environment());
    long t0 = ticker.read();
    Process p;
    try {
      p = pb.start();
    } catch (IOException ex) {
      Log.warn("hook %s (%s) could not start: %s", hook.getFileName(), e.describe(), ex.getMessage());
      return;
    }
    try {
      if (p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        int code = p.exitValue();
        long ms = TimeUnit.NANOSECONDS.toMillis(ticker.read() - t0);
        if (code == 0) {
          Log.info("hook %s (%s): exit 0 in %d ms", hook.getFileName(), e.describe(), ms);
        } else {
          Log.warn("hook %s (%s): exit %d in %d ms", hook.getFileName(), e.describe(), code, ms);
        }
        return;
      }
      kill(p);
      Log.warn("hook %s (%s): killed after %s ms timeout", hook.getFileName(), e.describe(), timeout.toMillis());
    } catch (InterruptedException ex) {
      kill(p); // close(): do not leave it running behind us
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGKILL to the hook's process group and to every descendant (one that left the group with
   * setsid of its own). The descendants are listed before the hook dies: once it is gone they
   * belong to init and can no longer be found from it. The group goes first so that the hook
   * cannot start more while its children are being killed.
   */
  private static void kill(Process p) {
    List<ProcessHandle> tree = p.descendants().toList();
    if (SETSID != null) {
      try {
        // the hook's pid is its group's id: setsid made it the leader
        new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
      } catch (IOException e) {
        Log.warn("hooks: cannot kill the process group of pid %d: %s", p.pid(), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    p.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      p.waitFor(1, TimeUnit.SECONDS); // reap it; SIGKILL is not refused, so this is quick
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
