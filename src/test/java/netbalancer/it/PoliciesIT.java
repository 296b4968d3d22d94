package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import netbalancer.system.CommandRunner.Result;
import netbalancer.system.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon with a policies file on the real kernel: tiers and failover per policy, a source's
 * own uplink with {@code else unreachable} (fails fast, never leaks), the {@code main} bypass,
 * SIGHUP (a changed file takes effect, a bad one is refused by line and changes nothing), apply
 * twice, and cleanup back to the kernel of before.
 */
@ExtendWith(HostGuard.class)
class PoliciesIT {
  static final int VOIP = 8081;
  static final int GUESTS = 8082;
  static final int OFFICE = 8083;
  /** From the first policy table on (LB_TABLE_BASE + 64): voip's, then guests'. */
  static final String VOIP_TABLE = "164";
  private static final Duration REACT = Duration.ofSeconds(3);

  static final String FILE = "voip   proto tcp dport " + VOIP + "               -> wan2 > wan3\n"
      + "office dst " + Lab.SERVER_ADDRESS + " proto tcp dport " + OFFICE + " -> main\n"
      + "guests src " + Lab.CLIENT_ADDRESS + " proto tcp dport " + GUESTS + " -> wan3 else unreachable\n";

  @TempDir
  Path tmp;

  private Map<String, String> env(Path policies) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBOUNCE_TIME", "1");
    env.put("HEALTH_CHECK_ENABLED", "false");
    env.put("RESYNC_INTERVAL", "5");
    env.put("POLICIES_FILE", policies.toString());
    return env;
  }

  private static void signal(LabProcess p, String sig) {
    assertEquals(0, new ProcessRunner().run("kill", "-" + sig, Long.toString(p.pid())).exitCode());
  }

  private static String table(Lab lab, String table) {
    return lab.exec(lab.routerNs(), "ip", "route", "show", "table", table).stdout();
  }

  private static LoadReport load(Lab lab, int port, int n, String... options) {
    return lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, port, n, options);
  }

  /** {@code explain --json} for a TCP flow from the lab's client to its server. */
  private JsonNode explain(Lab lab, Path file, int port) throws Exception {
    Result r = Nb.run(lab, env(file), "explain", "--src", Lab.CLIENT_ADDRESS, "--dst", Lab.SERVER_ADDRESS, "--proto",
        "tcp", "--dport", Integer.toString(port), "--json");
    assertEquals(0, r.exitCode(), r.stderr());
    return new ObjectMapper().readTree(r.stdout());
  }

  @Test
  void perPolicyTiersFailoverLastResortAndMainBypassThenCleanup() throws Exception {
    Path file = Files.writeString(tmp.resolve("policies.conf"), FILE);
    Path hooks = Files.createDirectory(tmp.resolve("hooks.d"));
    Path events = tmp.resolve("events.txt");
    Path hook = hooks.resolve("50-notify");
    Files.writeString(hook, "#!/bin/sh\necho \"$NB_INTERFACE $NB_STATE [$NB_POLICIES]\" >> '" + events + "'\n");
    Files.setPosixFilePermissions(hook, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = env(file);
    env.put("HOOKS_DIR", hooks.toString());
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers(Lab.SERVER_PORT, VOIP, GUESTS, OFFICE)) {
      String pristine = Nb.kernelDump(lab);
      try (LabProcess daemon = Nb.daemon(lab, env)) {
        LoadReport voip = load(lab, VOIP, 300);
        assertEquals(300, voip.from(lab.ispPublicAddress(2)), "the first tier takes every one: " + voip);
        LoadReport guests = load(lab, GUESTS, 50);
        assertEquals(50, guests.from(lab.ispPublicAddress(3)), guests.toString());
        LoadReport other = load(lab, Lab.SERVER_PORT, 300);
        assertEquals(0, other.failed(), other.toString());
        for (int i = 1; i <= 3; i++) {
          assertTrue(other.from(lab.ispPublicAddress(i)) > 50, "uplink " + i + " keeps its share: " + other);
        }
        System.out.println("PoliciesIT: all up: voip " + voip + ", guests " + guests + ", other " + other);
        // Each policy's new connections, by its nft counter (read on demand), and its share of all.
        JsonNode counted = new ObjectMapper().readTree(Nb.run(lab, env, "status", "--json").stdout());
        JsonNode voipRow = counted.path("policies").get(0);
        assertEquals(300, voipRow.path("newConnections").asLong(), counted.toString());
        assertEquals(50, counted.path("policies").get(2).path("newConnections").asLong(), counted.toString());
        double voipShare = voipRow.path("share").asDouble();
        assertTrue(voipShare > 40 && voipShare < 50, "300 of 650 and the router's own: " + counted);
        String table = Nb.run(lab, env, "status").stdout();
        assertTrue(table.contains("policy voip"), table);
        System.out.println("PoliciesIT: status\n" + table);
        // explain agrees with what the server saw, for each rule.
        assertEquals(lab.uplinkName(2), explain(lab, file, VOIP).path("kernel").path("dev").asText());
        assertEquals(lab.uplinkName(3), explain(lab, file, GUESTS).path("kernel").path("dev").asText());
        JsonNode office = explain(lab, file, OFFICE);
        assertEquals("office", office.path("policy").path("name").asText(), office.toString());
        assertEquals("0x4100", office.path("mark").asText(), office.toString());
        JsonNode none = explain(lab, file, Lab.SERVER_PORT);
        assertTrue(none.path("policy").isNull(), none.toString());
        assertTrue(Set.of("wan1", "wan2", "wan3").contains(none.path("kernel").path("dev").asText()), none.toString());

        // main: neither pinned (ct mark 0) nor translated (the reply goes to the client's own address).
        load(lab, OFFICE, 1, "--timeout-ms", "500");
        String ct = lab.execCheck(lab.routerNs(), "conntrack", "-L", "-p", "tcp", "--dport", Integer.toString(OFFICE))
            .stdout();
        assertTrue(ct.contains("dst=" + Lab.CLIENT_ADDRESS + " sport=" + OFFICE), "not translated: " + ct);
        assertTrue(ct.contains("mark=0 "), "not marked: " + ct);

        // wan2 fails: voip's second tier, at the reaction time of any failover.
        long t0 = System.nanoTime();
        lab.carrierDown(2);
        Await.until(REACT, "voip's table on wan3", () -> table(lab, VOIP_TABLE).contains("dev wan3"));
        long reactMs = (System.nanoTime() - t0) / 1_000_000;
        LoadReport failedOver = load(lab, VOIP, 100);
        assertEquals(100, failedOver.from(lab.ispPublicAddress(3)), failedOver.toString());
        // status lists each policy with its uplinks in use; the hook is told which policies moved.
        JsonNode status = new ObjectMapper().readTree(Nb.run(lab, env, "status", "--json").stdout());
        Map<String, String> inUse = new LinkedHashMap<>();
        status.path("policies").forEach(p -> inUse.put(p.path("name").asText(), p.path("uplinks").toString()));
        assertEquals(Map.of("voip", "[\"wan3\"]", "office", "[]", "guests", "[\"wan3\"]"), inUse, status.toString());
        Await.until(REACT, "the hook ran", () -> Await.textOf(events).contains("wan2 down [voip]"));
        JsonNode why = explain(lab, file, VOIP);
        assertEquals(lab.uplinkName(3), why.path("kernel").path("dev").asText(), why.toString());
        assertTrue(why.path("uplinks").path("wan2").asText().startsWith("down"), why.toString());
        assertTrue(why.path("uplinks").path("wan3").asText().startsWith("in use (tier 2"), why.toString());
        LoadReport otherDuring = load(lab, Lab.SERVER_PORT, 100);
        assertEquals(0, otherDuring.failed() + otherDuring.from(lab.ispPublicAddress(2)), otherDuring.toString());

        // wan3 fails too: voip's last resort is the balance (wan1); guests' is unreachable, and
        // their connections are reset at once, not left to time out, and never leak.
        lab.carrierDown(3);
        Await.until(REACT, "guests' table unreachable", () -> table(lab, "165").contains("unreachable default"));
        LoadReport voipLast = load(lab, VOIP, 50);
        assertEquals(50, voipLast.from(lab.ispPublicAddress(1)), voipLast.toString());
        long start = System.nanoTime();
        assertEquals(1, load(lab, VOIP, 1).succeeded());
        long baselineMs = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        LoadReport refused = load(lab, GUESTS, 20, "--timeout-ms", "10000");
        long refusedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(20, refused.failed(), "never leaks out of another uplink: " + refused);
        JsonNode unreachable = explain(lab, file, GUESTS);
        assertTrue(unreachable.path("route").asText().startsWith("unreachable"), unreachable.toString());
        // The input path's answer for an unreachable route: EHOSTUNREACH.
        assertTrue(unreachable.path("kernel").path("error").asText().contains("No route to host"), unreachable.toString());
        System.out.println("PoliciesIT: voip failover in " + reactMs + " ms; 20 refused guests connections took "
            + refusedMs + " ms, one working connection " + baselineMs + " ms");
        assertTrue(refusedMs < baselineMs + 3000, "fails fast: " + refusedMs + " ms against " + baselineMs);

        // Recovery: back to the first tier and the guests' own uplink.
        lab.carrierUp(2);
        lab.carrierUp(3);
        Await.until(Duration.ofSeconds(10), "voip back on wan2", () -> table(lab, VOIP_TABLE).contains("dev wan2"));
        Await.until(Duration.ofSeconds(10), "guests back on wan3", () -> table(lab, "165").contains("dev wan3"));
        LoadReport back = load(lab, VOIP, 100);
        assertEquals(100, back.from(lab.ispPublicAddress(2)), back.toString());
        LoadReport guestsBack = load(lab, GUESTS, 20);
        assertEquals(20, guestsBack.from(lab.ispPublicAddress(3)), guestsBack.toString());

        signal(daemon, "TERM");
        assertEquals(0, daemon.waitFor(Duration.ofSeconds(15)));
      }
      assertEquals(pristine, Nb.kernelDump(lab), "the daemon's stop left the kernel as before");
    }
  }

  @Test
  void applyTwiceChangesNothingSighupTakesAChangedFileAndRefusesABadOneByLine() throws Exception {
    Path file = Files.writeString(tmp.resolve("policies.conf"), "voip proto tcp dport " + VOIP + " -> wan1\n");
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers(Lab.SERVER_PORT, VOIP)) {
      String pristine = Nb.kernelDump(lab);
      Map<String, String> env = env(file);
      Result first = Nb.run(lab, env, "apply");
      assertEquals(0, first.exitCode(), first.stderr());
      String applied = Nb.kernelDump(lab);
      Result second = Nb.run(lab, env, "apply");
      assertTrue(second.stdout().contains("0 ip change(s), nft unchanged"), second.stdout());
      assertEquals(applied, Nb.kernelDump(lab));
      Result cleaned = Nb.run(lab, env, "cleanup");
      assertEquals(0, cleaned.exitCode(), cleaned.stderr());
      assertEquals(pristine, Nb.kernelDump(lab), "cleanup removed the policies' tables, rules and chain");

      try (LabProcess daemon = Nb.daemon(lab, env)) {
        assertEquals(50, load(lab, VOIP, 50).from(lab.ispPublicAddress(1)));
        Files.writeString(file, "voip proto tcp dport " + VOIP + " -> wan3\n");
        signal(daemon, "HUP");
        Nb.waitForLog(daemon, "configuration reloaded", Duration.ofSeconds(10));
        Await.until(REACT, "voip on wan3", () -> table(lab, VOIP_TABLE).contains("dev wan3"));
        assertEquals(50, load(lab, VOIP, 50).from(lab.ispPublicAddress(3)));

        String before = Nb.kernelDump(lab);
        Files.writeString(file, "voip proto tcp dport " + VOIP + " -> wan1\nbad  dport 22 -> wan2\n");
        signal(daemon, "HUP");
        String refused = Nb.waitForLog(daemon, "reload refused", Duration.ofSeconds(10));
        assertTrue(refused.contains(file + ":2:"), refused);
        Thread.sleep(1000); // a reconcile that should not happen would be done by now
        assertEquals(before, Nb.kernelDump(lab), "a bad file changes nothing");
        assertEquals(50, load(lab, VOIP, 50).from(lab.ispPublicAddress(3)));
        signal(daemon, "TERM");
        assertEquals(0, daemon.waitFor(Duration.ofSeconds(15)));
      }
      assertEquals(pristine, Nb.kernelDump(lab));
    }
  }

  /**
   * sticky: every new connection of one source takes the uplink its first one took, while a
   * second source (no rule) is spread by weight; when that uplink fails the source moves as a
   * whole and stays on its new uplink, also across a daemon restart (the map lives in the kernel)
   * and after the old uplink returns.
   */
  @Test
  void stickySourceKeepsOneUplinkMovesAsAWholeAndSurvivesARestart() throws Exception {
    String second = "192.0.2.11";
    Path file = Files.writeString(tmp.resolve("policies.conf"),
        "banking src " + Lab.CLIENT_ADDRESS + " -> balanced sticky 600\n");
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      lab.execCheck(lab.clientNs(), "ip", "address", "add", second + "/24", "dev", "eth0");
      String pristine = Nb.kernelDump(lab);
      Map<String, String> env = env(file);
      LabProcess daemon = Nb.daemon(lab, env);
      try {
        // The source's first connection alone records it (README, sticky caveat 5: connections it
        // opens at the same instant before that are each balanced); then 200, 8 at a time.
        String first = recorded(load(lab, Lab.SERVER_PORT, 1));
        LoadReport stuck = load(lab, Lab.SERVER_PORT, 200);
        assertEquals(0, stuck.failed(), stuck.toString());
        assertEquals(200, stuck.from(first), "every one on the recorded uplink: " + stuck);
        LoadReport spread = load(lab, Lab.SERVER_PORT, 200, "--bind", second);
        for (int i = 1; i <= 3; i++) {
          assertTrue(spread.from(lab.ispPublicAddress(i)) > 30, "the other source is balanced: " + spread);
        }
        int lost = lab.uplinkOfPublicAddress(first);
        lab.carrierDown(lost);
        Await.until(REACT, "uplink " + lost + " out of LB_TABLE",
            () -> !Nb.balanced(lab).contains(lab.uplinkName(lost)));
        String now = recorded(load(lab, Lab.SERVER_PORT, 1));
        LoadReport moved = load(lab, Lab.SERVER_PORT, 200);
        assertEquals(200, moved.from(now), "moved as a whole: " + moved);
        assertEquals(0, moved.failed(), moved.toString());
        assertTrue(!now.equals(first), moved.toString());

        signal(daemon, "KILL"); // as a crash: the kernel keeps everything, the sticky map included
        daemon.waitFor(Duration.ofSeconds(10));
        daemon.close();
        daemon = Nb.daemon(lab, env);
        LoadReport afterRestart = load(lab, Lab.SERVER_PORT, 100);
        assertEquals(100, afterRestart.from(now), "stays on its new uplink after a restart: " + afterRestart);
        lab.carrierUp(lost);
        Await.until(Duration.ofSeconds(10), "uplink " + lost + " back", () -> Nb.balanced(lab).size() == 3);
        LoadReport afterReturn = load(lab, Lab.SERVER_PORT, 100);
        assertEquals(100, afterReturn.from(now), "stays while its uplink stays eligible: " + afterReturn);
        System.out.println("PoliciesIT sticky: " + stuck + "; other source " + spread + "; after the loss " + moved
            + "; after a restart " + afterRestart + "; after the return " + afterReturn);
        signal(daemon, "TERM");
        assertEquals(0, daemon.waitFor(Duration.ofSeconds(15)));
      } finally {
        daemon.close();
      }
      assertEquals(pristine, Nb.kernelDump(lab));
    }
  }

  /** The uplink address the server saw a single connection come from. */
  private static String recorded(LoadReport one) {
    assertEquals(1, one.bySource().size(), "the first connection went through: " + one);
    assertEquals(0, one.failed(), one.toString());
    return one.bySource().keySet().iterator().next();
  }

  /** {@code explain --json} for an IPv6 TCP flow from the lab's client to its server. */
  private JsonNode explain6(Lab lab, Path file, int port) throws Exception {
    Result r = Nb.run(lab, env(file), "explain", "--src", Lab.CLIENT_ADDRESS6, "--dst", Lab.SERVER_ADDRESS6,
        "--proto", "tcp", "--dport", Integer.toString(port), "--json");
    assertEquals(0, r.exitCode(), r.stderr());
    return new ObjectMapper().readTree(r.stdout());
  }

  private static LoadReport load6(Lab lab, int port, int n, String... options) {
    return lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, port, n, options);
  }

  /** Connections per uplink, by the IPv6 source the server saw (each uplink's NAT66 address). */
  private static Map<Integer, Integer> byUplink6(Lab lab, LoadReport r) {
    Map<Integer, Integer> out = new java.util.TreeMap<>();
    r.bySource().forEach((src, n) -> out.merge(lab.uplinkOfAddress6(src), n, Integer::sum));
    return out;
  }

  /**
   * IPv6 in the dual-stack lab (wan1 link-local gateway, wan2 global, wan3 IPv4-only; the ISPs
   * drop foreign IPv6 sources): the same rules route IPv6 connections by the IPv6 sides, a policy
   * whose uplink has no IPv6 takes its else for IPv6 (unreachable: reset at once, never leaks),
   * main is neither marked nor NAT66-translated, a sticky IPv6 source keeps one uplink, the IPv6
   * side fails over on its own, explain agrees with the server, and the stop leaves both families
   * as they were.
   */
  @Test
  void ipv6ConnectionsTakeTheirRulesUplinkFailOverAndCleanUp() throws Exception {
    int sticky = 8084;
    Path file = Files.writeString(tmp.resolve("policies.conf"),
        "voip   proto tcp dport " + VOIP + "                -> wan2 > wan1\n"
        + "office dst " + Lab.SERVER_ADDRESS6 + " proto tcp dport " + OFFICE + " -> main\n"
        + "guests proto tcp dport " + GUESTS + "              -> wan3 else unreachable\n"
        + "bank   src " + Lab.CLIENT_ADDRESS6 + " proto tcp dport " + sticky + " -> balanced sticky 600\n");
    Map<String, String> env = env(file);
    try (Lab lab = Lab.builder().uplinks(3).ipv4Only(3).build();
        LabProcess servers = lab.startServers(Lab.SERVER_PORT, VOIP, GUESTS, OFFICE, sticky)) {
      String pristine = Nb.kernelDump(lab);
      try (LabProcess daemon = Nb.daemon(lab, env)) {
        LoadReport voip = load6(lab, VOIP, 200);
        assertEquals(Map.of(2, 200), byUplink6(lab, voip), "the first tier's IPv6 side takes every one: " + voip);
        LoadReport voip4 = load(lab, VOIP, 50);
        assertEquals(50, voip4.from(lab.ispPublicAddress(2)), voip4.toString());
        // guests: wan3 for IPv4; wan3 has no IPv6, so IPv6 takes the else (unreachable), at once.
        assertEquals(20, load(lab, GUESTS, 20).from(lab.ispPublicAddress(3)));
        long start = System.nanoTime();
        LoadReport refused = load6(lab, GUESTS, 20, "--timeout-ms", "10000");
        long refusedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(20, refused.failed(), "never leaks out of another uplink: " + refused);
        assertTrue(refusedMs < 3000, "reset, not timed out: " + refusedMs + " ms");
        LoadReport other = load6(lab, Lab.SERVER_PORT, 300);
        assertEquals(0, other.failed(), other.toString());
        assertEquals(java.util.Set.of(1, 2), byUplink6(lab, other).keySet(), "no rule: the IPv6 balance: " + other);
        String recorded6 = recorded(load6(lab, sticky, 1)); // recorded alone first: sticky caveat 5
        LoadReport stuck = load6(lab, sticky, 100);
        assertEquals(0, stuck.failed(), stuck.toString());
        assertEquals(100, stuck.from(recorded6), "one uplink for the sticky IPv6 source: " + stuck);
        String mapped = lab.execCheck(lab.routerNs(), "nft", "list", "map", "inet", "net_balancer", "sticky6_68")
            .stdout();
        assertTrue(mapped.contains(Lab.CLIENT_ADDRESS6), mapped);
        System.out.println("PoliciesIT IPv6: voip " + byUplink6(lab, voip) + ", other " + byUplink6(lab, other)
            + ", sticky " + byUplink6(lab, stuck) + "; 20 guests refused in " + refusedMs + " ms");

        // explain agrees with the server and the kernel, for IPv6 addresses.
        JsonNode why = explain6(lab, file, VOIP);
        assertEquals("wan2", why.path("kernel").path("dev").asText(), why.toString());
        assertTrue(why.path("kernel").path("command").asText().startsWith("ip -6 route get"), why.toString());
        JsonNode unreachable = explain6(lab, file, GUESTS);
        assertTrue(unreachable.path("route").asText().startsWith("unreachable"), unreachable.toString());
        assertTrue(unreachable.path("uplinks").path("wan3").asText().startsWith("no IPv6"), unreachable.toString());
        assertTrue(unreachable.path("kernel").has("error"), unreachable.toString());
        assertEquals("wan3", explain(lab, file, GUESTS).path("kernel").path("dev").asText());

        // main: neither pinned nor NAT66-translated (the ISP then drops the LAN source: no answer).
        load6(lab, OFFICE, 1, "--timeout-ms", "500");
        String ct = lab.execCheck(lab.routerNs(), "conntrack", "-L", "-f", "ipv6", "-p", "tcp", "--dport",
            Integer.toString(OFFICE)).stdout();
        assertTrue(ct.contains("dst=" + Lab.CLIENT_ADDRESS6 + " sport=" + OFFICE), "not translated: " + ct);
        assertTrue(ct.contains("mark=0 "), "not marked: " + ct);

        // wan2 fails: voip's IPv6 goes to its second tier, wan1.
        lab.carrierDown(2);
        Await.until(REACT, "voip's IPv6 table on wan1", () -> lab.exec(lab.routerNs(), "ip", "-6", "route", "show",
            "table", VOIP_TABLE).stdout().contains("dev wan1"));
        LoadReport failedOver = load6(lab, VOIP, 100);
        assertEquals(Map.of(1, 100), byUplink6(lab, failedOver), failedOver.toString());
        JsonNode moved = explain6(lab, file, VOIP);
        assertEquals("wan1", moved.path("kernel").path("dev").asText(), moved.toString());
        assertTrue(moved.path("uplinks").path("wan2").asText().contains("down"), moved.toString());
        JsonNode status = new ObjectMapper().readTree(Nb.run(lab, env, "status", "--json").stdout());
        JsonNode voipStatus = status.path("policies").get(0);
        assertEquals("[\"wan1\"]", voipStatus.path("ipv6").path("uplinks").toString(), status.toString());
        LoadReport stillStuck = load6(lab, sticky, 50);
        assertEquals(Map.of(1, 50), byUplink6(lab, stillStuck), "the sticky source moved as a whole: " + stillStuck);

        lab.carrierUp(2);
        long back = System.nanoTime();
        Await.until(Duration.ofSeconds(10), "voip's IPv6 back on wan2", () -> lab.exec(lab.routerNs(), "ip", "-6",
            "route", "show", "table", VOIP_TABLE).stdout().contains("dev wan2"));
        long tableMs = (System.nanoTime() - back) / 1_000_000;
        // NDP must find the gateway again first.
        Await.until(Duration.ofSeconds(15), "voip's IPv6 connections on wan2",
            () -> byUplink6(lab, load6(lab, VOIP, 5, "--timeout-ms", "1000")).equals(Map.of(2, 5)));
        System.out.println("PoliciesIT IPv6: wan2 back: in voip's table after " + tableMs + " ms, its connections on"
            + " wan2 after " + (System.nanoTime() - back) / 1_000_000 + " ms");
        assertEquals(Map.of(2, 50), byUplink6(lab, load6(lab, VOIP, 50)));
        signal(daemon, "TERM");
        assertEquals(0, daemon.waitFor(Duration.ofSeconds(15)));
      }
      assertEquals(pristine, Nb.kernelDump(lab), "the daemon's stop left both families as before");
    }
  }

  /** The bench's 100 rules (section 9): applied, applied again unchanged, matched as explain says, cleaned up. */
  @Test
  void hundredRulesApplyOnceAndCleanUp() throws Exception {
    Path file = Files.writeString(tmp.resolve("policies.conf"),
        netbalancer.bench.PoliciesSection.rules(netbalancer.bench.PoliciesSection.RULES, true));
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers()) {
      String pristine = Nb.kernelDump(lab);
      Map<String, String> env = env(file);
      long t0 = System.nanoTime();
      Result first = Nb.run(lab, env, "apply");
      long applyMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(0, first.exitCode(), first.stderr());
      Result second = Nb.run(lab, env, "apply");
      assertTrue(second.stdout().contains("0 ip change(s), nft unchanged"), second.stdout());
      LoadReport r = load(lab, Lab.SERVER_PORT, 100);
      assertEquals(0, r.failed(), r.toString());
      String chain = lab.execCheck(lab.routerNs(), "nft", "list", "counter", "inet", "net_balancer", "policy_new_100")
          .stdout();
      assertTrue(chain.contains("packets 100 "), "the last rule counted every connection: " + chain);
      assertEquals("r100", explain(lab, file, Lab.SERVER_PORT).path("policy").path("name").asText());
      System.out.println("PoliciesIT 100 rules: apply (process included) " + applyMs + " ms; " + r);
      assertEquals(0, Nb.run(lab, env, "cleanup").exitCode());
      assertEquals(pristine, Nb.kernelDump(lab));
    }
  }

  /**
   * Rules merged into verdict maps (PolicyChains) route as first match: d joins a's map past b
   * and c, which it does not overlap; c overlaps b (port 8082) and stays after it, so 8082 is
   * b's; e and f share a map of their own; h overlaps e and stays last. Each rule's connections
   * leave by its uplink, explain agrees, and each policy's counter counts its own.
   */
  @Test
  void mergedRulesRouteEachRulesConnectionsAsFirstMatch() throws Exception {
    String file = "a proto tcp dport 8081 -> wan1\n"
        + "b src " + Lab.CLIENT_ADDRESS + " proto tcp dport 8082 -> wan2\n"
        + "c proto tcp dport 8082,8083 -> wan3\n"
        + "d proto tcp dport 8084 -> wan2\n"
        + "e dst " + Lab.SERVER_ADDRESS + " proto tcp dport 8085 -> wan3\n"
        + "f dst 198.51.100.7 proto tcp dport 8085 -> wan1\n"
        + "g src " + Lab.CLIENT_ADDRESS + " proto udp -> wan1\n"
        + "h dst " + Lab.SERVER_ADDRESS + " -> wan3\n";
    Path path = Files.writeString(tmp.resolve("policies.conf"), file);
    // port -> (policy position, uplink)
    int[][] expected = {{8081, 1, 1}, {8082, 2, 2}, {8083, 3, 3}, {8084, 4, 2}, {8085, 5, 3}, {Lab.SERVER_PORT, 8, 3}};
    try (Lab lab = Lab.create(3); LabProcess servers = lab.startServers(Lab.SERVER_PORT, 8081, 8082, 8083, 8084, 8085)) {
      String pristine = Nb.kernelDump(lab);
      Map<String, String> env = env(path);
      Result applied = Nb.run(lab, env, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      String tcp = lab.execCheck(lab.routerNs(), "nft", "list", "chain", "inet", "net_balancer", "policies_tcp").stdout();
      assertTrue(tcp.contains("th dport vmap {") && tcp.contains("ip daddr . th dport vmap {"), tcp);
      for (int[] e : expected) {
        LoadReport r = load(lab, e[0], 20);
        assertEquals(20, r.from(lab.ispPublicAddress(e[2])), "port " + e[0] + ": " + r);
        JsonNode why = explain(lab, path, e[0]);
        assertEquals(lab.uplinkName(e[2]), why.path("kernel").path("dev").asText(), why.toString());
        String counter = lab.execCheck(lab.routerNs(), "nft", "list", "counter", "inet", "net_balancer",
            "policy_new_" + e[1]).stdout();
        assertTrue(counter.contains("packets 20 "), "port " + e[0] + ": " + counter);
      }
      System.out.println("PoliciesIT merged rules: policies_tcp\n" + tcp);
      assertEquals(0, Nb.run(lab, env, "cleanup").exitCode());
      assertEquals(pristine, Nb.kernelDump(lab));
    }
  }
}
