package netbalancer.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
import netbalancer.log.Log;
import netbalancer.observe.Family;
import netbalancer.observe.KernelObserver;
import netbalancer.observe.PendingSyn;
import netbalancer.plan.Uplink;
import netbalancer.system.Ticker;

/**
 * Passive evidence from real traffic, every {@link #PERIOD}: the outbound TCP connections whose
 * first SYN got no answer yet, from our nft set ({@link KernelObserver#SYN_SET}: the ruleset adds
 * each connection's first SYN with its uplink and the first SYN-ACK or RST takes it out), judged
 * by {@link SynEvidence}, which calls {@link HealthMonitor#suspect}. One small {@code nft} call
 * whose answer holds only the unanswered: a tick costs the same with 250 000 tracked flows as
 * with none (walking the connection table, as before, cost 8 % of a core at 168 000).
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

  private final Config config;
  private final CommandRunner runner;
  private final HealthMonitor health;
  private final Supplier<List<Uplink>> uplinks;
  private final Runnable signal;
  private final Ticker ticker;
  private final SynEvidence evidence = new SynEvidence();
  private final ScanGate gate = new ScanGate();
  private final GatewayNudger nudger;
  private final ScheduledExecutorService timer = FatalErrors.scheduler("unreplied-watcher");
  private boolean listing; // whether the last tick listed conntrack
  private long lastWarning = Long.MIN_VALUE;

  /**
   * @param uplinks the uplinks the last reconcile pass saw
   * @param signal  asks the daemon for a reconcile pass
   */
  UnrepliedWatcher(Config config, CommandRunner runner, HealthMonitor health, Supplier<List<Uplink>> uplinks,
      Runnable signal, Ticker ticker) {
    this.config = config;
    this.ticker = ticker;
    this.runner = runner;
    this.health = health;
    this.uplinks = uplinks;
    this.signal = signal;
    String target = config.probeTargets().stream().filter(t -> t.indexOf(':') < 0).findFirst().orElse(null);
    this.nudger = target == null ? null : GatewayNudger.forTarget(target);
  }

  void start() {
    long ms = PERIOD.toMillis();
    timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
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
    Set<String> eligible = new HashSet<>();
    if (config.healthCheckEnabled()) {
      Set<String> inService = health.eligible();
      for (Uplink u : current) {
        if (u.family() == Family.INET && inService.contains(u.name())) {
          eligible.add(u.name());
        }
      }
    }
    if (eligible.isEmpty()) {
      if (listing) {
        evidence.reset(); // ages estimated after the pause start afresh
        gate.reset();
        listing = false;
      }
      return;
    }
    listing = true;
    if (!gate.due(ticker.read(), connectionCount(), evidence.waiting())) {
      return;
    }
    List<PendingSyn> pending = KernelObserver.pendingSyns(runner);
    long now = ticker.read();
    if (pending == null) {
      if (now - lastWarning >= WARN_EVERY || lastWarning == Long.MIN_VALUE) {
        lastWarning = now;
        Log.warn("unreplied watcher: nft set %s %s %s unreadable", KernelObserver.NFT_FAMILY, KernelObserver.NFT_TABLE,
            KernelObserver.SYN_SET);
      }
      return;
    }
    for (SynEvidence.Suspicion s : evidence.update(now, syns(pending, current), eligible)) {
      Log.info("traffic: %s: %s%s", s.uplink(), s.reason(), s.counts() ? " (counts as a failed check)" : "");
      health.suspect(s.uplink(), s.reason(), s.counts());
    }
  }

  /**
   * The unanswered SYNs of our uplinks; the probes' own are left out. Their silence is measured
   * from the first SYN (the set's timeout is not renewed by a retransmission), in whole seconds
   * as nft gives it.
   */
  List<SynEvidence.Syn> syns(List<PendingSyn> pending, List<Uplink> current) {
    Map<String, Uplink> byName = new HashMap<>();
    current.forEach(u -> byName.put(u.name(), u));
    Set<String> targets = Set.copyOf(config.probeTargets());
    List<SynEvidence.Syn> out = new ArrayList<>();
    for (PendingSyn p : pending) {
      Uplink u = byName.get(p.uplink());
      if (u == null || p.source().equals(u.address()) && targets.contains(p.destination())
          && p.destinationPort() == config.healthProbePort()) {
        continue;
      }
      long remaining = Math.max(0, p.expiresSeconds());
      out.add(new SynEvidence.Syn(u.name(), p.source(), p.sourcePort(), p.destination(), p.destinationPort(),
          Math.max(0, KernelObserver.SYN_SET_TIMEOUT_SECONDS - remaining), remaining));
    }
    return out;
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
      return Long.parseLong(Files.readString(CONNTRACK_COUNT).strip());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

}
