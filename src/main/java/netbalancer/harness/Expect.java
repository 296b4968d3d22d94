package netbalancer.harness;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import netbalancer.harness.Observer.Seen;

/**
 * What a scenario waits for: a steady state before and after ({@code steady}), and the reaction
 * to the fault. For one uplink the kernel tells: it leaves LB_TABLE and comes back. For all
 * uplinks at once only the daemon can tell: every uplink fails its checks, and LB_TABLE stays
 * (fail-open).
 */
record Expect(String steadyText, Predicate<Seen> steady, String reactionText, Predicate<Seen> reacted,
    Function<Limits, Duration> reactLimit, boolean needsDaemon, boolean ipv6) {

  /** One uplink: balanced and, if a daemon answers, eligible; the fault takes it out of LB_TABLE. */
  static Expect uplinkLeaves(String uplink, Function<Limits, Duration> limit) {
    Predicate<Seen> steady = s -> s.balances(uplink) && (s.daemon() == null || s.daemon().eligible(uplink));
    return new Expect(uplink + " balanced", steady, uplink + " left LB_TABLE", s -> !s.balances(uplink), limit,
        false, false);
  }

  /** One uplink's IPv6 side: in LB_TABLE's IPv6 route; the fault takes it out of that route only. */
  static Expect ipv6SideLeaves(String uplink, Function<Limits, Duration> limit) {
    Predicate<Seen> steady = s -> s.balances6(uplink) && (s.daemon() == null || s.daemon().eligible(uplink));
    return new Expect(uplink + " balanced for IPv6", steady, uplink + " left LB_TABLE's IPv6 route",
        s -> !s.balances6(uplink), limit, false, true);
  }

  /** Every uplink: the daemon finds them all failing (and fails open). */
  static Expect allFail(Function<Limits, Duration> limit) {
    return new Expect("every uplink up and balanced",
        s -> s.daemon() != null && s.daemon().allEligible() && s.members().containsAll(s.daemon().uplinks().keySet()),
        "the daemon failed every uplink", s -> s.daemon() != null && s.daemon().noneEligible(), limit, true, false);
  }
}
