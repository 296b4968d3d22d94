package netbalancer.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import netbalancer.harness.Observer.Seen;

/**
 * down-up, neighbor-fail and health-block: wait for a steady state, hold connections (lab),
 * make the fault, time the reaction, keep the fault for SECONDS (longer if the reaction is still
 * due), put it back, time the recovery, then count the connections that survived.
 */
final class FaultScenario implements Scenario {
  private final String title;
  private final String uplink;
  private final Function<Target, Fault> fault;
  private final Duration hold;
  private final Expect expect;

  /** @param uplink the uplink the fault is aimed at; null when it hits them all */
  FaultScenario(String title, String uplink, Function<Target, Fault> fault, Duration hold, Expect expect) {
    this.title = title;
    this.uplink = uplink;
    this.fault = fault;
    this.hold = hold;
    this.expect = expect;
  }

  @Override
  public String uplink() {
    return uplink;
  }

  @Override
  public String title() {
    return title;
  }

  @Override
  public Result run(Context c) throws InterruptedException {
    String pointless = Scenarios.nothingWouldReact(title, c.target.config());
    if (pointless != null) {
      return Result.skip(title, pointless);
    }
    if (expect.needsDaemon() && c.latest().daemon() == null) {
      return Result.fail(title, "no daemon answers on " + c.target.config().controlSocket()
          + ": only the daemon can tell that every uplink failed its checks");
    }
    Scenarios.refuseIfUnsafe(c, uplink, expect.ipv6());
    Fault f = fault.apply(c.target);
    Seen steady = c.observer.await(System.nanoTime(), expect.steady(), c.limits.back());
    if (steady == null) {
      return Result.fail(title, "not steady before the test (waited " + Limits.seconds(c.limits.back()) + " for "
          + expect.steadyText() + "): " + Scenarios.describe(c.latest()));
    }
    Optional<Target.Held> held = c.hold();
    try {
      return run(c, f, held);
    } finally {
      held.ifPresent(Target.Held::close);
    }
  }

  private Result run(Context c, Fault f, Optional<Target.Held> held) throws InterruptedException {
    List<String> problems = new ArrayList<>();
    Set<String> before = c.latest().members();
    Set<String> before6 = c.latest().members6();
    c.timeline.note("fault: " + f.describe());
    c.undo.apply(f);
    long t0 = System.nanoTime();
    Duration reactLimit = expect.reactLimit().apply(c.limits);
    Seen reacted = c.observer.await(t0, expect.reacted(), reactLimit);
    String reaction;
    if (reacted == null) {
      reaction = "no reaction";
      problems.add(expect.reactionText() + ": not within " + Limits.seconds(reactLimit));
    } else {
      reaction = "reacted in " + Scenarios.millis(reacted.nanos() - t0);
      c.timeline.note(expect.reactionText() + " " + Scenarios.millis(reacted.nanos() - t0) + " after the fault");
    }
    c.sleepUntil(t0 + hold.toNanos());
    c.timeline.note("restore: " + f.describeRevert());
    c.undo.revert(f);
    long t1 = System.nanoTime();
    Seen back = c.observer.await(t1, expect.steady(), c.limits.back());
    String recovery;
    if (back == null) {
      recovery = "no recovery";
      problems.add("not back to " + expect.steadyText() + " within " + Limits.seconds(c.limits.back())
          + " of the restore: " + Scenarios.describe(c.latest()));
    } else {
      recovery = "back " + Scenarios.millis(back.nanos() - t1) + " after the restore";
      c.timeline.note("steady again (" + expect.steadyText() + ") " + Scenarios.millis(back.nanos() - t1)
          + " after the restore");
    }
    if (expect.ipv6()) { // only the uplink's IPv6 side may leave: its IPv4 side and every other stay
      problems.addAll(Scenarios.collateral(c, t0, uplink, before, Seen::members, ""));
      problems.addAll(Scenarios.collateral(c, t0, uplink, before6, Seen::members6, "'s IPv6").stream()
          .filter(p -> !p.startsWith(uplink + "'s IPv6 ")).toList());
    } else {
      problems.addAll(Scenarios.collateral(c, t0, uplink, before));
    }
    String kept = Scenarios.connections(c, held, uplink, problems);
    return Result.of(title, reaction + ", " + recovery + "; " + kept, problems);
  }
}
