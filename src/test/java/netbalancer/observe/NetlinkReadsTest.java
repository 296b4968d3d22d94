package netbalancer.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import netbalancer.netlink.AddressMessage;
import netbalancer.netlink.RouteEntry;
import org.junit.jupiter.api.Test;

/** The netlink records turned into IpJson's records for the same answer. */
class NetlinkReadsTest {
  private static final Map<Integer, String> NAMES = Map.of(3, "wan1", 4, "wan2");
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;

  private static RouteEntry.Hop hop(String gateway, int ifindex, int weight, boolean linkdown) {
    return new RouteEntry.Hop(gateway, ifindex, weight, linkdown);
  }

  @Test
  void aMultipathRouteAsIpJsonReadsIt() {
    RouteEntry e = new RouteEntry(AF_INET, 200, 1, 0, "default", List.of(hop("192.0.2.1", 3, 3, false),
        hop("192.0.2.5", 4, 1, true)), 213, 0, null, null, 0);
    assertEquals(new Route(Family.INET, 200, "default", List.of(new Nexthop("192.0.2.1", "wan1", 3),
        new Nexthop("192.0.2.5", "wan2", 1)), 213, 0, null, null, true), NetlinkReads.route(e, NAMES::get, false));
  }

  @Test
  void singlePathWithoutADeviceHasAnEmptyOneAndTheMetricAndPrefsrcCarryOver() {
    RouteEntry e = new RouteEntry(AF_INET6, 254, 1, 64, "2001:db8:1::/64", List.of(hop(null, 0, 1, false)), 2, 0,
        "2001:db8:1::2", 256, 0);
    assertEquals(new Route(Family.INET6, 254, "2001:db8:1::/64", List.of(new Nexthop(null, "", 1)), 2, 0,
        "2001:db8:1::2", 256, false), NetlinkReads.route(e, NAMES::get, false));
  }

  @Test
  void theLastResortsAreOursOnlyAndOtherTypesNothing() {
    RouteEntry unreachable = new RouteEntry(AF_INET, 1000, RouteEntry.RTN_UNREACHABLE, 0, "default",
        List.of(hop(null, 0, 1, false)), 213, 0, null, 5, 0);
    assertEquals(new Route(Family.INET, 1000, "default", List.of(), 213, 0, null, 5, false, Route.UNREACHABLE),
        NetlinkReads.route(unreachable, NAMES::get, true));
    assertNull(NetlinkReads.route(unreachable, NAMES::get, false), "main's reads keep unicast only");
    RouteEntry blackhole = new RouteEntry(AF_INET6, 201, RouteEntry.RTN_BLACKHOLE, 0, "default",
        List.of(hop(null, 0, 1, false)), 213, 0, null, 1024, 0);
    assertEquals(Route.BLACKHOLE, NetlinkReads.route(blackhole, NAMES::get, true).type());
    RouteEntry local = new RouteEntry(AF_INET, 255, 2, 32, "192.0.2.2", List.of(hop(null, 3, 1, false)), 2, 254,
        "192.0.2.2", null, 0);
    assertNull(NetlinkReads.route(local, NAMES::get, true));
  }

  @Test
  void addressesAsIpJsonReadsThemWithTheScopeANumber() {
    assertEquals(new Address(Family.INET, "198.51.100.9", 32, "198.51.100.10", "0"),
        NetlinkReads.address(new AddressMessage(9, AF_INET, "198.51.100.9", 32, "198.51.100.10", 0, 0x80)));
    assertEquals(new Address(Family.INET6, "fe80::1", 64, null, "253", true, true, true),
        NetlinkReads.address(new AddressMessage(3, AF_INET6, "fe80::1", 64, null, 253, 0x61)));
  }
}
