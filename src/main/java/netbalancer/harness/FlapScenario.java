package netbalancer.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import netbalancer.harness.Observer.Seen;

/**
 * flap IFACE COUNT: COUNT quick down/up cycles of the uplink's link. What matters is that it
 * ends well — the uplink balanced again within the recovery limit, the others never touched —
 * and how much LB_TABLE churned on the way (hysteresis should keep that low).
 */
final class FlapScenario implements Scenario {
  static final long HALF_PERIOD_MS = 300;

  private final String uplink;
  private final int count;

  FlapScenario(String uplink, int count) {
    this.uplink = uplink;
    this.count = count;
  }

  @Override
  public String uplink() {
    return uplink;
  }

  @Override
  public String title() {
    return "flap " + uplink + " " + count;
  }

  @Override
  public Result run(Context c) throws InterruptedException {
    Scenarios.refuseIfUnsafe(c, uplink);
    Fault f = c.target.carrier(uplink);
    Expect expect = Expect.uplinkLeaves(uplink, Limits::out);
    if (c.observer.await(System.nanoTime(), expect.steady(), c.limits.back()) == null) {
      return Result.fail(title(), "not steady before the test (" + expect.steadyText() + "): "
          + Scenarios.describe(c.latest()));
    }
    Optional<Target.Held> held = c.hold();
    try {
      return flap(c, f, expect, held);
    } finally {
      held.ifPresent(Target.Held::close);
    }
  }

  private Result flap(Context c, Fault f, Expect expect, Optional<Target.Held> held) throws InterruptedException {
    List<String> problems = new ArrayList<>();
    Set<String> before = c.latest().members();
    c.timeline.note("flapping: " + count + " x (" + f.describe() + ", " + HALF_PERIOD_MS + " ms, "
        + f.describeRevert() + ", " + HALF_PERIOD_MS + " ms)");
    long t0 = System.nanoTime();
    long lastUp = t0;
    for (int i = 0; i < count; i++) {
      c.undo.apply(f);
      c.sleepUntil(System.nanoTime() + HALF_PERIOD_MS * 1_000_000);
      c.undo.revert(f);
      lastUp = System.nanoTime();
      c.sleepUntil(lastUp + HALF_PERIOD_MS * 1_000_000);
    }
    c.timeline.note("flapping over: " + uplink + " stays up");
    Seen firstOut = c.observer.await(t0, expect.reacted(), Duration.ZERO);
    Seen back = c.observer.await(lastUp, expect.steady(), c.limits.back());
    String reaction = firstOut == null ? uplink + " never left LB_TABLE"
        : "out in " + Scenarios.millis(firstOut.nanos() - t0) + " at the first flap";
    String recovery;
    if (back == null) {
      recovery = "not back";
      problems.add(uplink + " not balanced again within " + Limits.seconds(c.limits.back()) + " of the last flap: "
          + Scenarios.describe(c.latest()));
    } else {
      recovery = "balanced again " + Scenarios.millis(back.nanos() - lastUp) + " after the last flap";
      c.timeline.note(recovery);
    }
    long churn = changes(c.observer.since(t0));
    problems.addAll(Scenarios.collateral(c, t0, uplink, before));
    String kept = Scenarios.connections(c, held, uplink, problems);
    return Result.of(title(), reaction + ", " + recovery + ", " + churn + " LB_TABLE change(s); " + kept, problems);
  }

  /** How often LB_TABLE's members changed in this history. */
  static long changes(List<Seen> history) {
    long n = 0;
    for (int i = 1; i < history.size(); i++) {
      if (!history.get(i).members().equals(history.get(i - 1).members())) {
        n++;
      }
    }
    return n;
  }
}
