package netbalancer.daemon;

import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.plan.Uplink;

/** What the reconciler needs from the health checks. */
interface HealthSource {
  /**
   * The uplinks to probe, each through its own address, and those whose gateway neighbor the
   * kernel reports FAILED; called on every reconcile.
   */
  void track(List<Uplink> uplinks, Set<String> neighborFailed);

  /** {@link #track(List, Set)}, and the uplinks whose IPv6 gateway neighbor is FAILED (NDP). */
  default void track(List<Uplink> uplinks, Set<String> neighborFailed, Set<String> neighborFailed6) {
    track(uplinks, neighborFailed);
  }

  /** The health verdict per uplink; an uplink without one is healthy as far as probes know. */
  Map<String, Verdict> verdicts();

  /**
   * The health verdict of each uplink's IPv6 side, probed on its own (bound to its IPv6 address,
   * IPv6 targets only); empty when no IPv6 target is configured: IPv6 then follows the uplink.
   */
  default Map<String, Verdict> verdicts6() {
    return Map.of();
  }

  HealthSource NONE = new HealthSource() {
    @Override
    public void track(List<Uplink> uplinks, Set<String> neighborFailed) {
    }

    @Override
    public Map<String, Verdict> verdicts() {
      return Map.of();
    }
  };
}
