package netbalancer.daemon;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.health.HealthMonitor;
import netbalancer.health.HealthSnapshot;
import netbalancer.plan.Uplink;
import netbalancer.plan.UplinkState;

/**
 * The health monitors seen through the reconciler's narrow interface: one for the uplinks (their
 * IPv4 addresses and targets), one for their IPv6 sides (IPv6 addresses and targets).
 */
final class MonitorHealthSource implements HealthSource {
  private final HealthMonitor monitor;
  private final HealthMonitor monitor6;

  MonitorHealthSource(HealthMonitor monitor, HealthMonitor monitor6) {
    this.monitor = monitor;
    this.monitor6 = monitor6;
  }

  @Override
  public void track(List<Uplink> uplinks, Set<String> neighborFailed) {
    track(uplinks, neighborFailed, Set.of());
  }

  @Override
  public void track(List<Uplink> uplinks, Set<String> neighborFailed, Set<String> neighborFailed6) {
    Map<String, String> sources = new LinkedHashMap<>();
    // An IPv6-only uplink has no IPv4 to probe: its IPv6 side is probed (IPv6 targets), and
    // without a verdict here the uplink itself follows its carrier and neighbor.
    uplinks.stream().filter(Uplink::hasIpv4).forEach(u -> sources.put(u.name(), u.address()));
    monitor.setUplinks(sources);
    Map<String, String> sources6 = new LinkedHashMap<>();
    if (monitor6.probing()) {
      uplinks.stream().filter(Uplink::hasIpv6).forEach(u -> sources6.put(u.name(), u.ipv6().address()));
    }
    monitor6.setUplinks(sources6);
    for (Uplink u : uplinks) {
      if (sources.containsKey(u.name())) {
        monitor.carrier(u.name(), u.carrier());
        if (neighborFailed.contains(u.name())) {
          monitor.neighborFailed(u.name());
        } else {
          monitor.neighborReachable(u.name());
        }
      }
      if (sources6.containsKey(u.name())) {
        monitor6.carrier(u.name(), u.carrier());
        if (neighborFailed6.contains(u.name())) {
          monitor6.neighborFailed(u.name());
        } else {
          monitor6.neighborReachable(u.name());
        }
      }
    }
  }

  @Override
  public Map<String, Verdict> verdicts() {
    return verdicts(monitor);
  }

  @Override
  public Map<String, Verdict> verdicts6() {
    return monitor6.probing() ? verdicts(monitor6) : Map.of();
  }

  private static Map<String, Verdict> verdicts(HealthMonitor m) {
    Map<String, Verdict> out = new LinkedHashMap<>();
    for (HealthSnapshot s : m.snapshot().values()) {
      String reason = s.reason();
      if (s.state() == UplinkState.HOLD_DOWN && s.holdDownRemaining() != null) {
        reason += " (" + s.holdDownRemaining().toSeconds() + " s left)";
      }
      out.put(s.uplink(), new Verdict(s.state(), reason, false));
    }
    return out;
  }
}
