package netbalancer.lab;

import static netbalancer.lab.Lab.CLIENT_ADDRESS;
import static netbalancer.lab.Lab.INTERNET_PREFIX;
import static netbalancer.lab.Lab.ISP_CUSTOMER_IF;
import static netbalancer.lab.Lab.ISP_UPSTREAM_IF;
import static netbalancer.lab.Lab.LAN_INTERFACE;
import static netbalancer.lab.Lab.ROUTER_LAN_ADDRESS;
import static netbalancer.lab.Lab.SERVER_ADDRESS;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * What a lab is made of, as {@code ip -batch} lines and {@code nft -f} scripts. Pure: the
 * address plan of {@link Lab}'s javadoc lives here, and unit tests read it without a kernel.
 */
final class LabPlan {

  /** Addresses of one uplink; {@code gateway} is null for a point-to-point link. */
  record Uplink(int index, String name, String address, int prefixLength, String ispAddress,
      String gateway, boolean pointToPoint, String publicAddress) {

    String subnet() {
      return pointToPoint ? address + "/32" : address.substring(0, address.lastIndexOf('.')) + ".0/24";
    }
  }

  private final List<Uplink> uplinks;
  private final boolean sharedPair;
  private final boolean defaultRoutes;
  private final IntFunction<String> ispNs;
  private final String clientNs;
  private final Set<Integer> ipv6Only;

  LabPlan(List<String> names, boolean sharedPair, Set<Integer> pointToPoint, boolean defaultRoutes,
      IntFunction<String> ispNs, String clientNs) {
    this(names, sharedPair, pointToPoint, defaultRoutes, ispNs, clientNs, Set.of());
  }

  /** As above; the uplinks in {@code ipv6Only} get no IPv4 address, route or ISP side. */
  LabPlan(List<String> names, boolean sharedPair, Set<Integer> pointToPoint, boolean defaultRoutes,
      IntFunction<String> ispNs, String clientNs, Set<Integer> ipv6Only) {
    List<Uplink> list = new ArrayList<>();
    for (int i = 1; i <= names.size(); i++) {
      String name = names.get(i - 1);
      String pub = "198.19." + i + ".1";
      if (sharedPair && i <= 2) {
        list.add(new Uplink(i, name, "198.18.100." + (i + 1), 24, "198.18.100.1", "198.18.100.1",
            false, pub));
      } else if (pointToPoint.contains(i)) {
        list.add(new Uplink(i, name, "198.18." + i + ".2", 32, "198.18." + i + ".1", null, true, pub));
      } else {
        list.add(new Uplink(i, name, "198.18." + i + ".2", 24, "198.18." + i + ".1",
            "198.18." + i + ".1", false, pub));
      }
    }
    this.uplinks = List.copyOf(list);
    this.sharedPair = sharedPair;
    this.defaultRoutes = defaultRoutes;
    this.ispNs = ispNs;
    this.clientNs = clientNs;
    this.ipv6Only = Set.copyOf(ipv6Only);
  }

  boolean hasIpv4(int i) {
    return !ipv6Only.contains(i);
  }

  List<Uplink> uplinks() {
    return uplinks;
  }

  Uplink uplink(int i) {
    if (i < 1 || i > uplinks.size()) {
      throw new IllegalArgumentException("no uplink " + i + " (1.." + uplinks.size() + ")");
    }
    return uplinks.get(i - 1);
  }

  /** Router namespace, first: every veth pair, each peer made directly in its namespace. */
  List<String> routerLinks() {
    List<String> lines = new ArrayList<>();
    for (Uplink u : uplinks) {
      // A p2p link has no ARP; both ends share one MAC so frames are addressed to the receiver.
      String mac = u.pointToPoint() ? String.format(" address 02:00:c6:12:%02x:02", u.index()) : "";
      lines.add("link add " + u.name() + mac + " type veth peer name " + ISP_CUSTOMER_IF + mac
          + " netns " + ispNs.apply(u.index()));
    }
    lines.add("link add " + LAN_INTERFACE + " type veth peer name eth0 netns " + clientNs);
    return lines;
  }

  /** Router namespace, last: addresses and the default routes DHCP would have added. */
  List<String> routerAddresses() {
    List<String> lines = new ArrayList<>();
    lines.add("link set dev " + LAN_INTERFACE + " up");
    lines.add("addr add " + ROUTER_LAN_ADDRESS + "/24 dev " + LAN_INTERFACE);
    for (Uplink u : uplinks) {
      lines.add("link set dev " + u.name() + (u.pointToPoint() ? " arp off" : "") + " up");
      if (!hasIpv4(u.index())) {
        continue;
      }
      lines.add(u.pointToPoint()
          ? "addr add " + u.address() + " peer " + u.ispAddress() + "/32 dev " + u.name()
          : "addr add " + u.address() + "/24 dev " + u.name());
      if (defaultRoutes) {
        lines.add("route add default " + (u.pointToPoint() ? "" : "via " + u.gateway() + " ")
            + "dev " + u.name() + " metric " + (100 + u.index()));
      }
    }
    return lines;
  }

  static String routerMasquerade() {
    return "table ip nblab {\n chain postrouting {\n"
        + "  type nat hook postrouting priority 100; policy accept;\n"
        + "  oifname != \"" + LAN_INTERFACE + "\" ip saddr 192.0.2.0/24 masquerade\n }\n}\n";
  }

  /** The internet: all of 203.0.113.0/24 local, a link per ISP, a route back to each uplink. */
  List<String> inet() {
    List<String> lines = new ArrayList<>();
    for (Uplink u : uplinks) {
      lines.add("link add isp" + u.index() + " type veth peer name " + ISP_UPSTREAM_IF
          + " netns " + ispNs.apply(u.index()));
    }
    lines.add("addr add " + SERVER_ADDRESS + "/32 dev lo");
    lines.add("route add local " + INTERNET_PREFIX + " dev lo");
    for (Uplink u : uplinks) {
      int i = u.index();
      lines.add("link set dev isp" + i + " up");
      lines.add("addr add 198.19." + i + ".2/24 dev isp" + i);
      if (!(sharedPair && i == 2) && hasIpv4(i)) { // one route to the shared subnet: via ISP 1
        lines.add("route add " + u.subnet() + " via 198.19." + i + ".1 dev isp" + i
            + " src " + SERVER_ADDRESS);
      }
    }
    return lines;
  }

  List<String> isp(int i) {
    Uplink u = uplink(i);
    List<String> lines = new ArrayList<>();
    lines.add("link set dev " + ISP_CUSTOMER_IF + (u.pointToPoint() ? " arp off" : "") + " up");
    if (hasIpv4(i)) {
      lines.add(u.pointToPoint()
          ? "addr add " + u.ispAddress() + " peer " + u.address() + "/32 dev " + ISP_CUSTOMER_IF
          : "addr add " + u.ispAddress() + "/24 dev " + ISP_CUSTOMER_IF);
    }
    lines.add("link set dev " + ISP_UPSTREAM_IF + " up");
    lines.add("addr add " + u.publicAddress() + "/24 dev " + ISP_UPSTREAM_IF);
    lines.add("route add default via 198.19." + i + ".2 dev " + ISP_UPSTREAM_IF);
    return lines;
  }

  /** Faults live in their own chains and set, so each switch rewrites only its part. */
  static String ispRuleset() {
    return "table ip nblab {\n"
        + " set blocked { type ipv4_addr; }\n"
        + " chain blackhole { }\n"
        + " chain loss { }\n"
        + " chain forward {\n  type filter hook forward priority 0; policy accept;\n"
        + "  ip daddr @blocked drop\n  ip saddr @blocked drop\n"
        + "  jump blackhole\n  jump loss\n }\n"
        + " chain postrouting {\n  type nat hook postrouting priority 100; policy accept;\n"
        + "  oifname \"" + ISP_UPSTREAM_IF + "\" masquerade\n }\n"
        + "}\n";
  }

  static List<String> client() {
    return List.of("link set dev eth0 up", "addr add " + CLIENT_ADDRESS + "/24 dev eth0",
        "route add default via " + ROUTER_LAN_ADDRESS + " dev eth0");
  }
}
