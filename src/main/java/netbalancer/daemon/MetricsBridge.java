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
    return input(config, s, health, Map.of(), stats);
  }

  /** @param health6 the IPv6 sides' probes (empty when IPv6 is not probed on its own) */
  static MetricsInput input(Config config, DaemonStatus.Snapshot s, Map<String, HealthSnapshot> health,
      Map<String, HealthSnapshot> health6, Map<String, UplinkStats.Stats> stats) {
    return input(config, s, health, health6, stats, Map.of());
  }

  /** @param counters our nft counters by name: each policy's new connections */
  static MetricsInput input(Config config, DaemonStatus.Snapshot s, Map<String, HealthSnapshot> health,
      Map<String, HealthSnapshot> health6, Map<String, UplinkStats.Stats> stats, Map<String, Long> counters) {
    List<UplinkMetrics> uplinks = new ArrayList<>();
    if (s.plan() != null) {
      for (Uplink u : s.plan().uplinks()) {
        HealthSnapshot h = health.get(u.name());
        UplinkStats.Stats t = stats.getOrDefault(u.name(), UplinkStats.Stats.NONE);
        uplinks.add(new UplinkMetrics(u.name(), s.verdicts().get(u.name()).state().wireName(),
            config.weightOf(u.name()), config.tierOf(u.name()), s.plan().balanced().contains(u.name()),
            h == null ? Double.NaN : DaemonStatus.seconds(h.rttSmoothed()), h == null ? Double.NaN : h.loss(),
            h == null ? 0 : h.successes(), h == null ? 0 : h.failures(), h == null ? 0 : h.timeouts(),
            s.transitions().getOrDefault(u.name(), 0L), t.connections(), t.txBytes(), t.rxBytes(),
            ipv6(u, s, health6.get(u.name())), u.hasIpv4()));
      }
    }
    return new MetricsInput(uplinks, s.failovers(), s.lastDurationNanos() / 1e9,
        s.lastSuccess() == null ? 0 : s.lastSuccess().toEpochMilli() / 1e3, s.reconciles(), s.failures(),
        s.plan() != null && s.plan().failOpen(), policies(s, counters));
  }

  private static List<PolicyMetrics> policies(DaemonStatus.Snapshot s, Map<String, Long> counters) {
    if (s.plan() == null) {
      return List.of();
    }
    return DaemonStatus.withShares(DaemonStatus.policies(s.plan()), counters).stream()
        .map(row -> {
          @SuppressWarnings("unchecked")
          Map<String, Object> v6 = (Map<String, Object>) row.get("ipv6");
          return new PolicyMetrics((String) row.get("name"), uplinkNames(row.get("uplinks")),
              (Boolean) row.get("fallback"), (Long) row.get("newConnections"),
              v6 == null ? null : uplinkNames(v6.get("uplinks")), v6 != null && (Boolean) v6.get("fallback"));
        }).toList();
  }

  private static List<String> uplinkNames(Object list) {
    return ((List<?>) list).stream().map(Object::toString).toList();
  }

  private static UplinkMetrics.Side ipv6(Uplink u, DaemonStatus.Snapshot s, HealthSnapshot h) {
    if (!u.hasIpv6()) {
      return null;
    }
    Verdict v = s.verdicts6().getOrDefault(u.name(), s.verdicts().get(u.name()));
    return new UplinkMetrics.Side(v.state().wireName(), s.plan().balanced6().contains(u.name()),
        h == null ? Double.NaN : DaemonStatus.seconds(h.rttSmoothed()), h == null ? Double.NaN : h.loss());
  }
}
