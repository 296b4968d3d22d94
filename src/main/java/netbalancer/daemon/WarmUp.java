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
 * its own, started as soon as the configuration is loaded ({@link #startEarly}: the parts that need
 * none, before that), while the JVM constructs the daemon and the first pass starts its reads: in a
 * just-started JVM each step's classes are loaded and its code
 * run for the first time on the first pass's path. In the order the pass needs them: the parsers
 * of ip's and nft's answers, the planner and renderer (most of the "plan" step: 55-140 ms cold,
 * a few ms warm), the state file's and event history's JSON writers (the apply writes the state
 * file twice before its first change; the pass records its transitions before the first apply
 * is logged). Pure work: nothing is read, written or logged.
 */
public final class WarmUp {
  private WarmUp() {
  }

  private static final java.util.concurrent.atomic.AtomicBoolean STARTED = new java.util.concurrent.atomic.AtomicBoolean();

  /** Once per JVM: {@code run} starts it as soon as the configuration is loaded, the daemon's run again (a no-op then). */
  public static void startBeside(Config config, Policies policies) {
    if (!STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> run(config, policies), "warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  /**
   * The parsers and writers, started by {@code main} before the command line is even parsed when
   * the command is {@code run}: the JVM then spends ~0.5 s in the command-line parser, the
   * configuration's checks and the daemon's construction on one core, while the other is free. The
   * parsers' first use alone took 130-160 ms in a fresh JVM (most of it the JSON library's
   * classes), on the first read's path. Nothing of the configuration's: its classes are being
   * initialized on the main thread meanwhile, and two threads initializing classes that refer to
   * each other can deadlock; the planner is warmed by {@link #startBeside} once the configuration is
   * loaded.
   */
  public static void startEarly() {
    Thread t = new Thread(WarmUp::parsersAndWriters, "warm-up early");
    t.setDaemon(true);
    t.start();
    EarlyWarmUp.begin(); // JNA, the netlink reads and the first process spawn, on a thread of their own
  }

  private static void parsersAndWriters() {
    try {
      ParserWarmUp.run();
      StateStore.warmUpWriter();
      EventLog.toJson(List.of(new EventLog.Event(0, "warm1", "", "up", "warm-up", 1, List.of("warm1"))));
    } catch (RuntimeException e) {
      // only a warm-up
    }
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
