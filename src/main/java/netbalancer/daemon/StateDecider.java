package netbalancer.daemon;

import java.util.HashMap;
import java.util.HashSet;
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
  private long debounceNanos;
  private boolean neighborChecks;
  /** INCOMPLETE is normal while ARP resolves; it counts as a failure once it lasted this long. */
  static final long INCOMPLETE_GRACE_NANOS = 1_000_000_000L;

  /** When each uplink last became usable (carrier and neighbor fine); absent while it is not. */
  private final Map<String, Long> usableSince = new HashMap<>();
  /**
   * After carrier returns, the gateway's entry may still say FAILED from resolutions tried while
   * the link was dead; the kernel needs up to 3 probes a second apart to settle it.
   */
  static final long NEIGHBOR_SETTLE_NANOS = 3_000_000_000L;
  private static final long STILL_DOWN = Long.MAX_VALUE;
  /** When carrier came back, for uplinks seen without it (STILL_DOWN while it is gone). */
  private final Map<String, Long> carrierBack = new HashMap<>();
  /** Since when each uplink's gateway neighbor has been INCOMPLETE. */
  private final Map<String, Long> incompleteSince = new HashMap<>();
  private final Map<String, String> neighborFailures = new HashMap<>();
  /** The same for the IPv6 gateways (NDP): each fails only its uplink's IPv6 side. */
  private final Map<String, Long> incompleteSince6 = new HashMap<>();
  private final Map<String, String> neighborFailures6 = new HashMap<>();
  private long neighborWake = Long.MAX_VALUE;

  StateDecider(long debounceNanos, boolean neighborChecks) {
    this.debounceNanos = debounceNanos;
    this.neighborChecks = neighborChecks;
  }

  /** New settings (a reload): debounces under way keep their start, and end by the new time. */
  void reconfigure(long debounceNanos, boolean neighborChecks) {
    this.debounceNanos = debounceNanos;
    this.neighborChecks = neighborChecks;
  }

  /**
   * Decisions, and when to look again (the end of a debounce), if ever. {@code verdicts6}: the
   * state of each uplink's IPv6 side (uplinks that have one): the uplink's own failures (carrier,
   * drain, debounce) hold for it too; its health is its own when IPv6 is probed, else it follows
   * the uplink's.
   */
  record Decisions(Map<String, Verdict> verdicts, Map<String, Verdict> verdicts6, OptionalLong wakeAt) {
  }

  /**
   * @param firstRun uplinks seen on the daemon's first look are trusted at once: they carried
   *     traffic before we started (a restart must not pause them for DEBOUNCE_TIME)
   */
  /**
   * Uplinks whose gateway neighbor has failed: FAILED at once, INCOMPLETE once it lasted
   * {@link #INCOMPLETE_GRACE_NANOS}. Call before {@link #decide} on every pass.
   */
  Set<String> neighborFailures(List<Uplink> uplinks, KernelState kernel, long now) {
    neighborFailures.clear();
    neighborFailures6.clear();
    neighborWake = Long.MAX_VALUE;
    Set<String> incompleteNow = new HashSet<>();
    Set<String> incompleteNow6 = new HashSet<>();
    carrierBack.keySet().retainAll(uplinks.stream().map(Uplink::name).toList());
    for (Uplink u : uplinks) {
      if (!u.carrier()) {
        carrierBack.put(u.name(), STILL_DOWN); // carrier loss is the failure; no neighbor can resolve
        continue;
      }
      Long back = carrierBack.get(u.name());
      if (back != null) {
        if (back == STILL_DOWN) {
          back = now;
          carrierBack.put(u.name(), now);
        }
        if (now - back < NEIGHBOR_SETTLE_NANOS) {
          neighborWake = Math.min(neighborWake, back + NEIGHBOR_SETTLE_NANOS);
          continue;
        }
        carrierBack.remove(u.name());
      }
      String failure = failure(neighborChecks ? gateway(u.gateway(), u.name(), kernel) : null, u.gateway(), u.name(),
          incompleteSince, incompleteNow, now);
      if (failure != null) {
        neighborFailures.put(u.name(), failure);
      }
      if (u.hasIpv6() && u.ipv6().gateway() != null) {
        String failure6 = failure(neighborChecks ? gateway(u.ipv6().gateway(), u.name(), kernel) : null,
            u.ipv6().gateway(), u.name(), incompleteSince6, incompleteNow6, now);
        if (failure6 != null) {
          neighborFailures6.put(u.name(), failure6);
        }
      }
    }
    incompleteSince.keySet().retainAll(incompleteNow);
    incompleteSince6.keySet().retainAll(incompleteNow6);
    return Set.copyOf(neighborFailures.keySet());
  }

  /** Uplinks whose IPv6 gateway neighbor failed, as found by the last {@link #neighborFailures} call. */
  Set<String> neighborFailures6() {
    return Set.copyOf(neighborFailures6.keySet());
  }

  /** Why the gateway neighbor {@code n} counts as failed now, or null: FAILED, or INCOMPLETE past its grace. */
  private String failure(Neighbor n, String gateway, String uplink, Map<String, Long> incompleteSince,
      Set<String> incompleteNow, long now) {
    if (n == null) {
      return null;
    }
    if (n.incomplete()) {
      incompleteNow.add(uplink);
      long since = incompleteSince.computeIfAbsent(uplink, k -> now);
      if (now - since < INCOMPLETE_GRACE_NANOS) {
        neighborWake = Math.min(neighborWake, since + INCOMPLETE_GRACE_NANOS);
        return null;
      }
    }
    return n.failed() || n.incomplete() ? "gateway " + gateway + " neighbor " + String.join(",", n.states()) : null;
  }

  Decisions decide(List<Uplink> uplinks, Map<String, Verdict> health, Set<String> drained, long now,
      boolean firstRun) {
    return decide(uplinks, health, Map.of(), drained, now, firstRun);
  }

  Decisions decide(List<Uplink> uplinks, Map<String, Verdict> health, Map<String, Verdict> health6,
      Set<String> drained, long now, boolean firstRun) {
    Map<String, Verdict> out = new LinkedHashMap<>();
    Map<String, Verdict> out6 = new LinkedHashMap<>();
    long wake = neighborWake;
    usableSince.keySet().retainAll(uplinks.stream().map(Uplink::name).toList());
    for (Uplink u : uplinks) {
      Verdict hardFailure = hardFailure(u);
      Verdict v;
      Verdict h6 = health6.get(u.name());
      if (hardFailure != null) {
        usableSince.remove(u.name());
        v = hardFailure;
        h6 = null; // the uplink's own failure is its IPv6 side's too
      } else {
        long since = usableSince.computeIfAbsent(u.name(), n -> firstRun ? now - debounceNanos : now);
        boolean debouncing = now - since < debounceNanos;
        if (drained.contains(u.name())) {
          v = new Verdict(UplinkState.DRAINING, "drained by the operator", false);
          h6 = null;
        } else {
          v = health(health.get(u.name()), debouncing);
          String ndp = neighborFailures6.get(u.name());
          if (ndp != null) {
            h6 = new Verdict(UplinkState.DOWN, ndp, true); // like ARP for IPv4, for this side alone
          } else if (h6 != null) {
            h6 = health(h6, debouncing);
          }
          if (v == DEBOUNCING || h6 == DEBOUNCING) {
            wake = Math.min(wake, since + debounceNanos);
          }
        }
      }
      out.put(u.name(), v);
      if (u.hasIpv6()) {
        out6.put(u.name(), h6 != null ? h6 : v);
      }
    }
    return new Decisions(out, out6, wake == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(wake));
  }

  private static final Verdict DEBOUNCING = new Verdict(UplinkState.DOWN, "link back; waiting DEBOUNCE_TIME", false);

  /** Health first (an unhealthy link shows why), then the debounce of a link just back. */
  private static Verdict health(Verdict h, boolean debouncing) {
    if (h != null && !h.state().eligible()) {
      return h;
    }
    if (debouncing) {
      return DEBOUNCING;
    }
    return h != null ? h : Verdict.up("link up");
  }

  private Verdict hardFailure(Uplink u) {
    if (!u.carrier()) {
      return new Verdict(UplinkState.DOWN, "carrier lost", true, true);
    }
    String neighbor = neighborFailures.get(u.name());
    return neighbor == null ? null : new Verdict(UplinkState.DOWN, neighbor, true);
  }

  private static Neighbor gateway(String gateway, String dev, KernelState kernel) {
    if (gateway == null) {
      return null;
    }
    for (Neighbor n : kernel.neighbors()) {
      if (n.address().equals(gateway) && n.dev().equals(dev)) {
        return n;
      }
    }
    return null;
  }
}
