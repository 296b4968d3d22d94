package netbalancer.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The address plan as text: what each namespace is told, for a lab with every variant. */
class LabPlanTest {

  private final LabPlan plan = new LabPlan(List.of("wan1", "wan-2.x", "ppp0", "wan4"), true,
      Set.of(3), true, i -> "nblab-1-abcd-isp" + i, "nblab-1-abcd-client");

  @Test
  void addressesFollowThePlan() {
    assertEquals("198.18.100.2", plan.uplink(1).address());
    assertEquals("198.18.100.3", plan.uplink(2).address());
    assertEquals("198.18.100.1", plan.uplink(2).gateway());
    assertNull(plan.uplink(3).gateway());
    assertEquals(32, plan.uplink(3).prefixLength());
    assertEquals("198.18.4.1", plan.uplink(4).gateway());
    assertEquals("198.19.4.1", plan.uplink(4).publicAddress());
    assertThrows(IllegalArgumentException.class, () -> plan.uplink(5));
  }

  @Test
  void routerGetsVethsThenAddressesAndDhcpLikeDefaults() {
    assertEquals(List.of(
        "link add wan1 type veth peer name cpe0 netns nblab-1-abcd-isp1",
        "link add wan-2.x type veth peer name cpe0 netns nblab-1-abcd-isp2",
        "link add ppp0 address 02:00:c6:12:03:02 type veth peer name cpe0 address 02:00:c6:12:03:02"
            + " netns nblab-1-abcd-isp3",
        "link add wan4 type veth peer name cpe0 netns nblab-1-abcd-isp4",
        "link add lan0 type veth peer name eth0 netns nblab-1-abcd-client"), plan.routerLinks());
    assertEquals(List.of(
        "link set dev lan0 up",
        "addr add 192.0.2.1/24 dev lan0",
        "link set dev wan1 up",
        "addr add 198.18.100.2/24 dev wan1",
        "route add default via 198.18.100.1 dev wan1 metric 101",
        "link set dev wan-2.x up",
        "addr add 198.18.100.3/24 dev wan-2.x",
        "route add default via 198.18.100.1 dev wan-2.x metric 102",
        "link set dev ppp0 arp off up",
        "addr add 198.18.3.2 peer 198.18.3.1/32 dev ppp0",
        "route add default dev ppp0 metric 103",
        "link set dev wan4 up",
        "addr add 198.18.4.2/24 dev wan4",
        "route add default via 198.18.4.1 dev wan4 metric 104"), plan.routerAddresses());
  }

  @Test
  void withoutDefaultRoutesTheRouterHasOnlyConnectedRoutes() {
    LabPlan bare = new LabPlan(List.of("wan1"), false, Set.of(), false, i -> "isp" + i, "client");
    assertEquals(List.of("link set dev lan0 up", "addr add 192.0.2.1/24 dev lan0",
        "link set dev wan1 up", "addr add 198.18.1.2/24 dev wan1"), bare.routerAddresses());
  }

  @Test
  void inetRoutesBackToEachUplinkOnceAndOwnsTheWholeTestNet() {
    List<String> inet = plan.inet();
    assertEquals("route add local 203.0.113.0/24 dev lo", inet.get(5));
    assertEquals(List.of(
        "route add 198.18.100.0/24 via 198.19.1.1 dev isp1 src 203.0.113.10",
        "route add 198.18.3.2/32 via 198.19.3.1 dev isp3 src 203.0.113.10",
        "route add 198.18.4.0/24 via 198.19.4.1 dev isp4 src 203.0.113.10"),
        inet.stream().filter(l -> l.startsWith("route add 198.18.")).toList());
  }

  @Test
  void ispsKnowOnlyTheirOwnUplinkAndTheInternet() {
    assertEquals(List.of(
        "link set dev cpe0 up",
        "addr add 198.18.100.1/24 dev cpe0",
        "link set dev inet0 up",
        "addr add 198.19.2.1/24 dev inet0",
        "route add default via 198.19.2.2 dev inet0"), plan.isp(2));
    assertEquals("addr add 198.18.3.1 peer 198.18.3.2/32 dev cpe0", plan.isp(3).get(1));
  }
}
