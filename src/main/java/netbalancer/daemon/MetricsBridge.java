package netbalancer.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.health.HealthSnapshot;
import netbalancer.metrics.MetricsInput;
import netbalancer.metrics.PolicyMetrics;
import netbalancer.metrics.UplinkMetrics;
import netbalancer.plan.Uplink;

/** Turns the daemon's status, the health snapshots and the traffic numbers into metrics input. */
final class MetricsBridge {
  private MetricsBridge() {
  }

  static MetricsInput input(Config config, DaemonStatus.Snapshot s, Map<String, HealthSnapshot> health,
      Map<String, UplinkStats.Stats> stats) {
    List<UplinkMetrics> uplinks = new ArrayList<>();
    if (s.plan() != null) {
      for (Uplink u : s.plan().uplinks()) {
        HealthSnapshot h = health.get(u.name());
        UplinkStats.Stats t = stats.getOrDefault(u.name(), UplinkStats.Stats.NONE);
        uplinks.add(new UplinkMetrics(u.name(), s.verdicts().get(u.name()).state().wireName(),
            config.weightOf(u.name()), config.tierOf(u.name()), s.plan().balanced().contains(u.name()),
            h == null ? Double.NaN : DaemonStatus.seconds(h.rttSmoothed()), h == null ? Double.NaN : h.loss(),
            h == null ? 0 : h.successes(), h == null ? 0 : h.failures(), h == null ? 0 : h.timeouts(),
            s.transitions().getOrDefault(u.name(), 0L), t.connections(), t.txBytes(), t.rxBytes()));
      }
    }
    return new MetricsInput(uplinks, s.failovers(), s.lastDurationNanos() / 1e9,
        s.lastSuccess() == null ? 0 : s.lastSuccess().toEpochMilli() / 1e3, s.reconciles(), s.failures(),
        s.plan() != null && s.plan().failOpen(), policies(s));
  }

  private static List<PolicyMetrics> policies(DaemonStatus.Snapshot s) {
    if (s.plan() == null) {
      return List.of();
    }
    return DaemonStatus.policies(s.plan()).stream().map(row -> new PolicyMetrics((String) row.get("name"),
        uplinkNames(row.get("uplinks")), (Boolean) row.get("fallback"))).toList();
  }

  private static List<String> uplinkNames(Object list) {
    return ((List<?>) list).stream().map(Object::toString).toList();
  }
}
