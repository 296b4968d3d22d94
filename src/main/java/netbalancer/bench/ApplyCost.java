package netbalancer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.config.ConfigLoader;
import netbalancer.kernel.ApplyResult;
import netbalancer.kernel.KernelApplier;
import netbalancer.kernel.ProcSysctls;
import netbalancer.system.ProcessRunner;
import netbalancer.kernel.StateStore;
import netbalancer.lab.Lab;
import netbalancer.observe.KernelObserver;
import netbalancer.plan.Observers;
import netbalancer.observe.KernelState;
import netbalancer.plan.Plan;
import netbalancer.plan.Planner;
import netbalancer.plan.StateDiff;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkDiscovery;
import netbalancer.plan.UplinkState;

/**
 * Times plan → kernel in this process, inside the lab's router namespace (the JVM must be in
 * the namespace to time it in-process). For each size: a full plan applied to a clean kernel,
 * and a failover (all up ⇄ first uplink down), each by our applier and by the shell-style
 * baseline, interleaved so both meet the same machine. Every apply is checked afterwards: the
 * kernel must then show exactly the plan.
 */
public final class ApplyCost {

  /**
   * One series: milliseconds per apply, the most subprocesses any apply started, and the median
   * time spent waiting for ip and for nft (the rest is our own code and /proc/sys writes).
   */
  public record Series(Stats ms, int subprocesses, double ipMedianMs, double nftMedianMs) {
  }

  /** One size. {@code mismatches}: applies after which the kernel did not show the plan (want 0). */
  public record Row(int uplinks, Series full, Series fullShell, Series failover, Series failoverShell,
      Stats observeMs, int mismatches) {

    public double fullRatio() {
      return ratio(fullShell.ms.median(), full.ms.median());
    }

    public double failoverRatio() {
      return ratio(failoverShell.ms.median(), failover.ms.median());
    }

    private static double ratio(double shell, double ours) {
      return ours <= 0 ? 0 : Stats.round(shell / ours);
    }
  }

  private final ProcessRunner real = new ProcessRunner();
  private KernelObserver observer; // per measured configuration
  private final int warmup;
  private final int iterations;
  private final Path stateDir;
  private int mismatches;
  private final Policies policies;

  public ApplyCost(int warmup, int iterations, Path stateDir) {
    this(warmup, iterations, stateDir, Policies.NONE);
  }

  /** @param policies planned with every size (section 9: 0 against 100 rules) */
  public ApplyCost(int warmup, int iterations, Path stateDir, Policies policies) {
    this.warmup = warmup;
    this.iterations = iterations;
    this.stateDir = stateDir;
    this.policies = policies;
  }

  public List<Row> measure(List<Integer> sizes) {
    requireLabNamespace();
    List<Row> rows = new ArrayList<>();
    for (int n : sizes) {
      rows.add(measure(n));
    }
    return rows;
  }

  private Row measure(int n) {
    // UPLINKS only adds to what discovery finds: the lab's other uplinks are excluded instead.
    Config config = ConfigLoader.fromMap(Map.of("UPLINKS", names(1, n), "STATE_DIR", stateDir.toString(),
        "EXCLUDE_INTERFACES", ("lo " + names(n + 1, Lab.MAX_UPLINKS)).strip()));
    StateStore store = StateStore.forCurrentNamespace(stateDir);
    int proto = config.lbRtProto();
    observer = Observers.forConfig(real, config);
    KernelApplier janitor = new KernelApplier(real, new ProcSysctls(), store, proto);
    Timed ours = new Timed(false, store, proto);
    Timed shell = new Timed(true, store, proto);

    List<Uplink> uplinks = UplinkDiscovery.discover(config, observer.observe());
    if (uplinks.size() != n) {
      throw new IllegalStateException("found " + uplinks.size() + " uplinks, wanted " + n);
    }
    Plan allUp = Planner.plan(config, policies, uplinks, states(uplinks, null));
    Plan firstDown = Planner.plan(config, policies, uplinks, states(uplinks, uplinks.get(0).name()));
    List<Double> observeMs = new ArrayList<>();
    Samples full = new Samples();
    Samples fullShell = new Samples();
    Samples failover = new Samples();
    Samples failoverShell = new Samples();
    mismatches = 0;

    for (int i = 0; i < warmup + iterations; i++) {
      boolean keep = i >= warmup;
      for (Timed t : List.of(ours, shell)) {
        janitor.cleanup(observer.observe());
        long o0 = System.nanoTime();
        KernelState clean = observer.observe();
        if (keep) {
          observeMs.add((System.nanoTime() - o0) / 1e6);
        }
        (t == ours ? full : fullShell).add(t.apply(allUp, clean, proto), keep);
      }
      // Failover both ways: one uplink leaves the multipath route, then returns.
      for (Plan p : List.of(firstDown, allUp)) {
        for (Timed t : List.of(ours, shell)) {
          KernelState now = observer.observe();
          Plan other = p == allUp ? firstDown : allUp;
          if (!StateDiff.between(other, now, proto).isEmpty()) {
            t.apply(other, now, proto); // start from the other plan, untimed
            now = observer.observe();
          }
          (t == ours ? failover : failoverShell).add(t.apply(p, now, proto), keep);
        }
      }
    }
    janitor.cleanup(observer.observe());
    return new Row(n, full.series(), fullShell.series(), failover.series(), failoverShell.series(),
        Stats.of(observeMs), mismatches);
  }

  /**
   * This cleans up and rewrites routes, rules and nft tables: it refuses to run anywhere but in
   * a lab's own namespace, named by the lab and marked on its loopback.
   */
  static void requireLabNamespace() {
    String name = new ProcessRunner().run("ip", "netns", "identify").stdout().strip();
    String alias;
    try {
      alias = Files.readString(Path.of("/sys/class/net/lo/ifalias")).strip();
    } catch (IOException e) {
      alias = "";
    }
    if (!name.startsWith(Lab.PREFIX) || !alias.startsWith("nblab owner=")) {
      throw new IllegalStateException("bench apply-cost runs only inside a bench lab's namespace (this is '"
          + name + "'); run 'net-balancer bench' instead");
    }
  }

  static String names(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> "wan" + i).collect(Collectors.joining(" "));
  }

  private static Map<String, UplinkState> states(List<Uplink> uplinks, String down) {
    Map<String, UplinkState> m = new LinkedHashMap<>();
    uplinks.forEach(u -> m.put(u.name(), u.name().equals(down) ? UplinkState.DOWN : UplinkState.UP));
    return m;
  }

  /** One applier and its counter (which sees every real subprocess); {@link #apply} times only plan → kernel. */
  private final class Timed {
    final CountingRunner counter = new CountingRunner(real);
    final KernelApplier applier;

    Timed(boolean shellStyle, StateStore store, int proto) {
      this.applier = new KernelApplier(shellStyle ? new OneCommandPerLine(counter) : counter, new ProcSysctls(),
          store, proto);
    }

    Sample apply(Plan plan, KernelState current, int proto) {
      counter.take();
      long t0 = System.nanoTime();
      ApplyResult r = applier.apply(plan, current);
      double ms = (System.nanoTime() - t0) / 1e6;
      CountingRunner.Tally tally = counter.take();
      if (!r.ok() || !StateDiff.between(plan, observer.observe(), proto).isEmpty()) {
        mismatches++;
      }
      return new Sample(ms, tally);
    }
  }

  private record Sample(double ms, CountingRunner.Tally tally) {
  }

  private static final class Samples {
    final List<Double> ms = new ArrayList<>();
    final List<Double> ipMs = new ArrayList<>();
    final List<Double> nftMs = new ArrayList<>();
    int subprocesses;

    void add(Sample s, boolean keep) {
      if (keep) {
        ms.add(s.ms());
        ipMs.add(s.tally().ipMs());
        nftMs.add(s.tally().nftMs());
        subprocesses = Math.max(subprocesses, s.tally().subprocesses());
      }
    }

    Series series() {
      return new Series(Stats.of(ms), subprocesses, Stats.median(ipMs), Stats.median(nftMs));
    }
  }
}
