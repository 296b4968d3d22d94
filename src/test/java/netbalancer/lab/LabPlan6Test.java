package netbalancer.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dual-stack address plan as text, and an IPv6-only uplink's missing IPv4 half. */
class LabPlan6Test {

  private final LabPlan6 plan = new LabPlan6(List.of("wan1", "wan2", "wan3", "wan4"), Set.of(3), true);

  @Test
  void oddUplinksHaveALinkLocalGatewayEvenOnesAGlobalOneAndIpv4OnlyNone() {
    assertEquals("fe80::1", plan.uplink(1).gateway());
    assertEquals("2001:db8:2::1", plan.uplink(2).gateway());
    assertNull(plan.uplink(3));
    assertEquals("2001:db8:4::2", plan.uplink(4).address());
    assertEquals("2001:db8:4::/48", plan.uplink(4).ispPrefix());
    assertEquals(List.of(
        "addr add 2001:db8:ff00::1/64 dev lan0 nodad",
        "link set dev wan1 up",
        "addr add 2001:db8:1::2/64 dev wan1 nodad",
        "route add ::/0 via fe80::1 dev wan1 metric 101",
        "link set dev wan2 up",
        "addr add 2001:db8:2::2/64 dev wan2 nodad",
        "route add ::/0 via 2001:db8:2::1 dev wan2 metric 102",
        "link set dev wan4 up",
        "addr add 2001:db8:4::2/64 dev wan4 nodad",
        "route add ::/0 via 2001:db8:4::1 dev wan4 metric 104"), plan.routerAddresses());
  }

  @Test
  void ispsRouteTheirOwnPrefixToTheRouterAndAcceptOnlyIt() {
    assertEquals(List.of(
        "addr add 2001:db8:2::1/64 dev cpe0 nodad",
        "addr add fe80::1/64 dev cpe0 nodad",
        "route add 2001:db8:2::/48 via 2001:db8:2::2 dev cpe0",
        "addr add 2001:db8:fe:2::1/64 dev inet0 nodad",
        "route add ::/0 via 2001:db8:fe:2::2 dev inet0"), plan.isp(2));
    assertEquals(List.of(), plan.isp(3));
    assertTrue(plan.ispRuleset(2).contains(
        "iifname \"cpe0\" ip6 saddr != 2001:db8:2::/48 counter name leaked drop"), plan.ispRuleset(2));
    assertTrue(plan.inet().contains("route add 2001:db8:4::/48 via 2001:db8:fe:4::1 dev isp4 src 2001:db8:ffff::10"));
  }

  @Test
  void anIpv6OnlyUplinkHasNoIpv4AddressRouteOrIspSide() {
    LabPlan v4 = new LabPlan(List.of("wan1", "wan2"), false, Set.of(), true, i -> "isp" + i, "client", Set.of(2));
    assertEquals(List.of("link set dev lan0 up", "addr add 192.0.2.1/24 dev lan0",
        "link set dev wan1 up", "addr add 198.18.1.2/24 dev wan1",
        "route add default via 198.18.1.1 dev wan1 metric 101",
        "link set dev wan2 up"), v4.routerAddresses());
    assertEquals(List.of("link set dev cpe0 up", "link set dev inet0 up", "addr add 198.19.2.1/24 dev inet0",
        "route add default via 198.19.2.2 dev inet0"), v4.isp(2));
    assertTrue(v4.inet().stream().noneMatch(l -> l.startsWith("route add 198.18.2.")), v4.inet().toString());
  }

  @Test
  void serversPrintIpv6PeersInTheShortFormIpPrints() throws Exception {
    assertEquals("2001:db8:1::2", WhoAmIServer.text(InetAddress.getByName("2001:db8:1:0:0:0:0:2")));
    assertEquals("2001:0:0:1::", WhoAmIServer.text(InetAddress.getByName("2001:0:0:1:0:0:0:0")));
    assertEquals("2001:db8::1:0:0:1", WhoAmIServer.text(InetAddress.getByName("2001:db8:0:0:1:0:0:1")));
    assertEquals("2001:db8:0:1:1:1:1:1", WhoAmIServer.text(InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
    assertEquals("::1", WhoAmIServer.text(InetAddress.getByName("::1")));
    assertEquals("198.19.1.1", WhoAmIServer.text(InetAddress.getByName("198.19.1.1")));
  }
}
