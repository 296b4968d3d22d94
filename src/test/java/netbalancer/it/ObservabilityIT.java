package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.CommandRunner;
import netbalancer.system.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Status, metrics and hooks of the running daemon, during a real failover in the lab. */
@ExtendWith(HostGuard.class)
class ObservabilityIT {
  private static final String PORT = "9464";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private Map<String, String> env(Path hooks, String hookTimeout) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBOUNCE_TIME", "1");
    env.put("HEALTH_CHECK_INTERVAL", "2");
    env.put("METRICS_ENABLED", "true");
    env.put("METRICS_PORT", PORT);
    env.put("METRICS_FILE", tmp.resolve("metrics.prom").toString());
    env.put("HOOKS_DIR", hooks.toString());
    env.put("HOOK_TIMEOUT", hookTimeout);
    return env;
  }

  private static String scrape(Lab lab) {
    Result r = lab.exec(lab.routerNs(), "curl", "-sf", "http://127.0.0.1:" + PORT + "/metrics");
    assertEquals(0, r.exitCode(), "scrape: " + r.stderr());
    return r.stdout();
  }

  private static void promtool(String text) {
    Result r = new ProcessRunner().run(List.of("promtool", "check", "metrics"), text);
    assertEquals(0, r.exitCode(), "promtool: " + r.stdout() + r.stderr());
  }

  private static Map<String, String> states(Lab lab) throws Exception {
    Result r = Nb.run(lab, "status", "--json");
    assertEquals(0, r.exitCode(), r.stderr());
    Map<String, String> out = new HashMap<>();
    for (JsonNode u : JSON.readTree(r.stdout()).path("uplinks")) {
      out.put(u.path("name").asText(), u.path("state").asText());
    }
    return out;
  }

  @Test
  void failoverShowsInStatusAndMetricsThatPassPromtool() throws Exception {
    Path hooks = Files.createDirectory(tmp.resolve("hooks.d"));
    try (Lab lab = Lab.create(4); LabProcess servers = lab.startServers();
        LabProcess daemon = Nb.daemon(lab, env(hooks, "10"))) {
      Await.until(Duration.ofSeconds(10), "metrics served", () -> lab.exec(lab.routerNs(), "curl", "-sf",
          "http://127.0.0.1:" + PORT + "/metrics").ok());
      assertEquals(Map.of("wan1", "up", "wan2", "up", "wan3", "up", "wan4", "up"), states(lab));
      Result table = Nb.run(lab, "status");
      assertTrue(table.stdout().lines().allMatch(l -> l.length() <= 100), "fits 100 columns:\n" + table.stdout());
      assertTrue(table.stdout().contains("wan4*"), table.stdout());

      lab.carrierDown(2);
      Await.until(Duration.ofSeconds(2), "LB_TABLE without wan2",
          () -> Nb.balanced(lab).equals(Set.of("wan1", "wan3", "wan4")));
      assertEquals(Map.of("wan1", "up", "wan2", "down", "wan3", "up", "wan4", "up"), states(lab));
      Result after = Nb.run(lab, "status");
      assertTrue(after.stdout().contains("carrier lost"), after.stdout());

      String text = scrape(lab);
      assertTrue(text.contains("load_balancer_uplink_state{interface=\"wan2\",state=\"down\"} 1.0"), text);
      assertTrue(text.contains("load_balancer_uplink_balanced{interface=\"wan2\"} 0.0"), text);
      assertTrue(text.contains("load_balancer_failovers_total 1.0"), text);
      assertTrue(text.contains("load_balancer_active_interfaces 3.0"), text);
      assertTrue(text.contains("load_balancer_log_messages_total"), text);
      promtool(text);
      Path file = tmp.resolve("metrics.prom");
      Await.until(Duration.ofSeconds(3), "file shows the failover",
          () -> Await.textOf(file).contains("load_balancer_failovers_total 1.0"));
      promtool(Await.textOf(file));
    }
  }

  @Test
  void aHookThatNeverEndsDelaysNoFailoverAndIsKilledAtItsTimeout() throws Exception {
    Path hooks = Files.createDirectory(tmp.resolve("hooks.d"));
    Path record = tmp.resolve("hook-record.txt");
    Files.writeString(hooks.resolve("10-stuck"), "#!/bin/sh\nexec sleep 1000\n");
    Files.writeString(hooks.resolve("20-record"), "#!/bin/sh\necho \"$NB_INTERFACE $NB_PREVIOUS_STATE->$NB_STATE"
        + " $NB_REASON\" >> " + record + "\n");
    for (String h : new String[] {"10-stuck", "20-record"}) {
      Files.setPosixFilePermissions(hooks.resolve(h), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemon(lab, env(hooks, "3"))) {
      // The stuck hook now blocks the hook queue for 3 s per event: a failover that waited for
      // hooks would take seconds.
      lab.carrierDown(2);
      long ms = Await.until(Duration.ofMillis(1500), "LB_TABLE without wan2 while a hook hangs",
          () -> Nb.balanced(lab).equals(Set.of("wan1")));
      System.out.printf("failover with a stuck hook: %d ms%n", ms);
      Await.until(Duration.ofSeconds(15), "the next hook saw wan2 go down",
          () -> Await.textOf(record).contains("wan2 up->down carrier lost"));
      String recorded = Await.textOf(record);
      assertTrue(recorded.startsWith("wan1 ->up") || recorded.startsWith("wan2 ->up"), recorded);
      Await.until(Duration.ofSeconds(4), "stuck hook killed",
          () -> !new ProcessRunner().run("pgrep", "-f", "sleep 1000").ok());
    }
  }

  /**
   * A real fail-open: every uplink's upstream dies, LB_TABLE keeps them all (so the active
   * interfaces still count 2) and load_balancer_fail_open says 1. The two scrapes are what
   * AlertRulesTest's NetBalancerFailOpen case is built from (src/test/resources/metrics/).
   */
  @Test
  void failOpenIsExportedExplicitly() throws Exception {
    Path hooks = Files.createDirectory(tmp.resolve("hooks.d"));
    Map<String, String> env = env(hooks, "10");
    env.put("HEALTH_CHECK_INTERVAL", "1");
    try (Lab lab = Lab.create(2); LabProcess servers = lab.startServers(); LabProcess daemon = Nb.daemon(lab, env)) {
      Await.until(Duration.ofSeconds(10), "metrics served", () -> lab.exec(lab.routerNs(), "curl", "-sf",
          "http://127.0.0.1:" + PORT + "/metrics").ok());
      String healthy = scrape(lab);
      assertTrue(healthy.contains("load_balancer_fail_open 0.0"), healthy);
      lab.blackhole(1, true);
      lab.blackhole(2, true);
      Await.until(Duration.ofSeconds(15), "failing open", () -> scrape(lab).contains("load_balancer_fail_open 1.0"));
      String open = scrape(lab);
      promtool(open);
      assertEquals(Set.of("wan1", "wan2"), Nb.balanced(lab), "fail-open keeps every uplink with carrier");
      assertTrue(open.contains("load_balancer_active_interfaces 2.0"), "so the active count cannot tell: " + open);
      Path capture = Path.of("target", "fail-open-lab.prom");
      Files.writeString(capture, "# healthy\n" + healthy + "# fail-open\n" + open);
      System.out.printf("fail-open scrapes written to %s%n", capture);
      // The checked-in capture that AlertRulesTest uses says the same about fail-open.
      String fixture = Files.readString(Path.of("src/test/resources/metrics/fail-open-lab.prom"));
      String fixtureOpen = fixture.substring(fixture.indexOf("# fail-open"));
      for (String series : new String[] {"load_balancer_fail_open 1.0", "load_balancer_active_interfaces 2.0"}) {
        assertTrue(fixtureOpen.contains(series), "the fixture's fail-open scrape has " + series);
      }
    }
  }

  /** SIGHUP turns metrics on and off and moves hooks without a restart. */
  @Test
  void sighupReloadsMetricsAndHookSettings() throws Exception {
    Path conf = tmp.resolve("net-balancer.conf");
    Path file = tmp.resolve("reloaded.prom");
    Path hooks = Files.createDirectory(tmp.resolve("reloaded.d"));
    Path log = tmp.resolve("hook.log");
    Path hook = hooks.resolve("10-log");
    Files.writeString(hook, "#!/bin/sh\necho \"$NB_INTERFACE $NB_STATE\" >> " + log + "\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
    String base = "DEBOUNCE_TIME=1\nHEALTH_CHECK_ENABLED=false\n";
    Files.writeString(conf, base + "METRICS_ENABLED=false\n");
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemon(lab, Map.of(), "--config", conf.toString())) {
      assertTrue(lab.exec(lab.routerNs(), "curl", "-s", "--max-time", "2", "http://127.0.0.1:" + PORT + "/metrics")
          .exitCode() != 0, "no endpoint while METRICS_ENABLED=false");

      Files.writeString(conf, base + "METRICS_ENABLED=true\nMETRICS_PORT=" + PORT + "\nMETRICS_FILE=" + file
          + "\nHOOKS_DIR=" + hooks + "\n");
      hup(daemon);
      Await.until(Duration.ofSeconds(10), "metrics served after the reload", () -> lab.exec(lab.routerNs(), "curl",
          "-sf", "http://127.0.0.1:" + PORT + "/metrics").ok());
      Await.until(Duration.ofSeconds(10), "METRICS_FILE written after the reload",
          () -> Await.textOf(file).contains("load_balancer_active_interfaces"));
      lab.exec(lab.ispNs(2), "ip", "link", "set", "cpe0", "down");
      Await.until(Duration.ofSeconds(10), "the reloaded HOOKS_DIR's hook ran",
          () -> Await.textOf(log).contains("wan2 down"));

      Files.writeString(conf, base + "METRICS_ENABLED=false\nMETRICS_FILE=" + file + "\n");
      hup(daemon);
      Await.until(Duration.ofSeconds(10), "endpoint closed after the reload", () -> lab.exec(lab.routerNs(), "curl",
          "-s", "--max-time", "2", "http://127.0.0.1:" + PORT + "/metrics").exitCode() != 0);
      assertTrue(!Files.exists(file), "a disabled exporter leaves no stale file");
    }
  }

  private static void hup(LabProcess daemon) {
    assertEquals(0, new ProcessRunner().run("kill", "-HUP", Long.toString(daemon.pid())).exitCode());
    Nb.waitForLog(daemon, "configuration reloaded", Duration.ofSeconds(10));
  }

  @Test
  void metricsEndpointIsLoopbackOnlyByDefault() throws Exception {
    Path hooks = Files.createDirectory(tmp.resolve("none.d"));
    try (Lab lab = Lab.create(1); LabProcess daemon = Nb.daemon(lab, env(hooks, "10"))) {
      Await.until(Duration.ofSeconds(10), "metrics served in the router", () -> lab.exec(lab.routerNs(), "curl",
          "-sf", "http://127.0.0.1:" + PORT + "/metrics").ok());
      // curl exits 7 when the connection is refused; 0 would mean the endpoint answered.
      Result fromLan = lab.exec(lab.clientNs(), "curl", "-s", "--max-time", "2",
          "http://" + Lab.ROUTER_LAN_ADDRESS + ":" + PORT + "/metrics");
      assertEquals(7, fromLan.exitCode(), "the LAN host cannot reach the metrics endpoint");
      Result fromInternet = lab.exec(lab.inetNs(), "curl", "-s", "--max-time", "2", "--interface",
          Lab.SERVER_ADDRESS, "http://" + lab.uplinkAddress(1) + ":" + PORT + "/metrics");
      assertEquals(7, fromInternet.exitCode(), "nor can the internet side");
    }
  }
}
