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
      m.update(input(1, uplink("wan0", "up", true, 1000, 2000)));
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
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(known);
    assertEquals(Set.of(), missing, "used but not exported (exported: " + known + ")");
  }
}
