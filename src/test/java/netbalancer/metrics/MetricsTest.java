package netbalancer.metrics;

import static netbalancer.metrics.Inputs.input;
import static netbalancer.metrics.Inputs.uplink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import netbalancer.config.Config;
import netbalancer.log.Log;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
  @TempDir
  Path tmp;

  private Metrics metrics() {
    return new Metrics(Config.of(Map.of("METRICS_FILE", tmp.resolve("m.prom").toString())));
  }

  @Test
  void exportsTheSeedNamesAndEveryPerUplinkSeries() {
    try (Metrics m = metrics()) {
      m.update(input(1, uplink("wan0", "up", true, 1000, 2000), uplink("wan1", "hold-down", false, 10, 20)));
      String text = m.scrapeText();
      Map<String, Double> s = Samples.parse(text);

      assertTrue(text.contains("# TYPE load_balancer_log_messages_total counter\n"), text);
      assertTrue(s.containsKey("load_balancer_log_messages_total"));
      assertEquals(1.0, s.get("load_balancer_active_interfaces"));

      assertEquals(1.0, s.get("load_balancer_uplink_state{interface=\"wan0\",state=\"up\"}"));
      assertEquals(0.0, s.get("load_balancer_uplink_state{interface=\"wan0\",state=\"down\"}"));
      assertEquals(1.0, s.get("load_balancer_uplink_state{interface=\"wan1\",state=\"hold-down\"}"));
      assertEquals(10, Samples.seriesOf(s, "load_balancer_uplink_state").size(), "five states per uplink");
      assertEquals(2.0, s.get("load_balancer_uplink_weight{interface=\"wan0\"}"));
      assertEquals(1.0, s.get("load_balancer_uplink_balanced{interface=\"wan0\"}"));
      assertEquals(0.0, s.get("load_balancer_uplink_balanced{interface=\"wan1\"}"));
      assertEquals(0.0125, s.get("load_balancer_probe_rtt_seconds{interface=\"wan0\"}"));
      assertEquals(0.05, s.get("load_balancer_probe_loss_ratio{interface=\"wan0\"}"));
      assertEquals(100.0, s.get("load_balancer_probes_total{interface=\"wan0\",result=\"success\"}"));
      assertEquals(3.0, s.get("load_balancer_probes_total{interface=\"wan0\",result=\"failure\"}"));
      assertEquals(2.0, s.get("load_balancer_probes_total{interface=\"wan0\",result=\"timeout\"}"));
      assertEquals(4.0, s.get("load_balancer_uplink_transitions_total{interface=\"wan1\"}"));
      assertEquals(17.0, s.get("load_balancer_uplink_connections{interface=\"wan0\"}"));
      assertEquals(1000.0, s.get("load_balancer_uplink_transmit_bytes_total{interface=\"wan0\"}"));
      assertEquals(20.0, s.get("load_balancer_uplink_receive_bytes_total{interface=\"wan1\"}"));
      assertEquals(1.0, s.get("load_balancer_failovers_total"));
      assertEquals(0.0042, s.get("load_balancer_reconcile_duration_seconds"));
      assertEquals(1_700_000_000.5, s.get("load_balancer_last_reconcile_success_timestamp_seconds"));
      assertEquals(12.0, s.get("load_balancer_reconciles_total"));
      assertEquals(1.0, s.get("load_balancer_reconcile_failures_total"));
      PromTool.check(text);
    }
  }

  @Test
  void aDualStackUplinkHasFamilySeriesBesideTheSeedsOnes() {
    try (Metrics m = metrics()) {
      UplinkMetrics v4only = uplink("wan0", "up", true, 1000, 2000);
      UplinkMetrics dual = new UplinkMetrics("wan1", "up", 1, 1, true, 0.01, 0.0, 5, 0, 0, 0, 3, 10, 20,
          new UplinkMetrics.Side("hold-down", false, Double.NaN, 1.0));
      m.update(input(0, v4only, dual));
      String text = m.scrapeText();
      Map<String, Double> s = Samples.parse(text);
      assertEquals(1.0, s.get("load_balancer_uplink_state{interface=\"wan1\",state=\"up\"}"), "the seed's: unchanged");
      assertEquals(1.0, s.get("load_balancer_uplink_balanced{interface=\"wan1\"}"));
      assertEquals(1.0, s.get("load_balancer_uplink_family_state{family=\"ipv4\",interface=\"wan1\",state=\"up\"}"));
      assertEquals(1.0, s.get(
          "load_balancer_uplink_family_state{family=\"ipv6\",interface=\"wan1\",state=\"hold-down\"}"));
      assertEquals(0.0, s.get("load_balancer_uplink_family_balanced{family=\"ipv6\",interface=\"wan1\"}"));
      assertEquals(1.0, s.get("load_balancer_uplink_family_balanced{family=\"ipv4\",interface=\"wan0\"}"));
      assertNull(s.get("load_balancer_uplink_family_balanced{family=\"ipv6\",interface=\"wan0\"}"), "no IPv6 side");
      assertEquals(1.0, s.get("load_balancer_family_probe_loss_ratio{family=\"ipv6\",interface=\"wan1\"}"));
      assertNull(s.get("load_balancer_family_probe_rtt_seconds{family=\"ipv6\",interface=\"wan1\"}"), "unknown");
      PromTool.check(text);
    }
  }

  /** An IPv6-only uplink has IPv6 family series only: an "ipv4" one would show an IPv4 side it lacks. */
  @Test
  void anIpv6OnlyUplinkHasNoIpv4FamilySeries() {
    try (Metrics m = metrics()) {
      UplinkMetrics only6 = new UplinkMetrics("wan2", "up", 1, 1, false, Double.NaN, Double.NaN, 0, 0, 0, 0, 3, 10, 20,
          new UplinkMetrics.Side("down", false, 0.02, 1.0), false);
      m.update(input(0, only6));
      String text = m.scrapeText();
      Map<String, Double> s = Samples.parse(text);
      assertEquals(1.0, s.get("load_balancer_uplink_family_state{family=\"ipv6\",interface=\"wan2\",state=\"down\"}"));
      assertEquals(0.0, s.get("load_balancer_uplink_family_balanced{family=\"ipv6\",interface=\"wan2\"}"));
      assertTrue(s.keySet().stream().noneMatch(k -> k.contains("family=\"ipv4\"")), text);
      PromTool.check(text);
    }
  }

  @Test
  void logMessagesAreCountedAtScrapeTime() {
    try (Metrics m = metrics()) {
      double before = Samples.parse(m.scrapeText()).get("load_balancer_log_messages_total");
      Log.error("metrics test: one message");
      double after = Samples.parse(m.scrapeText()).get("load_balancer_log_messages_total");
      assertEquals(before + 1, after);
    }
  }

  @Test
  void beforeTheFirstUpdateOnlyTheLogCounterIsShown() {
    try (Metrics m = metrics()) {
      Map<String, Double> s = Samples.parse(m.scrapeText());
      assertEquals(List.of("load_balancer_log_messages_total"), List.copyOf(s.keySet()));
    }
  }

  @Test
  void byteCountersStayMonotonicAcrossACounterReset() {
    try (Metrics m = metrics()) {
      long[][] raw = {{1000, 5000}, {1500, 5600}, {200, 100}, {300, 100}, {0, 0}, {50, 70}};
      double[][] want = {{1000, 5000}, {1500, 5600}, {1700, 5700}, {1800, 5700}, {1800, 5700}, {1850, 5770}};
      for (int i = 0; i < raw.length; i++) {
        m.update(input(0, uplink("wan0", "up", true, raw[i][0], raw[i][1])));
        Map<String, Double> s = Samples.parse(m.scrapeText());
        assertEquals(want[i][0], s.get("load_balancer_uplink_transmit_bytes_total{interface=\"wan0\"}"), "step " + i);
        assertEquals(want[i][1], s.get("load_balancer_uplink_receive_bytes_total{interface=\"wan0\"}"), "step " + i);
      }
    }
  }

  @Test
  void globalCountersNeverGoBackEither() {
    try (Metrics m = metrics()) {
      m.update(input(5, uplink("wan0", "up", true, 0, 0)));
      m.update(input(2, uplink("wan0", "up", true, 0, 0))); // e.g. the source was rebuilt
      assertEquals(7.0, Samples.parse(m.scrapeText()).get("load_balancer_failovers_total"));
    }
  }

  @Test
  void vanishedUplinksDisappearAndStartAfreshWhenTheyReturn() {
    try (Metrics m = metrics()) {
      m.update(input(0, uplink("wan0", "up", true, 100, 100), uplink("ppp0", "up", true, 900, 900)));
      assertTrue(m.scrapeText().contains("interface=\"ppp0\""));
      m.update(input(0, uplink("wan0", "up", true, 100, 100)));
      String text = m.scrapeText();
      assertFalse(text.contains("ppp0"), text);
      assertEquals(1.0, Samples.parse(text).get("load_balancer_active_interfaces"));
      PromTool.check(text);
      m.update(input(0, uplink("wan0", "up", true, 100, 100), uplink("ppp0", "up", true, 40, 40)));
      assertEquals(40.0, Samples.parse(m.scrapeText())
          .get("load_balancer_uplink_transmit_bytes_total{interface=\"ppp0\"}"));
    }
  }

  @Test
  void noUplinksAtAllIsStillValid() {
    try (Metrics m = metrics()) {
      m.update(input(3));
      String text = m.scrapeText();
      assertEquals(0.0, Samples.parse(text).get("load_balancer_active_interfaces"));
      assertEquals(0.0, Samples.parse(text).get("load_balancer_fail_open"), "no plan is no fail-open");
      PromTool.check(text);
    }
  }

  @Test
  void unknownValuesLeaveTheirSeriesOut() {
    try (Metrics m = metrics()) {
      m.update(new MetricsInput(List.of(
          new UplinkMetrics("wan0", "down", 1, 2, false, Double.NaN, Double.NaN, 0, 0, 0, 0, 0, 0, 0)),
          0, 0.001, Double.NaN, 1, 0));
      String text = m.scrapeText();
      Map<String, Double> s = Samples.parse(text);
      assertNull(s.get("load_balancer_probe_rtt_seconds{interface=\"wan0\"}"));
      assertNull(s.get("load_balancer_probe_loss_ratio{interface=\"wan0\"}"));
      assertEquals(2.0, s.get("load_balancer_uplink_tier{interface=\"wan0\"}"));
      assertEquals(0.0, s.get("load_balancer_last_reconcile_success_timestamp_seconds"), "never → 0");
      PromTool.check(text);
    }
  }

  @Test
  void oddNamesAndStatesAndDuplicatesStayValid() {
    try (Metrics m = metrics()) {
      m.update(input(0, uplink("we\"ird\\0", "up", true, 1, 1), uplink("wan0", "testing", false, 1, 1),
          uplink("wan0", "up", true, 2, 2)));
      String text = m.scrapeText();
      Map<String, Double> s = Samples.parse(text);
      assertEquals(1.0, s.get("load_balancer_uplink_state{interface=\"wan0\",state=\"testing\"}"));
      assertEquals(6, s.keySet().stream()
          .filter(k -> k.startsWith("load_balancer_uplink_state{interface=\"wan0\",")).count(), "five known + one");
      assertTrue(text.contains("interface=\"we\\\"ird\\\\0\""), text);
      PromTool.check(text);
    }
  }

  @Test
  void disabledMeansNoFileAndNoServer() throws Exception {
    Path file = tmp.resolve("m.prom");
    try (Metrics m = metrics()) {
      m.start();
      m.update(input(0, uplink("wan0", "up", true, 1, 1)));
      assertEquals(-1, m.port());
      assertFalse(Files.exists(file));
      assertTrue(m.scrapeText().contains("wan0"), "still scrapable in-process");
    }
  }
}
