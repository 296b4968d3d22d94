package netbalancer.daemon;

import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.config.Policies;
import netbalancer.kernel.StateStore;
import netbalancer.observe.Family;
import netbalancer.observe.KernelState;
import netbalancer.observe.NftTable;
import netbalancer.observe.ParserWarmUp;
import netbalancer.plan.Plan;
import netbalancer.plan.Planner;
import netbalancer.plan.StateDiff;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkState;

/**
 * Runs the first pass's code once over made-up input (documentation addresses) on a thread of
 * its own, started first thing in the daemon's run, while the first pass starts its reads'
 * processes and waits for them: in a just-started JVM each step's classes are loaded and its code
 * run for the first time on the first pass's path. In the order the pass needs them: the parsers
 * of ip's and nft's answers, the planner and renderer (most of the "plan" step: 55-140 ms cold,
 * a few ms warm), the state file's and event history's JSON writers (the apply writes the state
 * file twice before its first change; the pass records its transitions before the first apply
 * is logged). Pure work: nothing is read, written or logged.
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
      ParserWarmUp.run();
      List<Uplink> uplinks = List.of(
          new Uplink("warm1", 1, Family.INET, "192.0.2.2", "192.0.2.1", List.of("192.0.2.0/30"), true,
              new Uplink.Ipv6Side("2001:db8:1::2", 64, "fe80::1", List.of("2001:db8:1::/64"))),
          new Uplink("warm2", 2, Family.INET, "192.0.2.6", "192.0.2.5", List.of("192.0.2.4/30"), true));
      Map<String, UplinkState> states = Map.of("warm1", UplinkState.UP, "warm2", UplinkState.UP);
      Plan plan = Planner.plan(config, policies, uplinks, states, Map.of("warm1", UplinkState.UP));
      StateDiff.between(plan, new KernelState(List.of(), List.of(), List.of(), List.of(), NftTable.ABSENT),
          config.lbRtProto());
      StateStore.warmUpWriter();
      EventLog.toJson(List.of(new EventLog.Event(0, "warm1", "", "up", "warm-up", 1, List.of("warm1"))));
      return true;
    } catch (RuntimeException e) {
      return false; // only a warm-up: the first pass plans the real uplinks and reports its own errors
    }
  }
}
