package netbalancer.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectedRoutesTest {
  private static Address v4(String local, int len) {
    return new Address(Family.INET, local, len, null, "global");
  }

  @Test
  void theNetworkOfEachAddressAsIpPrintsIt() {
    assertEquals("198.18.1.0/24", ConnectedRoutes.prefix(v4("198.18.1.2", 24)));
    assertEquals("198.18.1.0/31", ConnectedRoutes.prefix(v4("198.18.1.1", 31)));
    assertEquals("192.0.2.128/25", ConnectedRoutes.prefix(v4("192.0.2.200", 25)));
    assertNull(ConnectedRoutes.prefix(v4("198.18.1.2", 32)), "a /32 without a peer has no route");
    assertEquals("198.18.9.1", ConnectedRoutes.prefix(new Address(Family.INET, "198.18.9.2", 32, "198.18.9.1", "global")),
        "point-to-point: the peer, a host route without /32");
    assertEquals("198.18.8.0/30", ConnectedRoutes.prefix(new Address(Family.INET, "198.18.9.2", 30, "198.18.8.1", "global")),
        "point-to-point with a peer prefix: the peer's network");
    assertNull(ConnectedRoutes.prefix(v4("0.1.2.3", 16)), "no route for a zero network");
    assertNull(ConnectedRoutes.prefix(v4("not-an-address", 24)));
  }

  @Test
  void oneRoutePerPrefixAndLinkForLinksThatAreUp() {
    Link wan1 = new Link("wan1", 2, true, true, false, "veth", List.of(v4("198.18.1.2", 24), v4("198.18.1.3", 24),
        new Address(Family.INET6, "2001:db8:1::2", 64, null, "global"), v4("203.0.113.5", 32)));
    Link down = new Link("wan2", 3, false, false, false, "veth", List.of(v4("198.18.2.2", 24)));
    Link noCarrier = new Link("wan3", 4, true, false, false, "veth", List.of(v4("198.18.3.2", 24)));
    Link lo = new Link("lo", 1, true, true, false, "", List.of(v4("127.0.0.1", 8)));
    List<Route> routes = ConnectedRoutes.ipv4(List.of(lo, wan1, down, noCarrier));
    assertEquals(List.of(
        new Route(Family.INET, 254, "198.18.1.0/24", List.of(new Nexthop(null, "wan1", 1)), 2, 253, "198.18.1.2", null,
            false),
        new Route(Family.INET, 254, "198.18.3.0/24", List.of(new Nexthop(null, "wan3", 1)), 2, 253, "198.18.3.2", null,
            true)), routes, "the loopback's is local; a secondary adds nothing; an administratively down link has none; "
        + "without carrier the kernel keeps it, marked linkdown");
  }
}
