package netbalancer.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import netbalancer.config.Config;
import netbalancer.config.InterfaceNames;
import netbalancer.config.Policies;
import netbalancer.health.HealthMonitor;
import netbalancer.health.HealthSettings;
import netbalancer.hooks.HookRunner;
import netbalancer.system.CommandRunner;
import netbalancer.kernel.Conntrack;
import netbalancer.kernel.KernelApplier;
import netbalancer.kernel.ProcSysctls;
import netbalancer.system.ProcessRunner;
import netbalancer.system.Ticker;
import netbalancer.kernel.StateStore;
import netbalancer.log.Log;
import netbalancer.metrics.Metrics;
import netbalancer.observe.KernelObserver;
import netbalancer.plan.Observers;

/**
 * The running service: kernel events, health changes, operator requests and a periodic resync
 * all become one signal; signals are coalesced and served by a single reconcile thread, which
 * never sleeps on the way from an event to the kernel. Every scheduled task catches and logs, so
 * one failure never stops the loop.
 */
public final class Daemon {
  private final Supplier<Config> reload;
  private final Function<Config, Policies> policyLoader;
  private volatile Policies policies;
  /** Each policy's uplinks in use at the last pass (loop thread only). */
  private Map<String, Object> policyUse = Map.of();
  private final CommandRunner runner = new ProcessRunner();
  private static final Duration HANDOVER_WINDOW = Duration.ofMinutes(10);
  /** How long route events gather between reads of their monitor (see KernelMonitor.routes). */
  static final long ROUTE_EVENTS_GATHER_MS = 100;
  /** The system property that can ask for {@code ip monitor route} instead of the netlink socket. */
  static final String ROUTE_EVENTS_PROPERTY = "netbalancer.routeEvents";
  /**
   * Every how many resyncs our routes are read again too (the others read our nft table, rules,
   * links): every change of our routes is a route event, and one process per table of ours and
   * family every 30 s was most of an idle daemon's CPU beside a routing feed's monitor.
   */
  static final int RESYNC_ROUTES_EVERY = 10;
  /** The one clock of the daemon: the reconciler's wakeAt is read against it in reconcileNow. */
  private final Ticker ticker = Ticker.system();
  private final ScheduledExecutorService loop = FatalErrors.scheduler("reconciler");
  private final AtomicBoolean pending = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  /** What the shutdown hook exits with: 0 for a stop asked for, 1 once the start failed. */
  private volatile int exitStatus;
  private final DaemonStatus status = new DaemonStatus();
  private final Path stateDir;
  private final Path controlSocket;
  private volatile Config config;
  private volatile Reconciler reconciler;
  private volatile KernelObserver observer;
  private volatile boolean stopping;
  /** Ticker time until which a stop leaves the data plane to the next daemon; 0: no handover asked. */
  private volatile long handoverUntil;
  private HealthMonitor health;
  /** The IPv6 sides' probes: IPv6 targets from each uplink's IPv6 address (none without one). */
  private HealthMonitor health6;
  private UnrepliedWatcher watcher;
  private UplinkStats stats;
  private volatile Metrics metrics;
  private volatile HookRunner hooks;
  /** The last state changes, kept in STATE_DIR across restarts (`net-balancer events`). */
  private final EventLog events;
  /** GET / on the metrics endpoint. */
  private final StatusPage page;
  /** Links, addresses, rules and neighbors: a {@link NetlinkDeviceMonitor} or, without one, ip monitor. */
  private AutoCloseable deviceEvents;
  /** The route-event source (netlink or ip monitor route); remade when a reload changes our tables. */
  private AutoCloseable routeEvents;
  private AutoCloseable nftMonitor;
  private ControlServer control;
  private ScheduledFuture<?> resync;
  private int resyncs;
  /** What has started, stopped in reverse order at the end, each part even if another fails. */
  private final Lifecycle parts = new Lifecycle();

  /** @param reload loads and validates the configuration again (on SIGHUP); throws when invalid */
  public Daemon(Config config, Supplier<Config> reload) {
    this(config, Policies.NONE, reload, c -> Policies.NONE);
  }

  /**
   * @param policies     POLICIES_FILE's rules, read and validated for {@code config}
   * @param policyLoader reads and validates them again for a reloaded configuration; throws when invalid
   */
  public Daemon(Config config, Policies policies, Supplier<Config> reload, Function<Config, Policies> policyLoader) {
    this.config = config;
    this.policies = policies;
    this.policyLoader = policyLoader;
    this.stateDir = config.stateDir();
    this.controlSocket = config.controlSocket();
    this.reload = reload;
    this.reconciler = wire(config);
    this.metrics = new Metrics(config);
    this.hooks = new HookRunner(config, ticker);
    this.events = EventLog.open(stateDir, java.time.Clock.systemUTC());
    this.page = new StatusPage(java.time.Clock.systemUTC(),
        () -> status.json(this.config, health.snapshot(), health6.snapshot(), currentStats(), stats.counters()), events);
    metrics.page(page);
  }

  /** STATE_DIR of the start: the sysctl originals written there are what cleanup restores. */
  private KernelApplier applier(Config c) {
    return new KernelApplier(runner, new ProcSysctls(), StateStore.forCurrentNamespace(stateDir), c.lbRtProto());
  }

  /** The parts that hold what the daemon learned, made once: a reload reconfigures them. */
  private Reconciler wire(Config c) {
    health = HealthMonitor.create(HealthSettings.from(c).forFamily(false), runner, ticker,
        (uplink, from, to, why) -> signal());
    health6 = HealthMonitor.create(HealthSettings.from(c).forFamily(true), runner, ticker,
        (uplink, from, to, why) -> signal(), "health ipv6");
    rewireTraffic(c);
    // The observer is read through its field: a reload that changed settings makes a new one.
    return new Reconciler(c, policies, () -> observer.observe(), applier(c), new Conntrack(runner),
        new MonitorHealthSource(health, health6), ticker);
  }

  /** The traffic watcher and statistics: they hold no state worth keeping, so a reload remakes them. */
  private void rewireTraffic(Config c) {
    if (watcher != null) {
      watcher.close();
    }
    watcher = new UnrepliedWatcher(c, runner, health, health6, () -> reconciler.uplinks(), this::signal, ticker);
    // A new one sweeps every table on its second read; the reader is chosen once per process.
    observer = Observers.keepingMain(KernelReadsChoice.forDaemon(runner), c);
    if (StateStore.forCurrentNamespace(stateDir).exists()) {
      observer.sweepOnFirstRead(); // an earlier run's state: find all of its routes before the first apply
    }
    stats = new UplinkStats(c, new Conntrack(runner), observer, ticker);
  }

  private void scheduleResync(Config c) {
    if (resync != null) {
      resync.cancel(false);
    }
    long ms = c.resyncInterval().toMillis();
    resync = loop.scheduleWithFixedDelay(() -> {
      // A pass now and then, whatever the monitors saw: it reads our tables, rules and nft table
      // afresh. The main table's view is not read again here: the ip monitor
      // keeps it current (docs/design.md, "The main table's view"), and at 1 000 000 routes
      // its defaults cost a quarter second of dump per read. Our nft table is (a chain of ours
      // flushed raises no event); our routes, whose changes are route events, every 10th time.
      if (++resyncs % RESYNC_ROUTES_EVERY == 0) {
        observer.oursChanged();
      } else {
        observer.nftChanged();
      }
      signal();
    }, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Runs until SIGTERM/SIGINT; returns the exit code. */
  public int run() throws IOException, InterruptedException {
    long t0 = ticker.read();
    // First: everything below and the first pass's reads then run beside it (it loads and runs
    // the pass's code once, which a just-started JVM otherwise does on the pass's path).
    WarmUp.startBeside(config, policies);
    // Before the first change to the kernel: a SIGTERM from here on cleans up.
    FatalErrors.install();
    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "shutdown"));
    // Made by the constructor (the health monitor already owns its threads); fields read at the
    // stop, so the parts a reload replaced are the ones stopped.
    parts.started("health checks", () -> health.close());
    parts.started("IPv6 health checks", () -> health6.close());
    parts.started("hooks", () -> hooks.close());
    parts.started("metrics", () -> metrics.close());
    // The start is queued on the loop before the SIGHUP handler exists, so a reload always runs
    // after it (a handler installed first once let a SIGHUP right after "starting" reload before
    // the first apply); and it waits for the handler, so no SIGHUP meets the JVM's default (exit)
    // in the middle of a first apply (that once stopped a daemon mid-start).
    java.util.concurrent.CountDownLatch sighupHandled = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.Future<Object> starting;
    try {
      starting = loop.submit(() -> {
        sighupHandled.await();
        start(t0);
        return null;
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // SIGTERM before the start was even queued (seen in TrustIT under load): the shutdown hook
      // has shut the loop down and owns the stop; this is a stop, not an error to print.
      if (!stopping) {
        throw e;
      }
      stopped.await();
      return 0;
    }
    installSighup();
    Log.info("net-balancer starting (LB_TABLE=%d, LB_PREF=%d)", config.lbTable(), config.lbPref());
    sighupHandled.countDown();
    try {
      starting.get();
    } catch (ExecutionException e) {
      // The exit that follows runs the shutdown hook (cleanup); it must not turn this into a 0,
      // or Restart=on-failure never restarts a daemon that could not start.
      // A start cut short by SIGTERM (its executor shut down under it: the next schedule is
      // refused) is a stop, not a failure, and nothing to print: the shutdown hook cleans up.
      if (stopping) {
        stopped.await();
        return 0;
      }
      exitStatus = 1;
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
    stopped.await();
    return 0;
  }

  /** Everything the daemon starts, on the loop thread, so a reload asked for meanwhile waits for it. */
  private void start(long t0) throws IOException {
    reconcileNow();
    // The pass's own share apart: the rest is the JVM's start (classes loaded, code not yet compiled).
    Log.info("first apply done in %d ms (the pass %d ms: %s)", TimeUnit.NANOSECONDS.toMillis(ticker.read() - t0),
        TimeUnit.NANOSECONDS.toMillis(status.last().lastDurationNanos()), reconciler.lastSteps());
    watcher.start();
    parts.started("traffic watcher", () -> watcher.close());
    control = new ControlServer(controlSocket, this::handle);
    parts.started("control socket", control::close); // also what a half-done start left open
    try {
      control.start();
    } catch (IOException e) {
      // The exception alone may name only a parent directory ("FileAlreadyExistsException: /run/x").
      throw new IOException("CONTROL_SOCKET " + controlSocket + ": " + e, e);
    }
    startMetrics(metrics, config);
    // RTT, loss and traffic change between reconciles: publish them on a beat too (while enabled).
    loop.scheduleWithFixedDelay(this::publishMetrics, 5, 5, TimeUnit.SECONDS);
    long trimMs = NativeHeapTrimmer.EVERY.toMillis();
    loop.scheduleWithFixedDelay(NativeHeapTrimmer.forThisProcess(ticker), trimMs, trimMs, TimeUnit.MILLISECONDS);
    deviceEvents = startDeviceEvents();
    parts.started("device events", () -> deviceEvents.close());
    routeEvents = startRouteEvents(config);
    parts.started("route events", () -> routeEvents.close());
    nftMonitor = startTableEvents();
    parts.started("nft table events", nftMonitor::close);
    scheduleResync(config);
    // The pass after the first apply looks for ours in every table (a walk of all of them, which
    // the first apply does not wait for: docs/design.md, "The main table's view").
    signal();
  }

  /**
   * Link, address, rule and neighbor events from a filtered netlink socket of our own
   * ({@link NetlinkDeviceMonitor}), or, when that cannot be had (JNA missing or not loadable, the
   * socket refused), from {@code ip monitor link address rule neigh} as before, saying why once.
   * {@value #ROUTE_EVENTS_PROPERTY}=ip asks for the latter here too.
   */
  private AutoCloseable startDeviceEvents() {
    String why = "-D" + ROUTE_EVENTS_PROPERTY + "=ip";
    if (!"ip".equals(System.getProperty(ROUTE_EVENTS_PROPERTY))) {
      try {
        NetlinkDeviceMonitor netlink = NetlinkDeviceMonitor.open(config.lbRtProto(), this::isGateway,
            this::deviceMatters, () -> observer.oursChanged(), this::signal);
        followLinks(netlink);
        netlink.start();
        Log.debug("device events: filtered netlink socket");
        return netlink;
      } catch (IOException | RuntimeException e) {
        why = e.getMessage();
      }
    }
    Log.warn("device events: no netlink socket (%s); reading them from ip monitor", why);
    KernelMonitor ip = KernelMonitor.ip(config.lbRtProto(), t -> Observers.tables(config).contains(t), this::isGateway,
        this::deviceMatters, (families, parts) -> observer.mainChanged(families, parts), () -> observer.oursChanged(),
        this::signal);
    ip.start();
    return ip;
  }

  /** The uplinks' links as the last pass saw them, for the device socket's filter. */
  private void followLinks(NetlinkDeviceMonitor netlink) {
    Map<Integer, String> links = reconciler.uplinkLinks();
    netlink.links(links, config.uplinks().stream().anyMatch(name -> !links.containsValue(name)));
  }

  /**
   * nft tables added or deleted, from a filtered netlink socket of our own
   * ({@link NetlinkTableMonitor}), or, when that cannot be had, from {@code nft monitor tables} as
   * before, saying why once ({@value #ROUTE_EVENTS_PROPERTY}=ip asks for the latter too): nft's
   * monitor reads and keeps every set element of every table.
   */
  private AutoCloseable startTableEvents() {
    String why = "-D" + ROUTE_EVENTS_PROPERTY + "=ip";
    if (!"ip".equals(System.getProperty(ROUTE_EVENTS_PROPERTY))) {
      try {
        NetlinkTableMonitor netlink = NetlinkTableMonitor.open(() -> observer.oursChanged(), this::signal);
        netlink.start();
        Log.debug("nft table events: filtered netlink socket");
        return netlink;
      } catch (IOException | RuntimeException e) {
        why = e.getMessage();
      }
    }
    Log.warn("nft table events: no netlink socket (%s); reading them from nft monitor tables", why);
    KernelMonitor tables = KernelMonitor.nftTables(() -> observer.oursChanged(), this::signal);
    tables.start();
    return tables;
  }

  /**
   * Route events from a filtered netlink socket of our own (docs/design.md, "Route events"), or,
   * when that cannot be had (JNA missing or not loadable, the socket refused), from
   * {@code ip monitor route} as before, saying why once. {@value #ROUTE_EVENTS_PROPERTY}=ip asks for
   * the latter (a comparison, a kernel whose filter misbehaves).
   */
  private AutoCloseable startRouteEvents(Config config) {
    List<Integer> tables = Observers.tables(config);
    String why = "-D" + ROUTE_EVENTS_PROPERTY + "=ip";
    if (!"ip".equals(System.getProperty(ROUTE_EVENTS_PROPERTY))) {
      try {
        NetlinkRouteMonitor netlink = NetlinkRouteMonitor.open(config.lbRtProto(), tables,
            (families, parts) -> observer.mainChanged(families, parts), () -> observer.oursChanged(), this::signal);
        netlink.start();
        Log.debug("route events: filtered netlink socket");
        return netlink;
      } catch (IOException | RuntimeException e) {
        why = e.getMessage();
      }
    }
    Log.warn("route events: no netlink socket (%s); reading them from ip monitor route", why);
    KernelMonitor routes = KernelMonitor.routes(config.lbRtProto(), tables::contains,
        (families, parts) -> observer.mainChanged(families, parts), () -> observer.oursChanged(), this::signal,
        ROUTE_EVENTS_GATHER_MS);
    routes.start();
    return routes;
  }

  /**
   * Our tables are in the route-event filter (compiled into the socket's program): a reload that
   * moved LB_TABLE or changed the number of uplink tables needs a source that knows the new ones.
   */
  private void followTables(Config previous, Config next) throws Exception {
    if (routeEvents != null && !Observers.tables(previous).equals(Observers.tables(next))) {
      routeEvents.close();
      routeEvents = startRouteEvents(next);
    }
  }

  /** Asks for a reconcile pass; many signals before it runs make one pass. */
  void signal() {
    if (pending.compareAndSet(false, true)) {
      try {
        loop.execute(this::reconcileNow);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Stopping: the shutdown hook shut the loop down. A kernel event that arrives meanwhile
        // (the monitors run until closed) must not become an uncaught exception, which
        // FatalErrors turns into exit 70 without cleanup (seen after a SIGTERM in TrustIT).
      }
    }
  }

  private void reconcileNow() {
    pending.set(false); // events from here on ask for another pass
    try {
      Map<Integer, String> linksBefore = reconciler.uplinkLinks();
      Reconciler.Outcome o = reconciler.reconcile();
      if (deviceEvents instanceof NetlinkDeviceMonitor netlink) {
        followLinks(netlink);
      }
      if (!linksBefore.equals(reconciler.uplinkLinks())) {
        // A new uplink's link events were judged by the old set while this pass ran: one more
        // pass reads anything they said (see deviceMatters).
        signal();
      }
      if (Log.enabled(Log.Level.DEBUG)) {
        Log.debug("pass: %s", reconciler.lastSteps());
      }
      status.record(o, reconciler.drained());
      events.record(o.transitions(), config::tierOf, o.plan().balanced());
      List<String> policiesChanged = policiesChanged(o.plan());
      o.transitions().forEach(t -> fireHooks(t, o.plan().balanced(), policiesChanged));
      o.transitions6().forEach(t -> fireHooks(t, o.plan().balanced6(), policiesChanged));
      if (config.metricsEnabled() && (!o.transitions().isEmpty() || !o.transitions6().isEmpty())) {
        // States now; traffic as last collected: listing conntrack and nft here would hold up the
        // next event's pass. The 5 s beat brings traffic up to date.
        DaemonStatus.Snapshot s = status.last();
        publishMetrics(s.plan() == null ? Map.of() : stats.recent(s.plan().uplinks()));
      }
      if (!stopping) { // the loop is shut down: no pass is to come
        o.wakeAt().ifPresent(at -> loop.schedule(this::signal, Math.max(0, at - ticker.read()),
            TimeUnit.NANOSECONDS));
      }
      if (o.applied().changedAnything() || !o.applied().ok()) {
        // What we wrote is read back now, after the pass (its hooks and metrics are out), not by
        // the next pass: that may be a carrier loss, which should not wait for it.
        observer.oursChanged();
        if (!stopping) { // a pass that ends while the shutdown hook stops the loop reads nothing back
          loop.execute(this::refreshOurs);
        }
      }
    } catch (RuntimeException e) {
      status.recordFailure();
      observer.oursChanged(); // whatever the pass got to, the next one reads ours afresh
      Log.error("reconcile failed: %s", e.toString());
    }
  }

  private void refreshOurs() {
    try {
      observer.refreshOurs();
    } catch (RuntimeException e) {
      Log.debug("reading our routes after an apply: %s (the next pass reads them)", e.toString());
    }
  }

  private void fireHooks(Transition t, List<String> balanced, List<String> policiesChanged) {
    hooks.fire(t.uplink(), t.to() == null ? "gone" : t.to().wireName(), t.from() == null ? "" : t.from().wireName(),
        t.reason(), config.tierOf(t.uplink()), balanced, t.family(), policiesChanged);
  }

  /** The policies whose uplinks in use (or fallback) differ from the last pass's, for NB_POLICIES. */
  private List<String> policiesChanged(netbalancer.plan.Plan plan) {
    Map<String, Object> now = new java.util.LinkedHashMap<>();
    DaemonStatus.policies(plan).forEach(row -> now.put((String) row.get("name"), row));
    List<String> changed = now.entrySet().stream().filter(e -> !e.getValue().equals(policyUse.get(e.getKey())))
        .map(Map.Entry::getKey).toList();
    policyUse = now;
    return changed;
  }

  /**
   * Whether a device's link and address events may change the plan: an uplink's (by index or
   * name, as the last pass saw them) or a device UPLINKS names. Any other device becomes an uplink
   * only by a default route through it, a route event.
   */
  private boolean deviceMatters(int index, String name) {
    Map<Integer, String> uplinks = reconciler.uplinkLinks();
    return uplinks.containsKey(index) || uplinks.containsValue(name) || config.uplinks().contains(name);
  }

  /**
   * Whether a neighbor event matters: an uplink's gateway (IPv4, or its IPv6 side's) failing, or
   * coming back while that side is down. A healthy gateway's REACHABLE/STALE/DELAY cycle after every probe would otherwise
   * cost a kernel read each time.
   */
  private boolean isGateway(NeighborEvent event) {
    DaemonStatus.Snapshot s = status.last();
    if (s.plan() == null) {
      return true;
    }
    return s.plan().uplinks().stream().anyMatch(u -> u.gateway() != null && event.isFor(u.gateway(), u.name())
        && (event.failing() || !s.verdicts().get(u.name()).state().eligible())
        || u.hasIpv6() && u.ipv6().gateway() != null && event.isFor(u.ipv6().gateway(), u.name())
        && (event.failing() || !s.verdicts6().getOrDefault(u.name(), s.verdicts().get(u.name())).state().eligible()));
  }

  private static void startMetrics(Metrics m, Config c) {
    if (!c.metricsEnabled()) {
      return;
    }
    try {
      m.start();
    } catch (IOException e) {
      Log.error("metrics endpoint %s:%d: %s (METRICS_FILE is still written)", c.metricsBind(), c.metricsPort(),
          e.getMessage());
    }
  }

  private void publishMetrics() {
    if (config.metricsEnabled()) {
      DaemonStatus.Snapshot s = status.last();
      publishMetrics(s.plan() == null ? Map.of() : stats.forMetrics(s.plan().uplinks()));
    }
  }

  private void publishMetrics(Map<String, UplinkStats.Stats> traffic) {
    try {
      metrics.update(MetricsBridge.input(config, status.last(), health.snapshot(), health6.snapshot(), traffic,
          stats.counters()));
      page.sample(status.json(config, health.snapshot(), health6.snapshot(), traffic, stats.counters())); // the status page's history
    } catch (RuntimeException e) {
      Log.error("metrics: %s", e.toString());
    }
  }

  private Map<String, UplinkStats.Stats> currentStats() {
    DaemonStatus.Snapshot s = status.last();
    return s.plan() == null ? Map.of() : stats.collect(s.plan().uplinks());
  }

  private String handle(String request) {
    String[] words = request.split("\\s+");
    switch (words[0]) {
      case "status":
        return status.json(config, health.snapshot(), health6.snapshot(), currentStats(), stats.counters());
      case "events":
        return events.json();
      case "drain":
      case "undrain":
        if (words.length != 2) {
          return "error: usage: " + words[0] + " IFACE\n";
        }
        if (!InterfaceNames.isValid(words[1])) {
          return "error: IFACE '" + words[1] + "' is not an uplink name (" + InterfaceNames.RULES + ")\n";
        }
        boolean on = words[0].equals("drain");
        runOnLoop(() -> reconciler.drain(words[1], on));
        Log.info("operator: %s %s", words[0], words[1]);
        signal();
        return "ok\n";
      case "handover":
        // Bounded, so a handover asked for by an upgrade that then failed does not turn a stop
        // hours later into one that leaves the data plane behind.
        handoverUntil = Math.max(1, ticker.read() + HANDOVER_WINDOW.toNanos());
        Log.info("operator: handover: a stop within %d min leaves routes, rules and the nft table for the next daemon",
            HANDOVER_WINDOW.toMinutes());
        return "ok\n";
      default:
        return "error: unknown request '" + words[0] + "' (status, events, drain IFACE, undrain IFACE, handover)\n";
    }
  }

  private void runOnLoop(Runnable r) {
    try {
      loop.submit(r).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void installSighup() {
    try {
      sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
          s -> loop.execute(this::reloadConfig));
      if (before == sun.misc.SignalHandler.SIG_IGN) {
        // The JVM leaves a signal ignored at its start ignored (nohup's promise): no handler went in.
        Log.warn("SIGHUP was ignored when the daemon started (under nohup?), and stays ignored: kill -HUP and"
            + " systemctl reload will not reload; restart to apply a changed configuration");
      }
    } catch (IllegalArgumentException e) {
      Log.warn("SIGHUP cannot be handled here: %s", e.getMessage());
    }
  }

  private void reloadConfig() {
    Config next;
    Policies nextPolicies;
    try {
      next = reload.get();
      nextPolicies = policyLoader.apply(next); // a bad file keeps the running policies too
    } catch (RuntimeException e) {
      Log.error("reload refused, keeping the running configuration: %s", e.getMessage());
      return;
    }
    // The same daemon with new settings: health state, hold-downs, backoff levels, counters, drains,
    // grace periods and the last verdicts stay, so only what changed changes (and hooks fire only
    // for real transitions). Rebuilding them once put a held-down uplink back into LB_TABLE.
    Config previous = config;
    next = Reload.effective(previous, next);
    List<String> changed = new java.util.ArrayList<>(Reload.changed(previous, next));
    if (!nextPolicies.rules().equals(policies.rules())) {
      changed.add("policies (" + nextPolicies.rules().size() + " rules)");
    }
    config = next;
    policies = nextPolicies;
    reconciler.reconfigure(next, nextPolicies);
    health.reconfigure(HealthSettings.from(next).forFamily(false));
    health6.reconfigure(HealthSettings.from(next).forFamily(true));
    if (!changed.isEmpty()) {
      rewireTraffic(next);
      watcher.start();
    }
    if (!previous.resyncInterval().equals(next.resyncInterval())) {
      scheduleResync(next);
    }
    try {
      followTables(previous, next);
    } catch (Exception e) {
      Log.error("reload: route events for the new tables: %s", e.getMessage());
    }
    reloadMetricsAndHooks(previous, next);
    Log.setLevel(Log.Level.parse(next.logLevel().name()));
    Log.info("configuration reloaded: %s", changed.isEmpty() ? "nothing changed" : String.join(", ", changed)
        + " changed");
    signal();
  }

  /**
   * The endpoint and file move only when their settings changed (its counters then start again, as
   * after a restart; Prometheus reads that as a reset); hooks take their new directory and timeout
   * from the next event on, while those already queued run as they were.
   */
  private void reloadMetricsAndHooks(Config previous, Config next) {
    if (previous.metricsEnabled() != next.metricsEnabled() || !previous.metricsBind().equals(next.metricsBind())
        || previous.metricsPort() != next.metricsPort() || !previous.metricsFile().equals(next.metricsFile())) {
      Metrics old = metrics;
      old.close();
      Metrics fresh = new Metrics(next);
      fresh.page(page);
      metrics = fresh;
      startMetrics(fresh, next);
      publishMetrics();
      Log.info("metrics: settings reloaded (%s)", next.metricsEnabled() ? "enabled" : "disabled");
    }
    if (!previous.hooksDir().equals(next.hooksDir()) || !previous.hookTimeout().equals(next.hookTimeout())) {
      HookRunner old = hooks;
      hooks = new HookRunner(next, ticker);
      old.retire();
      Log.info("hooks: settings reloaded (%s, timeout %d s)", next.hooksDir(), next.hookTimeout().toSeconds());
    }
  }

  private void shutdown() {
    stopping = true;
    try {
      Log.info("stopping");
      parts.stopAll(); // the kernel monitors first, the health checks last
      loop.shutdownNow();
      try {
        loop.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      long handover = handoverUntil;
      if (handover != 0 && ticker.read() - handover < 0) {
        Log.info("handover: leaving routes, rules and nft table in place for the next daemon");
      } else if (config.keepStateOnExit()) {
        Log.info("KEEP_STATE_ON_EXIT=true: leaving routes, rules and nft table in place");
      } else {
        var result = applier(config).cleanup(observer.observeEverythingOurs());
        result.errors().forEach(e -> Log.error("cleanup: %s", e));
        Log.info("cleaned up: %d route(s)/rule(s), nft table %s, %d sysctl(s) restored", result.ipChanges(),
            result.nftChanged() ? "removed" : "absent", result.sysctlChanges());
      }
    } catch (RuntimeException | Error e) {
      Log.error("stopping: %s", e);
      exitStatus = 1;
    } finally {
      stopped.countDown();
      // Cleanup ran: a stop asked for is a clean exit (0), not the JVM's 143 for SIGTERM; a failed
      // start or cleanup stays a failure.
      Runtime.getRuntime().halt(exitStatus);
    }
  }
}
