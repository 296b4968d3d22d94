package netbalancer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's alerting rules, as a user would copy them: valid for promtool, and the backup-tier
 * alert fires with the tier in use only while new connections go to a tier above 1.
 */
class AlertRulesTest {
  @TempDir
  Path dir;

  /** The README's YAML block that starts with {@code groups:}. */
  private static String readmeRules() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("```yaml\ngroups:\n");
    if (start < 0) {
      throw new AssertionError("README.md has no ```yaml block starting with groups:");
    }
    start += "```yaml\n".length();
    return readme.substring(start, readme.indexOf("```", start));
  }

  private static String promtool(Path workDir, String... args) throws Exception {
    String[] argv = new String[args.length + 1];
    argv[0] = "promtool";
    System.arraycopy(args, 0, argv, 1, args.length);
    Process p = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool did not finish");
    }
    assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + out);
    return out;
  }

  @Test
  void theReadmesRulesAreValidAndTheBackupAlertFiresOnlyOnTheBackup() throws Exception {
    Files.writeString(dir.resolve("rules.yml"), readmeRules());
    promtool(dir, "check", "rules", "rules.yml");
    // wan1 (tier 1) balanced for 5 minutes, then out and lte0 (tier 2) in
    Files.writeString(dir.resolve("test.yml"), """
        rule_files: [rules.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'load_balancer_uplink_balanced{instance="r1",interface="wan1"}'
                values: '1 1 1 1 1 0 0 0'
              - series: 'load_balancer_uplink_tier{instance="r1",interface="wan1"}'
                values: '1x7'
              - series: 'load_balancer_uplink_balanced{instance="r1",interface="lte0"}'
                values: '0 0 0 0 0 1 1 1'
              - series: 'load_balancer_uplink_tier{instance="r1",interface="lte0"}'
                values: '2x7'
            alert_rule_test:
              - eval_time: 3m
                alertname: NetBalancerOnBackupTier
                exp_alerts: []
              - eval_time: 6m
                alertname: NetBalancerOnBackupTier
                exp_alerts:
                  - exp_labels: {severity: warning, instance: r1}
                    exp_annotations:
                      summary: "r1 sends new connections over failover tier 2"
        """);
    promtool(dir, "test", "rules", "test.yml");
  }

  /**
   * NetBalancerFailOpen on the values of two real scrapes (ObservabilityIT captured them in the
   * lab: both uplinks balanced, then both upstreams dead and the daemon failing open). The active
   * interfaces count 2 in both, which is why the alert needs load_balancer_fail_open.
   */
  @Test
  void theFailOpenAlertFiresOnARealFailOpenAndNotBefore() throws Exception {
    String capture = Files.readString(Path.of("src/test/resources/metrics/fail-open-lab.prom"),
        StandardCharsets.UTF_8);
    int split = capture.indexOf("# fail-open\n");
    Map<String, Double> healthy = Samples.parse(capture.substring(0, split));
    Map<String, Double> open = Samples.parse(capture.substring(split));
    assertEquals(healthy.get("load_balancer_active_interfaces"), open.get("load_balancer_active_interfaces"),
        "the active count cannot tell fail-open from normal operation");
    StringBuilder series = new StringBuilder();
    for (String name : List.of("load_balancer_fail_open", "load_balancer_active_interfaces")) {
      // 3 minutes healthy, 4 failing open, 3 healthy again
      series.append("      - series: '").append(name).append("{instance=\"r1\"}'\n")
          .append("        values: '").append(repeat(healthy.get(name), 3)).append(' ')
          .append(repeat(open.get(name), 4)).append(' ').append(repeat(healthy.get(name), 3)).append("'\n");
    }
    Files.writeString(dir.resolve("rules.yml"), readmeRules());
    Files.writeString(dir.resolve("test.yml"), """
        rule_files: [rules.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
        %s
            alert_rule_test:
              - eval_time: 2m
                alertname: NetBalancerFailOpen
                exp_alerts: []
              - eval_time: 3m
                alertname: NetBalancerFailOpen
                exp_alerts: []
              - eval_time: 5m
                alertname: NetBalancerFailOpen
                exp_alerts:
                  - exp_labels: {severity: critical, instance: r1}
                    exp_annotations:
                      summary: "No uplink is healthy on r1: failing open over every uplink with carrier"
              - eval_time: 8m
                alertname: NetBalancerFailOpen
                exp_alerts: []
        """.formatted(series.toString().stripTrailing()));
    promtool(dir, "test", "rules", "test.yml");
  }

  /** wan1's IPv6 side down for 7 minutes while its IPv4 side stays up: the IPv6 alert, and only it. */
  @Test
  void theIpv6AlertFiresForTheIpv6SideOnly() throws Exception {
    Files.writeString(dir.resolve("rules.yml"), readmeRules());
    Files.writeString(dir.resolve("test.yml"), """
        rule_files: [rules.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'load_balancer_uplink_state{instance="r1",interface="wan1",state="down"}'
                values: '0x9'
              - series: 'load_balancer_uplink_family_state{instance="r1",interface="wan1",family="ipv4",state="down"}'
                values: '0x9'
              - series: 'load_balancer_uplink_family_state{instance="r1",interface="wan1",family="ipv6",state="down"}'
                values: '0 0 1 1 1 1 1 1 1 1'
            alert_rule_test:
              - eval_time: 5m
                alertname: NetBalancerIpv6SideDown
                exp_alerts: []
              - eval_time: 8m
                alertname: NetBalancerIpv6SideDown
                exp_alerts:
                  - exp_labels: {severity: warning, instance: r1, interface: wan1, family: ipv6, state: down}
                    exp_annotations:
                      summary: "IPv6 of uplink wan1 on r1 has been down for 5 minutes"
              - eval_time: 8m
                alertname: NetBalancerUplinkDown
                exp_alerts: []
        """);
    promtool(dir, "test", "rules", "test.yml");
  }

  private static String repeat(Double value, int times) {
    if (value == null) {
      throw new AssertionError("series missing from the capture");
    }
    return String.join(" ", java.util.Collections.nCopies(times, Long.toString(Math.round(value))));
  }
}
