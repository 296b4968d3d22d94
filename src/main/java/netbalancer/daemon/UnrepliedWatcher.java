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
import netbalancer.plan.Uplink;
import netbalancer.system.Ticker;

/**
 * Passive evidence from real traffic, every {@link #PERIOD}: the TCP SYN_SENT connections (from
 * /proc/net/nf_conntrack, else {@code conntrack -L -p tcp --state SYN_SENT}), whose [UNREPLIED]
 * entries are mapped to uplinks by their ct mark (under LB_MARK_MASK) and judged by
 * {@link SynEvidence}, which calls {@link HealthMonitor#suspect}.
 *
 * <p>Suspicion is confirmed by probes before an uplink fails (a dead server is not a dead uplink):
 * weak evidence only brings the next probe round forward; strong evidence (2 connections to 2
 * servers unanswered for 1.5 s, none answered since) also counts as the first failed observation,
 * never the last. With the seed's defaults (threshold 2, timeout 3 s) an uplink whose upstream
 * died under traffic is out after about 0.5-1 s of silence, plus one probe timeout (3 s), instead
 * of up to 30 s + 2 x 3 s. The probes' own SYNs are not evidence: the round counts them already.
 *
 * <p>Cheap: the listing (a /proc read, or a subprocess where /proc lacks conntrack) runs only when
 * {@link ScanGate} says the connection count moved or a SYN is awaited, and not at all while
 * health checks are off or no uplink is eligible. The same timer keeps gateway neighbors resolved
 * ({@link GatewayNudger}, with NEIGHBOR_REACHABILITY_ENABLED) and asks for a reconcile pass when
 * one stops answering. Every exception is caught and logged: a scheduled task that throws is never
 * run again.
 */
final class UnrepliedWatcher implements AutoCloseable {
  static final Duration PERIOD = Duration.ofMillis(500);
  private static final Path SYN_SENT_TIMEOUT = Path.of("/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_syn_sent");
  private static final long DEFAULT_SYN_SENT_TIMEOUT = 120;
  private static final Path PROC_CONNTRACK = Path.of("/proc/net/nf_conntrack");
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
    CommandRunner.Result r = synSentListing();
    long now = ticker.read();
    if (!r.ok()) {
      if (now - lastWarning >= WARN_EVERY || lastWarning == Long.MIN_VALUE) {
        lastWarning = now;
        Log.warn("unreplied watcher: conntrack -L failed (exit %d): %s", r.exitCode(), r.stderr().strip());
      }
      return;
    }
    for (SynEvidence.Suspicion s : evidence.update(now, parse(r.stdout(), current, synSentTimeout()), eligible)) {
      Log.info("traffic: %s: %s%s", s.uplink(), s.reason(), s.counts() ? " (counts as a failed check)" : "");
      health.suspect(s.uplink(), s.reason(), s.counts());
    }
  }

  /**
   * The TCP SYN_SENT entries in {@code conntrack -L} format. Read in-process from
   * /proc/net/nf_conntrack where the kernel offers it (two ticks a second of fork and exec were
   * most of an idle daemon's CPU); {@code conntrack -L} otherwise.
   */
  private CommandRunner.Result synSentListing() {
    if (Files.isReadable(PROC_CONNTRACK)) {
      try (var lines = Files.lines(PROC_CONNTRACK)) {
        StringBuilder out = new StringBuilder();
        // "ipv4     2 tcp      6 117 SYN_SENT src=…": drop the two leading fields.
        lines.filter(l -> l.startsWith("ipv4") && l.contains(" SYN_SENT "))
            .forEach(l -> out.append(l.substring(l.indexOf("tcp"))).append('\n'));
        return new CommandRunner.Result(0, out.toString(), "");
      } catch (IOException | java.io.UncheckedIOException e) {
        Log.debug("unreplied watcher: %s unreadable (%s); using conntrack -L", PROC_CONNTRACK, e.getMessage());
      }
    }
    return runner.run(List.of("conntrack", "-L", "-p", "tcp", "--state", "SYN_SENT"), null, Duration.ofSeconds(2));
  }

  /** The uplink's SYN_SENT [UNREPLIED] entries, by ct mark; the probes' own are left out. */
  List<SynEvidence.Syn> parse(String conntrack, List<Uplink> current, long synSentTimeout) {
    Map<Long, Uplink> byMark = new HashMap<>();
    current.forEach(u -> byMark.put(config.markFor(u.index()), u));
    Set<String> targets = Set.copyOf(config.probeTargets());
    String probePort = Integer.toString(config.healthProbePort());
    List<SynEvidence.Syn> out = new ArrayList<>();
    for (String line : conntrack.split("\n")) {
      if (!line.contains("[UNREPLIED]")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      Map<String, String> orig = new HashMap<>();
      String mark = null;
      for (int i = 4; i < f.length; i++) {
        int eq = f[i].indexOf('=');
        if (eq > 0) {
          String k = f[i].substring(0, eq);
          if (k.equals("mark")) {
            mark = f[i].substring(eq + 1);
          } else {
            orig.putIfAbsent(k, f[i].substring(eq + 1)); // the first of each is the original direction
          }
        }
      }
      try {
        if (f.length < 4 || !f[3].equals("SYN_SENT") || mark == null) {
          continue;
        }
        Uplink u = byMark.get(Long.parseLong(mark) & config.lbMarkMask());
        String src = orig.get("src");
        String dst = orig.get("dst");
        if (u == null || src == null || dst == null
            || src.equals(u.address()) && targets.contains(dst) && probePort.equals(orig.get("dport"))) {
          continue;
        }
        long remaining = Long.parseLong(f[2]);
        out.add(new SynEvidence.Syn(u.name(), src, Integer.parseInt(orig.get("sport")), dst,
            Integer.parseInt(orig.get("dport")), Math.max(0, synSentTimeout - remaining), remaining));
      } catch (RuntimeException e) {
        Log.debug("unreplied watcher: unreadable conntrack line: %s", line);
      }
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

  private static long synSentTimeout() {
    try {
      return Long.parseLong(Files.readString(SYN_SENT_TIMEOUT).strip());
    } catch (IOException | RuntimeException e) {
      return DEFAULT_SYN_SENT_TIMEOUT;
    }
  }
}
