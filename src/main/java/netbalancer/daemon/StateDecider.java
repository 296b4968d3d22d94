package netbalancer.daemon;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import netbalancer.observe.KernelState;
import netbalancer.observe.Neighbor;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkState;

/**
 * Decides each uplink's state from the kernel, the health checks and the operator, in this
 * order: carrier lost or gateway neighbor FAILED (hard down), drained by the operator, health
 * (down, hold-down, degraded), and the debounce that makes a returning link wait DEBOUNCE_TIME
 * before it takes new connections. Removals act at once; only additions wait.
 *
 * <p>A degraded uplink (some probes lost, below the failure threshold) stays in the balance:
 * taking it out on one lost probe would turn 10 % loss into constant churn.
 */
final class StateDecider {
  private final long debounceNanos;
  private final boolean neighborChecks;
  /** When each uplink last became usable (carrier and neighbor fine); absent while it is not. */
  private final Map<String, Long> usableSince = new HashMap<>();

  StateDecider(long debounceNanos, boolean neighborChecks) {
    this.debounceNanos = debounceNanos;
    this.neighborChecks = neighborChecks;
  }

  /** Decisions, and when to look again (the end of a debounce), if ever. */
  record Decisions(Map<String, Verdict> verdicts, OptionalLong wakeAt) {
  }

  /**
   * @param firstRun uplinks seen on the daemon's first look are trusted at once: they carried
   *     traffic before we started (a restart must not pause them for DEBOUNCE_TIME)
   */
  Decisions decide(List<Uplink> uplinks, KernelState kernel, Map<String, Verdict> health,
      Set<String> drained, long now, boolean firstRun) {
    Map<String, Verdict> out = new LinkedHashMap<>();
    long wake = Long.MAX_VALUE;
    usableSince.keySet().retainAll(uplinks.stream().map(Uplink::name).toList());
    for (Uplink u : uplinks) {
      Verdict hardFailure = hardFailure(u, kernel);
      if (hardFailure != null) {
        usableSince.remove(u.name());
        out.put(u.name(), hardFailure);
        continue;
      }
      long since = usableSince.computeIfAbsent(u.name(), n -> firstRun ? now - debounceNanos : now);
      if (drained.contains(u.name())) {
        out.put(u.name(), new Verdict(UplinkState.DRAINING, "drained by the operator", false));
        continue;
      }
      Verdict h = health.get(u.name());
      if (h != null && !h.state().eligible()) {
        out.put(u.name(), h);
        continue;
      }
      if (now - since < debounceNanos) {
        out.put(u.name(), new Verdict(UplinkState.DOWN, "link back; waiting DEBOUNCE_TIME", false));
        wake = Math.min(wake, since + debounceNanos);
        continue;
      }
      out.put(u.name(), h != null ? h : Verdict.up("link up"));
    }
    return new Decisions(out, wake == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(wake));
  }

  private Verdict hardFailure(Uplink u, KernelState kernel) {
    if (!u.carrier()) {
      return new Verdict(UplinkState.DOWN, "carrier lost", true);
    }
    Neighbor n = neighborChecks ? failedGateway(u, kernel) : null;
    return n == null ? null
        : new Verdict(UplinkState.DOWN, "gateway " + u.gateway() + " neighbor " + String.join(",", n.states()), true);
  }

  /** The uplink's gateway neighbor entry if the kernel gave up resolving it, else null. */
  static Neighbor failedGateway(Uplink u, KernelState kernel) {
    if (u.gateway() == null) {
      return null;
    }
    for (Neighbor n : kernel.neighbors()) {
      if (n.address().equals(u.gateway()) && n.dev().equals(u.name()) && n.failed()) {
        return n;
      }
    }
    return null;
  }
}
