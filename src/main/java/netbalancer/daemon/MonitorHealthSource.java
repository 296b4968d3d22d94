package netbalancer.daemon;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.health.HealthMonitor;
import netbalancer.health.HealthSnapshot;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkState;

/** The health monitor seen through the reconciler's narrow interface. */
final class MonitorHealthSource implements HealthSource {
  private final HealthMonitor monitor;

  MonitorHealthSource(HealthMonitor monitor) {
    this.monitor = monitor;
  }

  @Override
  public void track(List<Uplink> uplinks, Set<String> neighborFailed) {
    Map<String, String> sources = new LinkedHashMap<>();
    uplinks.forEach(u -> sources.put(u.name(), u.address()));
    monitor.setUplinks(sources);
    for (Uplink u : uplinks) {
      monitor.carrier(u.name(), u.carrier());
      if (neighborFailed.contains(u.name())) {
        monitor.neighborFailed(u.name());
      } else {
        monitor.neighborReachable(u.name());
      }
    }
  }

  @Override
  public Map<String, Verdict> verdicts() {
    Map<String, Verdict> out = new LinkedHashMap<>();
    for (HealthSnapshot s : monitor.snapshot().values()) {
      String reason = s.reason();
      if (s.state() == UplinkState.HOLD_DOWN && s.holdDownRemaining() != null) {
        reason += " (" + s.holdDownRemaining().toSeconds() + " s left)";
      }
      out.put(s.uplink(), new Verdict(s.state(), reason, false));
    }
    return out;
  }
}
