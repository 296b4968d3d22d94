package netbalancer.daemon;

import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.observe.Family;
import netbalancer.observe.KernelState;
import netbalancer.observe.NftTable;
import netbalancer.plan.Plan;
import netbalancer.plan.Planner;
import netbalancer.plan.StateDiff;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkState;

/**
 * Plans once for two made-up uplinks (documentation addresses) on a thread of its own while the
 * first pass waits for its reads: in a just-started JVM the planner's and renderer's classes are
 * loaded and their code run for the first time, which was most of the first pass's "plan" step
 * (55-140 ms, against a few ms once warm). Pure work: nothing is read, written or logged.
 */
final class WarmUp {
  private WarmUp() {
  }

  static void startBeside(Config config, Policies policies) {
    Thread t = new Thread(() -> run(config, policies), "warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  /** Whether it planned (a test's question: the first pass reports real errors itself). */
  static boolean run(Config config, Policies policies) {
    try {
      List<Uplink> uplinks = List.of(
          new Uplink("warm1", 1, Family.INET, "192.0.2.2", "192.0.2.1", List.of("192.0.2.0/30"), true,
              new Uplink.Ipv6Side("2001:db8:1::2", 64, "fe80::1", List.of("2001:db8:1::/64"))),
          new Uplink("warm2", 2, Family.INET, "192.0.2.6", "192.0.2.5", List.of("192.0.2.4/30"), true));
      Map<String, UplinkState> states = Map.of("warm1", UplinkState.UP, "warm2", UplinkState.UP);
      Plan plan = Planner.plan(config, policies, uplinks, states, Map.of("warm1", UplinkState.UP));
      StateDiff.between(plan, new KernelState(List.of(), List.of(), List.of(), List.of(), NftTable.ABSENT),
          config.lbRtProto());
      return true;
    } catch (RuntimeException e) {
      return false; // only a warm-up: the first pass plans the real uplinks and reports its own errors
    }
  }
}
