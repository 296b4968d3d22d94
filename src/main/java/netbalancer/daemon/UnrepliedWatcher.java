package netbalancer.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import netbalancer.config.Config;
import netbalancer.health.GatewayNudger;
import netbalancer.health.HealthMonitor;
import netbalancer.health.SynEvidence;
import netbalancer.system.CommandRunner;
import netbalancer.system.ProcSysFile;
import netbalancer.log.Log;
import netbalancer.observe.Family;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.PendingSyn;
import netbalancer.plan.Uplink;
import netbalancer.system.Ticker;

/**
 * Passive evidence from real traffic, every {@link #PERIOD}: the outbound TCP connections whose
 * first SYN got no answer yet, from our nft sets ({@link KernelObserver#SYN_SET} for IPv4,
 * {@link KernelObserver#SYN_SET6} for IPv6: the ruleset adds each connection's first SYN with its
 * uplink and the first SYN-ACK or RST takes it out), judged by one {@link SynEvidence} per family,
 * which calls {@link HealthMonitor#suspect} of that family's monitor: an IPv6 blackhole takes
 * out the IPv6 side only. One small read per family with an uplink in service (over nfnetlink, or
 * by nft where that fails), whose answer holds only the unanswered: a tick costs the same with
 * 250 000 tracked flows as with none
 * (walking the connection table, as before, cost 8 % of a core at 168 000).
 *
 * <p>Suspicion is confirmed by probes before an uplink fails (a dead server is not a dead uplink):
 * weak evidence only brings the next probe round forward; strong evidence (2 connections to 2
 * servers unanswered for 1.5 s, none answered since) also counts as the first failed observation,
 * never the last. With the seed's defaults (threshold 2, timeout 3 s) an uplink whose upstream
 * died under traffic is out after about 0.5-1 s of silence, plus one probe timeout (3 s), instead
 * of up to 30 s + 2 x 3 s. The probes' own SYNs are not evidence: the round counts them already.
 *
 * <p>Cheap: the listing runs only when {@link ScanGate} says the connection count moved or a SYN is awaited, and not at all while
 * health checks are off or no uplink is eligible. The same timer keeps gateway neighbors resolved
 * ({@link GatewayNudger}, with NEIGHBOR_REACHABILITY_ENABLED) and asks for a reconcile pass when
 * one stops answering. Every exception is caught and logged: a scheduled task that throws is never
 * run again.
 */
final class UnrepliedWatcher implements AutoCloseable {
  static final Duration PERIOD = Duration.ofMillis(500);
  private static final Path CONNTRACK_COUNT = Path.of("/proc/sys/net/netfilter/nf_conntrack_count");
  private static final long WARN_EVERY = TimeUnit.MINUTES.toNanos(10);
  private static final long SESSION_RETRY = TimeUnit.MINUTES.toNanos(1);

  private final Config config;
  private final CommandRunner runner;
  private final Supplier<List<Uplink>> uplinks;
  private final Runnable signal;
  private final Ticker ticker;
  /** IPv4 connections judge the uplinks (the IPv4 side's monitor), IPv6 ones their IPv6 sides. */
  private final List<Side> sides;
  private final ScanGate gate = new ScanGate();
  private final GatewayNudger nudger;
  private final ScheduledExecutorService timer = FatalErrors.scheduler("unreplied-watcher");
  private boolean listing; // whether the last tick listed the sets
  /** The listings' nft, kept running (null in unit tests: each listing through the runner). */
  private final NftSession session;
  /**
   * Whether the sets are read over nfnetlink (not in unit tests, which list through the runner):
   * the session's nft is then never started. After a failed read, the session's nft for a minute.
   */
  private final boolean netlink;
  /** Opened at the first read over nfnetlink; closed after a failed one. */
  private netbalancer.netlink.NftDumps dumps;
  private long netlinkRetryAt = Long.MIN_VALUE;
  private long sessionRetryAt = Long.MIN_VALUE; // after a failure, the runner's nft until then
  private long lastWarning = Long.MIN_VALUE;

  /** What one family's evidence needs from its health monitor. */
  interface FamilyHealth {
    /** The uplinks (or IPv6 sides) in service. */
    Set<String> eligible();

    void suspect(String uplink, String reason, boolean counts);

    static FamilyHealth of(HealthMonitor m) {
      return new FamilyHealth() {
        @Override
        public Set<String> eligible() {
          return m.eligible();
        }

        @Override
        public void suspect(String uplink, String reason, boolean counts) {
          m.suspect(uplink, reason, counts);
        }
      };
    }
  }

  /** One family's set, judge and monitor. */
  private static final class Side {
    final Family family;
    final FamilyHealth health;
    final SynEvidence evidence = new SynEvidence();

    Side(Family family, FamilyHealth health) {
      this.family = family;
      this.health = health;
    }

    boolean has(Uplink u) {
      return family == Family.INET6 ? u.hasIpv6() : u.hasIpv4();
    }
  }

  /**
   * @param uplinks the uplinks the last reconcile pass saw
   * @param signal  asks the daemon for a reconcile pass
   */
  UnrepliedWatcher(Config config, CommandRunner runner, HealthMonitor health, HealthMonitor health6,
      Supplier<List<Uplink>> uplinks, Runnable signal, Ticker ticker) {
    this(config, runner, FamilyHealth.of(health), FamilyHealth.of(health6), uplinks, signal, ticker, new NftSession());
  }

  UnrepliedWatcher(Config config, CommandRunner runner, FamilyHealth health, FamilyHealth health6,
      Supplier<List<Uplink>> uplinks, Runnable signal, Ticker ticker) {
    this(config, runner, health, health6, uplinks, signal, ticker, null);
  }

  private UnrepliedWatcher(Config config, CommandRunner runner, FamilyHealth health, FamilyHealth health6,
      Supplier<List<Uplink>> uplinks, Runnable signal, Ticker ticker, NftSession session) {
    this.session = session;
    this.netlink = session != null;
    this.config = config;
    this.ticker = ticker;
    this.runner = runner;
    this.sides = List.of(new Side(Family.INET, health), new Side(Family.INET6, health6));
    this.uplinks = uplinks;
    this.signal = signal;
    String target = config.probeTargets().stream().filter(t -> t.indexOf(':') < 0).findFirst().orElse(null);
    this.nudger = target == null ? null : GatewayNudger.forTarget(target);
  }

  void start() {
    if (!config.healthCheckEnabled() && !(config.neighborReachabilityEnabled() && nudger != null)) {
      return; // nothing to watch or nudge: a timer waking twice a second for nothing costs 0.15 % of a core
    }
    long ms = PERIOD.toMillis();
    timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (session != null || nudger != null) {
      try {
        timer.awaitTermination(2, TimeUnit.SECONDS); // a tick may still be using them
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (session != null) {
      session.close();
    }
    if (dumps != null) {
      dumps.close();
    }
    if (nudger != null) {
      nudger.close();
    }
  }

  /** One period's work; never throws. */
  void tick() {
    try {
      List<Uplink> current = uplinks.get();
      if (config.neighborReachabilityEnabled() && nudger != null && nudger.tick(ticker.read(), gateways(current))) {
        signal.run();
      }
      watchSyns(current);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      Log.error("unreplied watcher: %s", e);
    }
  }

  private void watchSyns(List<Uplink> current) {
    Map<Side, Set<String>> eligible = new LinkedHashMap<>();
    if (config.healthCheckEnabled()) {
      for (Side side : sides) {
        Set<String> inService = side.health.eligible();
        Set<String> mine = new HashSet<>();
        for (Uplink u : current) {
          if (side.has(u) && inService.contains(u.name())) {
            mine.add(u.name());
          }
        }
        if (!mine.isEmpty()) {
          eligible.put(side, mine);
        }
      }
    }
    if (eligible.isEmpty()) {
      if (listing) {
        sides.forEach(side -> side.evidence.reset()); // ages estimated after the pause start afresh
        gate.reset();
        listing = false;
      }
      return;
    }
    listing = true;
    if (!gate.due(ticker.read(), connectionCount(), sides.stream().anyMatch(side -> side.evidence.waiting()))) {
      return;
    }
    for (Side side : sides) {
      Set<String> mine = eligible.get(side);
      if (mine == null) {
        side.evidence.reset(); // its set is not read: what it held is stale when it is again
        continue;
      }
      List<PendingSyn> pending = pendingSyns(side.family);
      long now = ticker.read();
      if (pending == null) {
        if (now - lastWarning >= WARN_EVERY || lastWarning == Long.MIN_VALUE) {
          lastWarning = now;
          Log.warn("unreplied watcher: nft set %s %s %s unreadable", KernelObserver.NFT_FAMILY, KernelObserver.NFT_TABLE,
              KernelObserver.synSet(side.family));
        }
        continue;
      }
      String tag = side.family == Family.INET6 ? " ipv6" : "";
      List<SynEvidence.Suspicion> suspicions = side.evidence.update(now, syns(pending, current, side.family), mine);
      if (side.evidence.waiting() && Log.enabled(Log.Level.DEBUG)) {
        Log.debug("traffic%s: unanswered SYNs: %s", tag, side.evidence.summary(now));
      }
      for (SynEvidence.Suspicion s : suspicions) {
        Log.info("traffic%s: %s: %s%s", tag, s.uplink(), s.reason(), s.counts() ? " (counts as a failed check)" : "");
        side.health.suspect(s.uplink(), s.reason(), s.counts());
      }
    }
  }

  /**
   * The set's elements, over nfnetlink; through the running nft when that fails (for a minute),
   * and through a new nft (the runner) when that fails too, for a minute before it is tried
   * again. Null when the set cannot be read.
   */
  private List<PendingSyn> pendingSyns(Family family) {
    long now = ticker.read();
    if (netlink && now >= netlinkRetryAt) {
      try {
        if (dumps == null) {
          dumps = netbalancer.netlink.NftDumps.open();
        }
        return KernelObserver.pendingSyns(dumps, family);
      } catch (java.io.IOException | RuntimeException e) {
        if (netlinkRetryAt == Long.MIN_VALUE) { // said once; tried again every minute
          Log.warn("unreplied watcher: nft set over netlink: %s; listing it with nft", e.getMessage());
        }
        netlinkRetryAt = now + SESSION_RETRY;
        if (dumps != null) {
          dumps.close();
          dumps = null;
        }
      }
    }
    if (session != null && now >= sessionRetryAt) {
      String json = session.listSet(KernelObserver.NFT_FAMILY, KernelObserver.NFT_TABLE, KernelObserver.synSet(family));
      if (json != null) {
        return json.isEmpty() ? null : PendingSyn.parse(json);
      }
      sessionRetryAt = now + SESSION_RETRY;
    }
    return KernelObserver.pendingSyns(runner, family);
  }

  /**
   * The unanswered SYNs of our uplinks in {@code family}; the probes' own are left out. Their
   * silence is measured from the first SYN (the set's timeout is not renewed by a retransmission),
   * in whole seconds as nft gives it.
   */
  List<SynEvidence.Syn> syns(List<PendingSyn> pending, List<Uplink> current, Family family) {
    Map<String, Uplink> byName = new HashMap<>();
    current.forEach(u -> byName.put(u.name(), u));
    Set<String> targets = new HashSet<>();
    config.probeTargets().forEach(t -> targets.add(canonical(t)));
    List<SynEvidence.Syn> out = new ArrayList<>();
    for (PendingSyn p : pending) {
      Uplink u = byName.get(p.uplink());
      String own = u == null ? null : family == Family.INET6 ? (u.hasIpv6() ? u.ipv6().address() : null) : u.address();
      if (own == null || canonical(p.source()).equals(canonical(own)) && targets.contains(canonical(p.destination()))
          && p.destinationPort() == config.healthProbePort()) {
        continue;
      }
      long remaining = Math.max(0, p.expiresSeconds());
      out.add(new SynEvidence.Syn(u.name(), p.source(), p.sourcePort(), p.destination(), p.destinationPort(),
          Math.max(0, KernelObserver.SYN_SET_TIMEOUT_SECONDS - remaining), remaining));
    }
    return out;
  }

  /**
   * One spelling per address: nft prints IPv6 compressed and lower case, a probe target may be
   * written otherwise, so IPv6 is compared by its bytes. A colon makes it an IPv6 literal: Java
   * never looks such a string up by name.
   */
  private static String canonical(String address) {
    if (address.indexOf(':') < 0) {
      return address;
    }
    try {
      return java.util.HexFormat.of().formatHex(java.net.InetAddress.getByName(address).getAddress());
    } catch (java.net.UnknownHostException e) {
      return address;
    }
  }

  private static List<GatewayNudger.Gateway> gateways(List<Uplink> current) {
    List<GatewayNudger.Gateway> out = new ArrayList<>();
    for (Uplink u : current) {
      if (u.family() == Family.INET && u.gateway() != null && u.carrier()) {
        out.add(new GatewayNudger.Gateway(u.name(), u.address(), u.gateway()));
      }
    }
    return out;
  }

  /** This namespace's connection count, or -1 when the kernel does not say. */
  private static long connectionCount() {
    try {
      return Long.parseLong(ProcSysFile.read(CONNTRACK_COUNT).strip());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

}
