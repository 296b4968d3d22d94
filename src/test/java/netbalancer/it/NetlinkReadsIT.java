package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netbalancer.health.NeighborParity;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.observe.ReadParity;
import netbalancer.observe.SynParity;
import netbalancer.system.CommandRunner.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daemon's netlink reads against the ip reads they replace, on a real kernel: after a real
 * apply in a dual-stack lab, plus state apply does not make (a multipath route, unreachable and
 * blackhole routes in tables of ours, a rule with fwmark/mask to a table above 255, a
 * point-to-point address, deprecated IPv6 addresses, neighbors in several states, routes before
 * and after main's defaults), both readers' records must be equal, field by field. The reads run
 * in a process inside the lab's router ({@link ReadParity}): a socket opened here would be in
 * the host's namespace.
 */
@ExtendWith(HostGuard.class)
class NetlinkReadsIT {
  private static final String OURS = "213";
  private static final String TABLES = "200,101,102,103,1000";

  private static List<String> parity(Lab lab, String devices) {
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ReadParity.class.getName(), OURS, TABLES, devices));
    List<String> lines = new ArrayList<>();
    try (LabProcess p = lab.start(lab.routerNs(), argv.toArray(String[]::new))) {
      for (String line = p.readLine(Duration.ofSeconds(60)); !line.equals("done"); line = p.readLine(Duration.ofSeconds(60))) {
        lines.add(line);
      }
    }
    return lines;
  }

  private static void assertSame(List<String> lines) {
    List<String> diffs = lines.stream().filter(l -> !l.startsWith("same ")).toList();
    assertEquals(List.of(), diffs, String.join("\n", lines));
    assertTrue(lines.size() >= 20, String.join("\n", lines));
  }

  @Test
  void afterARealApplyAndMoreTheNetlinkReadsEqualTheIpReads() throws Exception {
    try (Lab lab = Lab.builder().uplinks(3).ipv4Only(3).build()) {
      String r = lab.routerNs();
      Result applied = Nb.run(lab, Map.of("UPLINK_WEIGHTS", "wan1=3 wan2=1 wan3=2"), "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      String gw1 = lab.gatewayAddress(1);
      String gw2 = lab.gatewayAddress(2);
      // Routes of ours apply does not make: multipath with weights, the last resorts, a table above 255.
      lab.execCheck(r, "ip", "route", "add", "240.0.0.0/28", "table", "101", "proto", OURS, "nexthop", "via", gw1,
          "dev", "wan1", "weight", "2", "nexthop", "via", gw2, "dev", "wan2", "weight", "5");
      lab.execCheck(r, "ip", "route", "add", "unreachable", "240.0.0.16/28", "table", "102", "proto", OURS, "metric", "7");
      lab.execCheck(r, "ip", "-6", "route", "add", "blackhole", "2001:db8:ee::/64", "table", "102", "proto", OURS);
      lab.execCheck(r, "ip", "route", "add", "240.0.0.32", "via", gw1, "table", "1000", "proto", OURS);
      lab.execCheck(r, "ip", "route", "add", "240.0.0.48/28", "via", gw2, "table", "1000", "proto", "12"); // not ours
      lab.execCheck(r, "ip", "rule", "add", "pref", "400", "fwmark", "0x100/0xff00", "lookup", "1000", "proto", OURS);
      lab.execCheck(r, "ip", "rule", "add", "pref", "401", "from", "198.51.100.7", "lookup", "101");
      lab.execCheck(r, "ip", "-6", "rule", "add", "pref", "402", "from", "2001:db8:ff00::99", "lookup", "main",
          "suppress_prefixlength", "0");
      // Main: a 0.0.0.0/1 beside the defaults, a host route and a feed's prefix after them.
      lab.execCheck(r, "ip", "route", "add", "0.0.0.0/1", "via", gw2, "metric", "50");
      lab.execCheck(r, "ip", "route", "add", "240.1.0.9", "via", gw1, "proto", "12");
      lab.execCheck(r, "ip", "route", "add", "240.2.0.0/16", "via", gw2, "proto", "12");
      lab.execCheck(r, "ip", "-6", "route", "add", "2001:db8:ee:1::/64", "via", lab.gatewayAddress6(2), "proto", "12");
      // Addresses: point-to-point (a peer), deprecated and nodad IPv6 ones.
      lab.execCheck(r, "ip", "address", "add", "198.51.100.9", "peer", "198.51.100.10/32", "dev", "wan3");
      lab.execCheck(r, "ip", "-6", "address", "add", "2001:db8:ff01::1/64", "dev", "wan1", "preferred_lft", "0", "nodad");
      // Neighbors in several states, one ip does not list (NOARP).
      lab.execCheck(r, "ip", "neigh", "replace", "198.18.1.77", "lladdr", "02:00:00:00:00:01", "dev", "wan1", "nud", "stale");
      lab.execCheck(r, "ip", "neigh", "replace", "198.18.1.78", "lladdr", "02:00:00:00:00:02", "dev", "wan1", "nud",
          "permanent");
      lab.execCheck(r, "ip", "neigh", "replace", "198.18.1.79", "lladdr", "02:00:00:00:00:03", "dev", "wan1", "nud", "noarp");
      lab.execCheck(r, "ip", "-6", "neigh", "replace", "2001:db8:1::77", "lladdr", "02:00:00:00:00:04", "dev", "wan1",
          "nud", "reachable");
      assertSame(parity(lab, "wan1,wan2,wan3"));
      // A carrier lost: routes of ours through it are marked linkdown.
      lab.carrierDown(2);
      assertSame(parity(lab, "wan1,wan2"));
    }
  }

  /**
   * The passive evidence's sets (IPv4 and IPv6: their keys concatenate addresses, ports and the
   * uplink's name) read over nfnetlink, as the daemon reads them, against nft's listing.
   */
  @Test
  void theSynSetsReadOverNetlinkEqualNftsListing() {
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build()) {
      Result applied = Nb.run(lab, Map.of(), "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      String r = lab.routerNs();
      lab.execCheck(r, "nft", "add", "element", "inet", "net_balancer", "syn_sent", "{ 198.18.1.2 . 40001 . 203.0.113.10 ."
          + " 8080 . \"wan1\", 198.18.2.2 . 65535 . 203.0.113.11 . 1 . \"wan2\" timeout 5s }");
      lab.execCheck(r, "nft", "add", "element", "inet", "net_balancer", "syn_sent6", "{ 2001:db8:1::2 . 40002 ."
          + " 2001:db8:ffff::10 . 443 . \"wan1\" }");
      List<String> lines = new ArrayList<>();
      List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), SynParity.class.getName()));
      try (LabProcess p = lab.start(r, argv.toArray(String[]::new))) {
        for (String line = p.readLine(Duration.ofSeconds(60)); !line.equals("done"); line = p.readLine(Duration.ofSeconds(60))) {
          lines.add(line);
        }
      }
      assertEquals(2, lines.size(), lines.toString());
      assertTrue(lines.get(0).startsWith("same INET 2 ") && lines.get(1).startsWith("same INET6 1 "), lines.toString());
    }
  }

  /**
   * The gateway nudger's netlink gets against /proc/net/arp, on a real kernel: a gateway resolved
   * by traffic, one permanent, one absent (never asked for, or deleted), one on a device that is
   * not there; both say the same, and the gets never fall back.
   */
  @Test
  void theNeighborGetsEqualTheArpTable() {
    try (Lab lab = Lab.create(3)) {
      String r = lab.routerNs();
      lab.execCheck(r, "ping", "-c", "1", "-W", "2", lab.gatewayAddress(1));
      lab.execCheck(r, "ip", "neigh", "replace", lab.gatewayAddress(2), "lladdr", "02:00:00:00:00:09", "dev", "wan2",
          "nud", "permanent");
      lab.exec(r, "ip", "neigh", "del", lab.gatewayAddress(3), "dev", "wan3");
      List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), NeighborParity.class.getName()));
      for (int i = 1; i <= 3; i++) {
        argv.add("wan" + i + "=" + lab.gatewayAddress(i));
      }
      argv.add("wan9=" + lab.gatewayAddress(1));
      List<String> lines = new ArrayList<>();
      try (LabProcess p = lab.start(r, argv.toArray(String[]::new))) {
        for (String line = p.readLine(Duration.ofSeconds(60)); !line.equals("done"); line = p.readLine(Duration.ofSeconds(60))) {
          lines.add(line);
        }
      }
      assertEquals(1, lines.size(), lines.toString());
      assertTrue(lines.get(0).startsWith("same gets [" + lab.gatewayAddress(1) + " wan1, " + lab.gatewayAddress(2)
          + " wan2]"), lines.toString());
    }
  }

  /** The daemon reads over netlink: no warning, and its first apply balances. */
  @Test
  void theDaemonReadsOverNetlink() {
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemon(lab, Map.of("HEALTH_CHECK_ENABLED", "false"))) {
      assertEquals(Set.of("wan1", "wan2"), Nb.balanced(lab));
      assertTrue(daemon.recentLines().stream().noneMatch(l -> l.contains("kernel reads: no netlink socket")),
          daemon.recentLines().toString());
    }
  }

  /** Without JNA (as on a noexec /tmp) the daemon says why once and reads with ip processes. */
  @Test
  void withoutJnaTheDaemonSaysWhyAndReadsWithIp() {
    Map<String, String> env = Map.of("HEALTH_CHECK_ENABLED", "false", "JAVA_TOOL_OPTIONS", "-Djna.nounpack=true");
    try (Lab lab = Lab.create(2); LabProcess daemon = Nb.daemon(lab, env)) {
      assertEquals(Set.of("wan1", "wan2"), Nb.balanced(lab));
      List<String> why = daemon.recentLines().stream().filter(l -> l.contains("kernel reads: no netlink socket")).toList();
      assertEquals(1, why.size(), daemon.recentLines().toString());
      assertTrue(why.get(0).contains("JNA unavailable"), why.get(0));
    }
  }
}
