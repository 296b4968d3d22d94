package netbalancer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PolicyMetricsTest {
  private static Map<String, Double> series(MetricsInput in, String family) {
    Map<String, Double> out = new TreeMap<>();
    for (MetricSnapshot s : new MetricsCollector(() -> in).collect()) {
      if (s.getMetadata().getPrometheusName().equals(family)) {
        for (GaugeSnapshot.GaugeDataPointSnapshot p : ((GaugeSnapshot) s).getDataPoints()) {
          out.put(p.getLabels().toString(), p.getValue());
        }
      }
    }
    return out;
  }

  @Test
  void eachPolicySaysItsUplinksInUseAndWhetherItsLastResortDecides() {
    MetricsInput in = new MetricsInput(List.of(Inputs.uplink("wan1", "up", true, 0, 0),
        Inputs.uplink("wan2", "down", false, 0, 0)), 1, 0.004, 1.7e9, 3, 0, false,
        List.of(new PolicyMetrics("voip", List.of("wan1"), true)));
    assertEquals(Map.of("{policy=\"voip\"}", 1.0), series(in, "load_balancer_policy_fallback"));
    assertEquals(Map.of("{interface=\"wan1\",policy=\"voip\"}", 1.0, "{interface=\"wan2\",policy=\"voip\"}", 0.0),
        series(in, "load_balancer_policy_uplink_in_use"));
  }

  @Test
  void newConnectionsPerPolicyNeverGoBackWhenTheRulesetIsReplaced() throws Exception {
    netbalancer.config.Config c = netbalancer.config.Config.of(Map.of("METRICS_ENABLED", "false"));
    try (Metrics m = new Metrics(c)) {
      List<netbalancer.metrics.UplinkMetrics> ups = List.of(Inputs.uplink("wan1", "up", true, 0, 0));
      m.update(new MetricsInput(ups, 0, 0, 0, 0, 0, false, List.of(new PolicyMetrics("voip", List.of("wan1"), false, 40))));
      m.update(new MetricsInput(ups, 0, 0, 0, 0, 0, false, List.of(new PolicyMetrics("voip", List.of("wan1"), false, 5))));
      assertTrue(m.scrapeText().contains("load_balancer_policy_new_connections_total{policy=\"voip\"} 45.0"), m.scrapeText());
    }
  }

  @Test
  void aPolicysIpv6SideHasFamilySeries() {
    MetricsInput in = new MetricsInput(List.of(Inputs.uplink("wan1", "up", true, 0, 0),
        Inputs.uplink("wan3", "up", true, 0, 0)), 0, 0, 0, 0, 0, false,
        List.of(new PolicyMetrics("guests", List.of("wan3"), false, 0, List.of(), true)));
    Map<String, Double> inUse = series(in, "load_balancer_policy_family_uplink_in_use");
    assertEquals(1.0, inUse.get("{family=\"ipv4\",interface=\"wan3\",policy=\"guests\"}"), inUse.toString());
    assertEquals(0.0, inUse.get("{family=\"ipv6\",interface=\"wan3\",policy=\"guests\"}"), inUse.toString());
    assertEquals(Map.of("{family=\"ipv4\",policy=\"guests\"}", 0.0, "{family=\"ipv6\",policy=\"guests\"}", 1.0),
        series(in, "load_balancer_policy_family_fallback"));
  }

  @Test
  void withoutPoliciesNoPolicySeries() {
    MetricsInput in = Inputs.input(0, Inputs.uplink("wan1", "up", true, 0, 0));
    assertFalse(new MetricsCollector(() -> in).collect().stream()
        .anyMatch(s -> s.getMetadata().getPrometheusName().startsWith("load_balancer_policy")));
  }
}
