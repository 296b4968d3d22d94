package netbalancer.health;

import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjLongConsumer;
import netbalancer.log.Log;
import netbalancer.system.CommandRunner;
import netbalancer.system.Ticker;

/**
 * Watches every uplink: one {@link HealthState} each, probe rounds on a scheduler, and the
 * daemon's events (traffic suspicion, neighbor changes). Thread-safe.
 *
 * <p>Each uplink has at most one timer and at most one probe round at a time. A round probes
 * every target in parallel on the probe executor and completes when the last probe returns;
 * nothing blocks the scheduler thread. Every task catches and logs its exceptions and leaves a
 * timer behind, so one failure never stops the checks (as HikariCP's housekeeper does).
 */
public final class HealthMonitor implements AutoCloseable {
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private volatile HealthSettings settings; // replaced by a reload, under lock
  private volatile Prober prober;
  private final ScheduledExecutorService scheduler;
  private final Executor probeExecutor;
  private final Ticker ticker;
  private final Clock clock;
  private final HealthListener listener;
  private final boolean ownsExecutors;
  private CommandRunner runner; // what create() built the prober on; null when given a prober
  /** What its log lines start with: "health", or "health ipv6" for the monitor of IPv6 sides. */
  private String tag = "health";
  private final Object lock = new Object();
  private final Map<String, Entry> entries = new TreeMap<>(); // guarded by lock
  private boolean closed; // guarded by lock
  // Filled under lock (so in state order), drained under deliveryLock (so told one at a time).
  private final ConcurrentLinkedQueue<Event> pending = new ConcurrentLinkedQueue<>();
  private final Object deliveryLock = new Object();

  /** One uplink; a round in flight holds on to its entry, so one removed meanwhile is ignored. */
  private static final class Entry {
    final String name;
    final HealthState state;
    String address;
    ScheduledFuture<?> wake;
    long generation; // a timer that was replaced finds a newer generation and does nothing

    Entry(String name, String address, HealthState state) {
      this.name = name;
      this.address = address;
      this.state = state;
    }
  }

  private record Event(String uplink, HealthState.Change change) {
  }

  /**
   * A monitor on the caller's executors (tests pass a fake scheduler and a direct executor).
   *
   * @param probeExecutor runs blocking probes; must be able to run one per uplink and target at
   *                      once, or rounds of healthy uplinks wait behind a dead one's timeouts
   */
  public HealthMonitor(HealthSettings settings, Prober prober, ScheduledExecutorService scheduler,
      Executor probeExecutor, Ticker ticker, Clock clock, HealthListener listener) {
    this(settings, prober, scheduler, probeExecutor, ticker, clock, listener, false);
  }

  private HealthMonitor(HealthSettings settings, Prober prober, ScheduledExecutorService scheduler,
      Executor probeExecutor, Ticker ticker, Clock clock, HealthListener listener, boolean ownsExecutors) {
    this.settings = Objects.requireNonNull(settings);
    this.prober = Objects.requireNonNull(prober);
    this.scheduler = Objects.requireNonNull(scheduler);
    this.probeExecutor = Objects.requireNonNull(probeExecutor);
    this.ticker = Objects.requireNonNull(ticker);
    this.clock = Objects.requireNonNull(clock);
    this.listener = Objects.requireNonNull(listener);
    this.ownsExecutors = ownsExecutors;
  }

  /**
   * A monitor with its own daemon threads (one timer thread, probe threads on demand) and the
   * prober HEALTH_PROBE_METHOD names. {@link #close()} stops them.
   */
  public static HealthMonitor create(HealthSettings settings, CommandRunner runner, Ticker ticker,
      HealthListener listener) {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemonThreads("health-timer"));
    timer.setRemoveOnCancelPolicy(true); // timers are replaced often; don't keep the dead ones
    ExecutorService probes = Executors.newCachedThreadPool(daemonThreads("health-probe"));
    HealthMonitor m = new HealthMonitor(settings, Prober.forMethod(settings.method(), runner), timer, probes,
        ticker, Clock.systemUTC(), listener, true);
    m.runner = runner;
    return m;
  }

  /** {@link #create} for one family's probes, its log lines tagged with {@code tag}. */
  public static HealthMonitor create(HealthSettings settings, CommandRunner runner, Ticker ticker,
      HealthListener listener, String tag) {
    HealthMonitor m = create(settings, runner, ticker, listener);
    m.tag = tag;
    return m;
  }

  /**
   * Whether probes run (HEALTH_CHECK_ENABLED, and for a family's monitor at least one target of
   * that family); when not, the family follows the uplink's other state.
   */
  public boolean probing() {
    return settings.enabled();
  }

  /**
   * The uplinks to watch, name to the source address probes bind to. New ones start UP and are
   * probed at once; gone ones are forgotten; a changed address is probed at once.
   */
  public void setUplinks(Map<String, String> nameToSourceAddress) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      long now = ticker.read();
      for (var it = entries.values().iterator(); it.hasNext(); ) {
        Entry e = it.next();
        if (!nameToSourceAddress.containsKey(e.name)) {
          cancel(e);
          it.remove();
          Log.info("%s: %s: no longer watched", tag, e.name);
        }
      }
      for (var u : nameToSourceAddress.entrySet()) {
        String name = u.getKey();
        String address = Objects.requireNonNull(u.getValue(), () -> "no source address for " + name);
        Entry e = entries.get(name);
        if (e == null) {
          e = new Entry(name, address, new HealthState(settings, now));
          entries.put(name, e);
          Log.info("%s: %s: watching from %s", tag, name, address);
        } else if (!e.address.equals(address)) {
          Log.info("%s: %s: source address %s -> %s", tag, name, e.address, address);
          e.address = address;
          e.state.probeSoon(now);
        } else {
          continue;
        }
        schedule(e);
      }
    }
  }

  /**
   * Whether the uplink has carrier, on every reconcile: without it no probe runs and none counts;
   * repeated losses are a flap (see {@link HealthState#carrierLost}).
   */
  public void carrier(String uplink, boolean up) {
    event(uplink, (s, now) -> {
      if (up) {
        s.carrierBack(now);
      } else {
        s.carrierLost(now);
      }
    });
  }

  /**
   * New settings and prober (a reload): every uplink keeps its state, hold-down, backoff level and
   * counters; only what the settings govern from now on changes.
   */
  public void reconfigure(HealthSettings next) {
    Prober p = prober;
    if (next.method() != settings.method()) {
      if (runner == null) {
        throw new IllegalStateException("this monitor was given its prober: pass the new one");
      }
      p = Prober.forMethod(next.method(), runner);
    }
    reconfigure(next, p);
  }

  /** {@link #reconfigure(HealthSettings)} with the caller's prober (tests). */
  void reconfigure(HealthSettings next, Prober nextProber) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      settings = Objects.requireNonNull(next);
      prober = Objects.requireNonNull(nextProber);
      long now = ticker.read();
      for (Entry e : entries.values()) {
        e.state.reconfigure(next, now);
        collect(e);
        schedule(e);
      }
    }
    publish();
  }

  /** Traffic pinned to the uplink stopped getting replies: probe it now, fail it only if probes agree. */
  public void suspect(String uplink, String reason) {
    suspect(uplink, reason, false);
  }

  /**
   * Like {@link #suspect(String, String)}; with {@code counts} (strong evidence) the suspicion is
   * also the first failed observation, so that one failed confirmation round reaches a threshold
   * of 2. It never fails the uplink by itself.
   */
  public void suspect(String uplink, String reason, boolean counts) {
    event(uplink, (s, now) -> s.suspect(now, reason, counts));
  }

  /** The uplink's gateway neighbor entry went FAILED/INCOMPLETE (if NEIGHBOR_REACHABILITY_ENABLED). */
  public void neighborFailed(String uplink) {
    event(uplink, (s, now) -> s.neighborFailed(now));
  }

  /** The gateway neighbor answers again: the uplink may recover once probes pass. */
  public void neighborReachable(String uplink) {
    event(uplink, (s, now) -> s.neighborReachable(now));
  }

  /** Every watched uplink's health, by name. */
  public SortedMap<String, HealthSnapshot> snapshot() {
    TreeMap<String, HealthSnapshot> out = new TreeMap<>();
    synchronized (lock) {
      long now = ticker.read();
      Instant wallNow = clock.instant();
      for (Entry e : entries.values()) {
        advance(e, now); // a status read right at the end of a hold-down shows it over
        out.put(e.name, e.state.snapshot(e.name, e.address, now, wallNow));
      }
    }
    publish();
    return Collections.unmodifiableSortedMap(out);
  }

  /** The uplinks health lets take new connections now: {@link #snapshot}'s eligible ones, and no more. */
  public Set<String> eligible() {
    Set<String> out = new HashSet<>();
    synchronized (lock) {
      long now = ticker.read();
      for (Entry e : entries.values()) {
        advance(e, now);
        if (e.state.eligible()) {
          out.add(e.name);
        }
      }
    }
    publish();
    return out;
  }

  /** Stops all timers; rounds still running are ignored when they end. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      entries.values().forEach(this::cancel);
      entries.clear();
    }
    if (ownsExecutors) {
      scheduler.shutdownNow();
      ((ExecutorService) probeExecutor).shutdownNow();
    }
  }

  private void event(String uplink, ObjLongConsumer<HealthState> action) {
    synchronized (lock) {
      Entry e = entries.get(uplink);
      if (closed || e == null) {
        Log.debug("%s: event for unwatched uplink %s ignored", tag, uplink);
        return;
      }
      action.accept(e.state, ticker.read());
      collect(e);
      schedule(e);
    }
    publish();
  }

  private void wake(Entry e, long generation) {
    try {
      String address = null;
      synchronized (lock) {
        if (closed || entries.get(e.name) != e || e.generation != generation) {
          return;
        }
        e.wake = null;
        long now = ticker.read();
        e.state.advance(now);
        if (e.state.probeDue(now)) {
          e.state.probeStarted(now);
          address = e.address;
        }
        collect(e);
        schedule(e); // nothing while the round runs; else the hold-down's end or the next round
      }
      publish();
      if (address != null) {
        startRound(e, address);
      }
    } catch (RuntimeException ex) {
      Log.error("%s: %s: check failed, retrying: %s", tag, e.name, ex);
      retryLater(e);
    }
  }

  private void startRound(Entry e, String address) {
    List<String> targets = settings.targets();
    Log.debug("%s: %s: probe round started (%d target(s), timeout %d ms)", tag, e.name, targets.size(),
        settings.timeout().toMillis());
    ProbeResult[] results = new ProbeResult[targets.size()];
    // The last probe to finish completes the round; the atomic publishes the others' results.
    AtomicInteger remaining = new AtomicInteger(targets.size());
    for (int i = 0; i < targets.size(); i++) {
      int index = i;
      String target = targets.get(i);
      Runnable probe = () -> {
        results[index] = probeOne(address, target);
        if (remaining.decrementAndGet() == 0) {
          finishRound(e, List.of(results));
        }
      };
      try {
        probeExecutor.execute(probe);
      } catch (RejectedExecutionException ex) {
        results[index] = ProbeResult.failure(target + ": probe not run: " + ex.getMessage());
        if (remaining.decrementAndGet() == 0) {
          finishRound(e, List.of(results));
        }
      }
    }
  }

  private ProbeResult probeOne(String address, String target) {
    ProbeResult r;
    try {
      r = prober.probe(address, target, settings.port(), settings.timeout());
      if (r == null) {
        r = ProbeResult.failure("prober returned nothing");
      }
    } catch (RuntimeException ex) {
      Log.warn("%s: probe %s -> %s threw %s", tag, address, target, ex);
      r = ProbeResult.failure("probe error: " + ex);
    }
    return new ProbeResult(r.outcome(), r.rtt(), target + ": " + r.detail());
  }

  private void finishRound(Entry e, List<ProbeResult> results) {
    try {
      synchronized (lock) {
        if (closed || entries.get(e.name) != e) {
          return;
        }
        if (Log.enabled(Log.Level.DEBUG)) {
          Log.debug("%s: %s: probe round done: %s", tag, e.name,
              String.join("; ", results.stream().map(r -> r.outcome() + " " + r.detail()).toList()));
        }
        e.state.probeCompleted(ticker.read(), results);
        collect(e);
        schedule(e);
      }
      publish();
    } catch (RuntimeException ex) {
      Log.error("%s: %s: probe round failed, retrying: %s", tag, e.name, ex);
      retryLater(e);
    }
  }

  /** Replaces the uplink's timer with one for its next wake-up. Caller holds the lock. */
  private void schedule(Entry e) {
    cancel(e);
    long at = e.state.nextWakeAt();
    if (at != HealthState.NEVER) {
      arm(e, Math.max(0, at - ticker.read()));
    }
  }

  private void arm(Entry e, long delayNanos) {
    long generation = e.generation;
    try {
      e.wake = scheduler.schedule(() -> wake(e, generation), delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException ex) {
      Log.warn("%s: %s: scheduler refused a timer: %s", tag, e.name, ex);
    }
  }

  private void cancel(Entry e) {
    e.generation++;
    if (e.wake != null) {
      e.wake.cancel(false);
      e.wake = null;
    }
  }

  private void retryLater(Entry e) {
    try {
      synchronized (lock) {
        if (!closed && entries.get(e.name) == e) {
          cancel(e);
          arm(e, RETRY_NANOS);
        }
      }
    } catch (RuntimeException ex) {
      Log.error("%s: %s: cannot reschedule: %s", tag, e.name, ex);
    }
  }

  /** Lets the entry's state catch up with the clock; a change is queued for the listener. */
  private void advance(Entry e, long now) {
    e.state.advance(now);
    if (collect(e)) {
      schedule(e);
    }
  }

  /** Queues the uplink's state changes for the listener. Caller holds the lock. */
  private boolean collect(Entry e) {
    List<HealthState.Change> changes = e.state.drainChanges();
    for (HealthState.Change c : changes) {
      Log.info("%s: %s: %s -> %s: %s", tag, e.name, c.from().wireName(), c.to().wireName(), c.reason());
      pending.add(new Event(e.name, c));
    }
    return !changes.isEmpty();
  }

  /** Tells the listener, outside the state lock, so it may call back into the monitor. */
  private void publish() {
    if (pending.isEmpty()) {
      return;
    }
    synchronized (deliveryLock) {
      for (Event ev; (ev = pending.poll()) != null; ) {
        try {
          listener.onChange(ev.uplink(), ev.change().from(), ev.change().to(), ev.change().reason());
        } catch (RuntimeException ex) {
          Log.error("%s: listener failed on %s: %s", tag, ev.uplink(), ex);
        }
      }
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
