package netbalancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import netbalancer.lab.HeldConnections;
import netbalancer.lab.Lab;
import netbalancer.lab.LabProcess;
import netbalancer.lab.LoadReport;
import netbalancer.system.CommandRunner.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * IPv6 through the one-shot data plane, in a dual-stack lab whose ISPs drop foreign IPv6 sources
 * (so an untranslated LAN address fails the test): wan1 link-local gateway, wan2 global gateway,
 * wan3 IPv4-only.
 */
@ExtendWith(HostGuard.class)
class DualStackIT {

  private static final int N = 3000;

  /** Connections per uplink, by the /48 of the source the server saw. */
  private static Map<Integer, Integer> byUplink(Lab lab, LoadReport r) {
    Map<Integer, Integer> out = new HashMap<>();
    r.bySource().forEach((src, n) -> out.merge(lab.uplinkOfAddress6(src), n, Integer::sum));
    return out;
  }

  private static void assertShare(Lab lab, LoadReport r, int uplink, double target) {
    double share = 100.0 * byUplink(lab, r).getOrDefault(uplink, 0) / r.succeeded();
    assertTrue(Math.abs(share - target) <= 3.0, "uplink " + uplink + " took " + share + " % (target " + target
        + " %): " + r.toJson());
  }

  @Test
  void ipv6IsBalancedByWeightPinnedTranslatedAndCleanedUpBesideForeignRules() throws Exception {
    try (Lab lab = Lab.builder().uplinks(3).ipv4Only(3).build(); LabProcess servers = lab.startServers()) {
      String router = lab.routerNs();
      // The operator's own IPv6 policy routing, which apply and cleanup must leave alone.
      lab.execCheck(router, "ip", "-6", "rule", "add", "pref", "500", "from", "2001:db8:ff00::99", "lookup", "300");
      lab.execCheck(router, "ip", "-6", "route", "add", "2001:db8:ee::/64", "via", "fe80::1", "dev", "wan1",
          "table", "300");
      String before = Nb.kernelDump(lab);

      Map<String, String> weights = Map.of("UPLINK_WEIGHTS", "wan1=3 wan2=1 wan3=2");
      Result applied = Nb.run(lab, weights, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      String once = Nb.kernelDump(lab);
      Result again = Nb.run(lab, weights, "apply");
      assertEquals(0, again.exitCode(), again.stderr());
      assertEquals(once, Nb.kernelDump(lab), "apply twice = identical, both families");
      Result dry = Nb.run(lab, weights, "apply", "--dry-run");
      assertTrue(dry.stdout().contains("# ip -6 -batch -\n") && dry.stdout().contains(
          "route replace default table 200 proto 213 nexthop via fe80::1 dev wan1 weight 3 nexthop via 2001:db8:2::1 dev wan2 weight 1"),
          dry.stdout());

      // IPv6 over wan1 and wan2 only (wan3 has none), 3:1, from the LAN host and the router;
      // each source translated to its uplink's address (else its ISP would have dropped it)
      LoadReport lan = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, N);
      LoadReport own = lab.loadCount(router, Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, N);
      System.out.println("DualStackIT IPv6 LAN " + byUplink(lab, lan) + ", router " + byUplink(lab, own));
      for (LoadReport r : new LoadReport[] {lan, own}) {
        assertEquals(0, r.failed(), r.toJson());
        assertEquals(java.util.Set.of(lab.uplinkAddress6(1), lab.uplinkAddress6(2)), r.bySource().keySet(), r.toJson());
        assertShare(lab, r, 1, 75.0);
        assertShare(lab, r, 2, 25.0);
      }
      // IPv4 still over all three, 3:1:2
      LoadReport lan4 = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 600);
      assertEquals(0, lan4.failed(), lan4.toJson());
      for (int i = 1; i <= 3; i++) {
        assertTrue(lan4.from(lab.ispPublicAddress(i)) > 50, "IPv4 uplink " + i + ": " + lan4.toJson());
      }

      // pinned IPv6 connections survive a re-weighting
      try (HeldConnections held = lab.hold(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 200)) {
        assertEquals(200, held.opened().succeeded());
        Result reweighted = Nb.run(lab, Map.of("UPLINK_WEIGHTS", "wan1=1 wan2=9 wan3=1"), "apply");
        assertEquals(0, reweighted.exitCode(), reweighted.stderr());
        LoadReport after = held.check();
        assertEquals(200, after.succeeded(), after.toJson());
        assertEquals(held.opened().bySource(), after.bySource(), "each stayed on its uplink");
      }

      assertEquals(0, Nb.run(lab, "cleanup").exitCode());
      assertEquals(before, Nb.kernelDump(lab), "cleanup = as before, both families, foreign rules kept");
    }
  }

  @Test
  void inboundIpv6IsAnsweredThroughTheUplinkItCameIn() {
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build();
        LabProcess routerServer = lab.startServer(lab.routerNs(), 9000)) {
      // control: without the balancer a reply leaves by wan1's default, and ISP 1 drops wan2's source
      LoadReport control = lab.loadCount(lab.inetNs(), lab.uplinkAddress6(2), 9000, 3, "--timeout-ms", "700");
      assertEquals(3, control.failed(), control.toJson());
      Result applied = Nb.run(lab, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      for (int i = 1; i <= 2; i++) {
        LoadReport in = lab.loadCount(lab.inetNs(), lab.uplinkAddress6(i), 9000, 5);
        assertEquals(Map.of(Lab.SERVER_ADDRESS6, 5), in.bySource(), "via uplink " + i + ": " + in.toJson());
      }
      assertEquals(0, Nb.run(lab, "cleanup").exitCode());
    }
  }

  /**
   * The operator's own IPv6 port forward (a DNAT in a table of theirs, to the LAN host) is
   * answered through the uplink the connection came in by. Control: without the balancer the reply
   * leaves by wan1's default and ISP 1 drops wan2's source.
   */
  @Test
  void anOperatorsIpv6PortForwardIsAnsweredThroughTheUplinkItCameIn() {
    try (Lab lab = Lab.builder().uplinks(2).dualStack().build();
        LabProcess lanServer = lab.startServer(lab.clientNs(), 9000)) {
      String router = lab.routerNs();
      lab.execCheck(router, "nft", "add table ip6 operator_fwd; add chain ip6 operator_fwd pre { type nat hook"
          + " prerouting priority dstnat; policy accept; }; add rule ip6 operator_fwd pre ip6 daddr { "
          + lab.uplinkAddress6(1) + ", " + lab.uplinkAddress6(2) + " } tcp dport 9001 dnat to ["
          + Lab.CLIENT_ADDRESS6 + "]:9000");
      LoadReport control = lab.loadCount(lab.inetNs(), lab.uplinkAddress6(2), 9001, 3, "--timeout-ms", "700");
      assertEquals(3, control.failed(), "without net-balancer: " + control.toJson());
      Result applied = Nb.run(lab, "apply");
      assertEquals(0, applied.exitCode(), applied.stderr());
      for (int i = 1; i <= 2; i++) {
        LoadReport in = lab.loadCount(lab.inetNs(), lab.uplinkAddress6(i), 9001, 5);
        assertEquals(Map.of(Lab.SERVER_ADDRESS6, 5), in.bySource(), "forwarded via uplink " + i + ": " + in.toJson());
      }
      assertEquals(0, Nb.run(lab, "cleanup").exitCode());
      assertTrue(lab.execCheck(router, "nft", "list", "tables").stdout().contains("table ip6 operator_fwd"),
          "the operator's table stays");
    }
  }
}
