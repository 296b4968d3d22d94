package netbalancer.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dual-stack lab on a real kernel, with no balancer: uplink 1 dual stack with a link-local
 * gateway, 2 dual stack with a global one, 3 IPv4-only, 4 IPv6-only; ISPs that drop foreign
 * IPv6 sources (BCP 38).
 */
class DualStackLabIT {

  private static final String[] QUICK = {"--timeout-ms", "700"};

  @Test
  void dualStackLabRoutesBothFamiliesAndItsIspsDropForeignIpv6Sources() {
    try (Lab lab = Lab.builder().uplinks(4).ipv4Only(3).ipv6Only(4).build()) {
      lab.startServers();
      String router = lab.routerNs();

      // the plan: which uplink has which family, and the IPv6 defaults a router advertisement
      // (odd: link-local gateway) or a static configuration (even: global gateway) gives
      assertTrue(lab.hasIpv4(1) && lab.hasIpv6(1) && lab.hasIpv4(3) && lab.hasIpv6(4));
      assertFalse(lab.hasIpv6(3));
      assertFalse(lab.hasIpv4(4));
      List<String> v6defaults = new ArrayList<>();
      lab.ipJson(router, "-6", "route", "show", "default").forEach(r ->
          v6defaults.add(r.path("dev").asText() + " " + r.path("gateway").asText() + " " + r.path("metric").asInt()));
      assertEquals(List.of("wan1 fe80::1 101", "wan2 2001:db8:2::1 102", "wan4 2001:db8:4::1 104"), v6defaults);
      List<String> v4defaults = new ArrayList<>();
      lab.ipJson(router, "-4", "route", "show", "default").forEach(r -> v4defaults.add(r.path("dev").asText()));
      assertEquals(List.of("wan1", "wan2", "wan3"), v4defaults);
      assertTrue(lab.ipJson(router, "-4", "addr", "show", "dev", "wan4").path(0).path("addr_info").isEmpty(),
          "the IPv6-only uplink has no IPv4 address");
      for (JsonNode a : lab.ipJson(router, "-6", "addr", "show", "dev", "wan1").path(0).path("addr_info")) {
        assertFalse(a.path("tentative").asBoolean(false), "no address waits for DAD: " + a);
      }

      // the router reaches the IPv6 server through each IPv6 uplink, bound to its device
      for (int i : new int[] {1, 2, 4}) {
        var ping = lab.exec(router, "ping", "-6", "-n", "-c", "1", "-W", "2", "-I", lab.uplinkName(i),
            Lab.SERVER_ADDRESS6);
        assertEquals(0, ping.exitCode(), "ping via " + lab.uplinkName(i) + ": " + ping.stdout() + ping.stderr());
      }
      // the router's own connections leave by the best IPv6 default (wan1), with its address
      LoadReport own = lab.loadCount(router, Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 5);
      assertEquals(Map.of(lab.uplinkAddress6(1), 5), own.bySource(), own.toJson());
      assertEquals(1, lab.uplinkOfAddress6(own.bySource().keySet().iterator().next()));
      // IPv4 is as in an IPv4-only lab
      LoadReport own4 = lab.loadCount(router, Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 5);
      assertEquals(Map.of(lab.ispPublicAddress(1), 5), own4.bySource(), own4.toJson());

      // BCP 38: the LAN's prefix does not get out untranslated, and ISP 1 counts what it dropped
      long leakedBefore = lab.leakedIpv6(1);
      LoadReport leak = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 3, QUICK);
      assertEquals(3, leak.failed(), leak.toJson());
      assertTrue(lab.leakedIpv6(1) > leakedBefore, "ISP 1 dropped the LAN source");
      assertEquals(0, lab.exec(router, List.of("nft", "-f", "-"), LabPlan6.routerMasquerade(),
          java.time.Duration.ofSeconds(10)).exitCode());
      LoadReport lan = lab.loadCount(lab.clientNs(), Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 5);
      assertEquals(Map.of(lab.uplinkAddress6(1), 5), lan.bySource(), "masqueraded to wan1: " + lan.toJson());

      // inbound: a reply leaves by wan1's default, so only what came in on wan1 is answered
      try (LabProcess server = lab.startServer(router, 9000)) {
        LoadReport in1 = lab.loadCount(lab.inetNs(), lab.uplinkAddress6(1), 9000, 3);
        assertEquals(Map.of(Lab.SERVER_ADDRESS6, 3), in1.bySource(), in1.toJson());
        LoadReport in2 = lab.loadCount(lab.inetNs(), lab.uplinkAddress6(2), 9000, 3, QUICK);
        assertEquals(3, in2.failed(), "ISP 1 drops wan2's source: " + in2.toJson());
      }

      // an IPv6-only blackhole: IPv6 through ISP 1 dies, its IPv4 does not
      try {
        lab.blackholeIpv6(1, true);
        assertEquals(3, lab.loadCount(router, Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 3, QUICK).failed());
        assertEquals(0, lab.loadCount(router, Lab.SERVER_ADDRESS, Lab.SERVER_PORT, 3).failed());
      } finally {
        lab.clearFaults();
      }
      assertEquals(0, lab.loadCount(router, Lab.SERVER_ADDRESS6, Lab.SERVER_PORT, 3).failed());
    }
  }
}
