package netbalancer.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import netbalancer.config.Config;
import netbalancer.observe.Family;
import netbalancer.observe.KernelObserver;
import netbalancer.system.ProcessRunner;

/**
 * {@code net-balancer test}: runs scenarios against this host or a fresh lab, prints what the
 * balancer did as it happens and a pass/fail report at the end, and puts everything back — on
 * the normal path, on an error, and on Ctrl-C or SIGTERM.
 */
public final class Harness {
  public static final int PASSED = 0;
  public static final int FAILED = 1;
  /** The scenario would have been unsafe or cannot run here: nothing was changed. */
  public static final int REFUSED = 3;
  public static final int STOPPED = 130;

  private Harness() {
  }

  /**
   * @param hostConfig the balancer's configuration (file and environment), read only on a host
   * @param lab        build a lab and run there instead of on this host
   * @param force      allow a fault on the last working uplink or on a non-uplink
   */
  public static int run(Scenario scenario, Supplier<Config> hostConfig, boolean lab, boolean force, PrintStream out) {
    if (lab && scenario.uplink() != null && !LabRig.UPLINKS.contains(scenario.uplink())) {
      out.println("refused: " + scenario.uplink() + " is not an uplink of the lab (" + String.join(", ", LabRig.UPLINKS)
          + "); nothing was changed");
      return REFUSED;
    }
    long start = System.nanoTime();
    Timeline timeline = new Timeline(out);
    List<Result> results = new ArrayList<>();
    try (Undo undo = new Undo("net-balancer test", out)) {
      Target target = lab ? labTarget(undo, out) : hostTarget(hostConfig.get(), undo, out);
      Observer observer = new Observer(() -> KernelObserver.defaultRouteDevices(target.runner(), target.config().lbTable()),
          () -> KernelObserver.defaultRouteDevices(target.runner(), target.config().lbTable(), Family.INET6),
          () -> DaemonView.request(target.config().controlSocket()), timeline);
      undo.atEnd(observer::close);
      observer.start();
      Context c = new Context(target, observer, undo, timeline, Limits.of(target.config()), force, out);
      introduce(c, lab);
      List<Scenario> all = scenario.expand(target, c);
      for (Scenario s : all) {
        out.println();
        out.println("== " + s.title());
        timeline.restart();
        Result r = runOne(s, c, all.size() > 1);
        out.print(r.render());
        if (r.outcome() == Result.Outcome.FAIL && !target.diagnostics().isEmpty()) {
          out.println("        the daemon's last log lines:");
          target.diagnostics().forEach(l -> out.println("          " + l));
        }
        out.flush();
        results.add(r);
      }
    } catch (Refused e) {
      out.println("refused: " + e.getMessage() + "; nothing was changed");
      return REFUSED;
    } catch (Undo.Stopped e) {
      return STOPPED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return STOPPED;
    }
    return report(results, (System.nanoTime() - start) / 1e9, out);
  }

  /** In a run of several scenarios, one that must be refused is skipped and the others run. */
  private static Result runOne(Scenario s, Context c, boolean oneOfMany) throws InterruptedException {
    try {
      return s.run(c);
    } catch (Refused e) {
      if (!oneOfMany) {
        throw e;
      }
      return Result.skip(s.title(), "refused: " + e.getMessage());
    }
  }

  private static Target labTarget(Undo undo, PrintStream out) {
    out.println("building a lab: 3 simulated ISPs in network namespaces (this host's network is not touched)");
    out.flush();
    LabRig rig = LabRig.start(Map.of("UPLINK_WEIGHTS", "wan1=2 wan2=1 wan3=1"), false);
    LabTarget target = new LabTarget(rig);
    undo.atEnd(() -> {
      target.close();
      out.println("lab removed: " + rig.lab().prefix() + "* (its namespaces and every process in them)");
    });
    out.println("lab: " + String.join(" ", rig.lab().namespaces()));
    return target;
  }

  private static Target hostTarget(Config config, Undo undo, PrintStream out) {
    HostTarget target = new HostTarget(config, new ProcessRunner());
    List<String> leftovers = HarnessTables.removeLeftovers(target.runner());
    if (!leftovers.isEmpty()) {
      out.println("removed nft table(s) " + HarnessTables.NAME + " " + leftovers + " left by a run that was killed");
    }
    undo.atEnd(target::close);
    return target;
  }

  private static void introduce(Context c, boolean lab) {
    Config config = c.target.config();
    c.out.println("target: " + c.target.describe());
    c.out.println("watching LB_TABLE " + config.lbTable() + " every 20 ms; daemon on " + config.controlSocket() + ": "
        + (c.latest().daemon() == null ? "none answers (nothing will react)" : "answers"));
    c.out.println("limits: leave LB_TABLE " + Limits.seconds(c.limits.out()) + " (dead gateway "
        + Limits.seconds(c.limits.neighbor()) + ", failed probes " + Limits.seconds(c.limits.health())
        + "), back after the restore " + Limits.seconds(c.limits.back()) + " (from the balancer's settings)");
    if (!lab) {
      c.out.println("connections kept: not measured here; on a host the harness sends no traffic and reports"
          + " what LB_TABLE and the daemon did (`--lab` measures them)");
    }
    c.out.flush();
  }

  private static int report(List<Result> results, double seconds, PrintStream out) {
    long failed = results.stream().filter(r -> r.outcome() == Result.Outcome.FAIL).count();
    long skipped = results.stream().filter(r -> r.outcome() == Result.Outcome.SKIP).count();
    out.println();
    out.println("== report");
    results.forEach(r -> out.print(r.render()));
    out.printf("%d passed, %d failed, %d skipped in %.1f s%n", results.size() - failed - skipped, failed, skipped,
        seconds);
    out.flush();
    return failed > 0 ? FAILED : PASSED;
  }
}
