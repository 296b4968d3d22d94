package netbalancer.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netbalancer.observe.Address;
import netbalancer.observe.Family;
import netbalancer.observe.KernelState;
import netbalancer.observe.Link;
import netbalancer.observe.Neighbor;
import netbalancer.observe.Nexthop;
import netbalancer.observe.NftTable;
import netbalancer.observe.Route;
import netbalancer.observe.Rule;

/** Builds kernel states as {@code ip -j} would report them, for planner tests. */
public final class Fixtures {
  private final List<Link> links = new ArrayList<>();
  private final List<Route> routes = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final List<Neighbor> neighbors = new ArrayList<>();
  private NftTable nft = NftTable.ABSENT;

  /** An Ethernet-like uplink {@code name} at 198.18.N.2/24 with a DHCP default route via .1. */
  public Fixtures uplink(String name, int n, boolean carrier) {
    return uplink(name, "198.18." + n + ".2", "198.18." + n + ".0/24", "198.18." + n + ".1", 100 + n, carrier);
  }

  public Fixtures uplink(String name, String addr, String subnet, String gateway, int metric, boolean carrier) {
    links.add(new Link(name, links.size() + 2, true, carrier, false, "veth",
        List.of(new Address(Family.INET, addr, Integer.parseInt(subnet.substring(subnet.indexOf('/') + 1)), null, "global"))));
    routes.add(new Route(Family.INET, 254, subnet, List.of(new Nexthop(null, name, 1)), 2, 253, addr, null, !carrier));
    routes.add(new Route(Family.INET, 254, "default", List.of(new Nexthop(gateway, name, 1)), 16, 0, null, metric, !carrier));
    return this;
  }

  /**
   * Gives uplink {@code name} (already added) an IPv6 side as a router advertisement would:
   * {@code address}/64 (and its connected route), a link-local address, {@code ::/0 via gateway}.
   */
  public Fixtures ipv6(String name, String address, String subnet, String gateway, int metric) {
    return ipv6(name, new Address(Family.INET6, address, 64, null, "global"), subnet, gateway, metric);
  }

  public Fixtures ipv6(String name, Address address, String subnet, String gateway, int metric) {
    for (int i = 0; i < links.size(); i++) {
      Link l = links.get(i);
      if (l.name().equals(name)) {
        List<Address> addrs = new ArrayList<>(l.addresses());
        addrs.add(address);
        addrs.add(new Address(Family.INET6, "fe80::2", 64, null, "link"));
        links.set(i, new Link(l.name(), l.ifindex(), l.adminUp(), l.carrier(), l.pointToPoint(), l.kind(), addrs));
      }
    }
    routes.add(new Route(Family.INET6, 254, subnet, List.of(new Nexthop(null, name, 1)), 2, 0, null, 256, false));
    routes.add(new Route(Family.INET6, 254, "fe80::/64", List.of(new Nexthop(null, name, 1)), 2, 0, null, 256, false));
    routes.add(new Route(Family.INET6, 254, "default", List.of(new Nexthop(gateway, name, 1)), 9, 0, null, metric, false));
    return this;
  }

  /** A point-to-point link (ppp, wwan) with a default route through the device. */
  public Fixtures pointToPoint(String name, String addr, String peer) {
    links.add(new Link(name, links.size() + 2, true, true, true, "ppp",
        List.of(new Address(Family.INET, addr, 32, peer, "global"))));
    routes.add(new Route(Family.INET, 254, peer, List.of(new Nexthop(null, name, 1)), 2, 253, addr, null, false));
    routes.add(new Route(Family.INET, 254, "default", List.of(new Nexthop(null, name, 1)), 4, 0, null, 50, false));
    return this;
  }

  /** An uplink with IPv6 alone: 2001:db8:N::2/64, {@code ::/0 via fe80::1}, no IPv4 address or route. */
  public Fixtures ipv6OnlyUplink(String name, int n) {
    links.add(new Link(name, links.size() + 2, true, true, false, "veth", List.of()));
    return ipv6(name, "2001:db8:" + n + "::2", "2001:db8:" + n + "::/64", "fe80::1", 100 + n);
  }

  public Fixtures link(String name, boolean withAddress) {
    links.add(new Link(name, links.size() + 2, true, true, false, "bridge", withAddress
        ? List.of(new Address(Family.INET, "192.0.2.1", 24, null, "global")) : List.of()));
    return this;
  }

  public Fixtures route(Route r) {
    routes.add(r);
    return this;
  }

  public Fixtures rule(Rule r) {
    rules.add(r);
    return this;
  }

  public Fixtures neighbor(String addr, String dev, String state) {
    neighbors.add(new Neighbor(addr, dev, List.of(state)));
    return this;
  }

  public Fixtures nftMarks(Map<String, Long> marks) {
    nft = new NftTable(true, "", 0, marks);
    return this;
  }

  public KernelState build() {
    return new KernelState(links, routes, rules, neighbors, nft);
  }
}
