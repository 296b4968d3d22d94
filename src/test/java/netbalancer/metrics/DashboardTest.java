package netbalancer.metrics;

import static netbalancer.metrics.Inputs.input;
import static netbalancer.metrics.Inputs.uplink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netbalancer.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Grafana dashboard and the README's alerting rules ask only for series the daemon exports. */
class DashboardTest {
  private static final Pattern METRIC = Pattern.compile("\\bload_balancer_[a-z_]+");

  @TempDir
  Path tmp;

  private static Set<String> namesIn(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Test
  void everySeriesTheDashboardAndTheAlertsUseIsExported() throws Exception {
    String exported;
    try (Metrics m = new Metrics(Config.of(Map.of("METRICS_FILE", tmp.resolve("m.prom").toString())))) {
      MetricsInput in = input(1, uplink("wan0", "up", true, 1000, 2000));
      m.update(new MetricsInput(in.uplinks(), 1, 0.0042, 1_700_000_000.5, 12, 1, false,
          java.util.List.of(new PolicyMetrics("voip", java.util.List.of("wan0"), false, 40, java.util.List.of(), true))));
      exported = m.scrapeText();
    }
    Set<String> known = new TreeSet<>();
    for (String line : exported.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        known.add(line.split("[{ ]", 2)[0]);
      }
    }
    Set<String> used = namesIn(Files.readString(Path.of("dashboards", "net-balancer.json"), StandardCharsets.UTF_8));
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int rules = readme.indexOf("```yaml\ngroups:");
    used.addAll(namesIn(readme.substring(rules, readme.indexOf("```\n", rules + 3))));
    assertTrue(used.contains("load_balancer_uplink_tier"), "the dashboard shows the tier in use: " + used);
    assertTrue(used.containsAll(Set.of("load_balancer_policy_new_connections_total", "load_balancer_policy_uplink_in_use",
        "load_balancer_policy_fallback")), "the dashboard shows the policies: " + used);
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(known);
    assertEquals(Set.of(), missing, "used but not exported (exported: " + known + ")");
  }

  /** Panels have distinct ids and never cover one another (a row moved down moves what is under it). */
  @Test
  void panelsDoNotOverlap() throws Exception {
    com.fasterxml.jackson.databind.JsonNode panels = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Path.of("dashboards", "net-balancer.json").toFile()).path("panels");
    Set<Integer> ids = new TreeSet<>();
    java.util.List<int[]> boxes = new java.util.ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode p : panels) {
      assertTrue(ids.add(p.path("id").asInt()), "id " + p.path("id") + " twice");
      com.fasterxml.jackson.databind.JsonNode g = p.path("gridPos");
      int[] box = {g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()};
      assertTrue(box[0] + box[2] <= 24, p.path("title") + " wider than the grid");
      for (int[] o : boxes) {
        boolean apart = box[0] + box[2] <= o[0] || o[0] + o[2] <= box[0] || box[1] + box[3] <= o[1] || o[1] + o[3] <= box[1];
        assertTrue(apart, p.path("title") + " covers another panel");
      }
      boxes.add(box);
    }
  }
}
