package netbalancer.lab;

import static netbalancer.lab.Lab.ISP_CUSTOMER_IF;
import static netbalancer.lab.Lab.ISP_UPSTREAM_IF;
import static netbalancer.lab.Lab.LAN_INTERFACE;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The IPv6 half of a dual-stack lab, as {@code ip -batch} lines and {@code nft -f} scripts; pure,
 * like {@link LabPlan}. Every address is in 2001:db8::/32 (RFC 3849):
 *
 * <ul>
 *   <li>uplink K: router {@code 2001:db8:K::2/64}, ISP {@code 2001:db8:K::1/64} and
 *       {@code fe80::1}; the router's default is {@code ::/0 via fe80::1} on odd K (a router
 *       advertisement's link-local gateway) and {@code via 2001:db8:K::1} on even K (a global
 *       one), metric 100+K. ISP K owns 2001:db8:K::/48 and routes it all to the router (room for
 *       a delegated prefix), and forwards from the router only sources inside it (BCP 38).
 *   <li>ISP K to inet: {@code 2001:db8:fe:K::1/64} and {@code ::2}; no NAT: a server sees the
 *       source the router sent, which must lie in the uplink's /48.
 *   <li>LAN {@link #LAN_PREFIX}: router ::1, client ::10. Servers: all of {@link #SERVER_PREFIX}
 *       is local in inet; {@link #SERVER_ADDRESS} is assigned.
 * </ul>
 *
 * <p>K is written as decimal digits in a hex group (uplink 12 is 2001:db8:12::/48): still one
 * distinct /48 per uplink, and the address reads like its interface name.
 */
final class LabPlan6 {

  static final String LAN_PREFIX = "2001:db8:ff00::/64";
  static final String ROUTER_LAN_ADDRESS = "2001:db8:ff00::1";
  static final String CLIENT_ADDRESS = "2001:db8:ff00::10";
  static final String SERVER_PREFIX = "2001:db8:ffff::/64";
  static final String SERVER_ADDRESS = "2001:db8:ffff::10";
  static final String LINK_LOCAL_GATEWAY = "fe80::1";

  /** The IPv6 side of uplink {@code index}. */
  record Uplink6(int index, String name) {

    String address() {
      return "2001:db8:" + index + "::2";
    }

    String ispAddress() {
      return "2001:db8:" + index + "::1";
    }

    /** The on-link /64. */
    String subnet() {
      return "2001:db8:" + index + "::/64";
    }

    /** Everything ISP K routes to its customer, and all it accepts from it. */
    String ispPrefix() {
      return "2001:db8:" + index + "::/48";
    }

    boolean linkLocalGateway() {
      return index % 2 == 1;
    }

    String gateway() {
      return linkLocalGateway() ? LINK_LOCAL_GATEWAY : ispAddress();
    }
  }

  private final List<Uplink6> uplinks;
  private final boolean defaultRoutes;

  /** {@code names} of every uplink, 1-based; those in {@code ipv4Only} get no IPv6. */
  LabPlan6(List<String> names, Set<Integer> ipv4Only, boolean defaultRoutes) {
    List<Uplink6> list = new ArrayList<>();
    for (int i = 1; i <= names.size(); i++) {
      if (!ipv4Only.contains(i)) {
        list.add(new Uplink6(i, names.get(i - 1)));
      }
    }
    this.uplinks = List.copyOf(list);
    this.defaultRoutes = defaultRoutes;
  }

  List<Uplink6> uplinks() {
    return uplinks;
  }

  /** The IPv6 side of uplink i, or null if it has none. */
  Uplink6 uplink(int i) {
    return uplinks.stream().filter(u -> u.index() == i).findFirst().orElse(null);
  }

  /**
   * Router, after its IPv4 addresses: {@code nodad} everywhere, so no address is tentative for
   * the second duplicate address detection would take.
   */
  List<String> routerAddresses() {
    List<String> lines = new ArrayList<>();
    lines.add("addr add " + ROUTER_LAN_ADDRESS + "/64 dev " + LAN_INTERFACE + " nodad");
    for (Uplink6 u : uplinks) {
      lines.add("link set dev " + u.name() + " up");
      lines.add("addr add " + u.address() + "/64 dev " + u.name() + " nodad");
      if (defaultRoutes) {
        lines.add("route add ::/0 via " + u.gateway() + " dev " + u.name() + " metric " + (100 + u.index()));
      }
    }
    return lines;
  }

  static String routerMasquerade() {
    return "table ip6 nblab6 {\n chain postrouting {\n"
        + "  type nat hook postrouting priority 100; policy accept;\n"
        + "  oifname != \"" + LAN_INTERFACE + "\" ip6 saddr " + LAN_PREFIX + " masquerade\n }\n}\n";
  }

  /** inet: the server prefix local, a transit link per ISP, each uplink's /48 routed back. */
  List<String> inet() {
    List<String> lines = new ArrayList<>();
    lines.add("addr add " + SERVER_ADDRESS + "/128 dev lo nodad");
    lines.add("route add local " + SERVER_PREFIX + " dev lo");
    for (Uplink6 u : uplinks) {
      int i = u.index();
      lines.add("addr add 2001:db8:fe:" + i + "::2/64 dev isp" + i + " nodad");
      lines.add("route add " + u.ispPrefix() + " via 2001:db8:fe:" + i + "::1 dev isp" + i
          + " src " + SERVER_ADDRESS);
    }
    return lines;
  }

  /** ISP i, after its IPv4 lines (links are up); empty if uplink i has no IPv6. */
  List<String> isp(int i) {
    Uplink6 u = uplink(i);
    if (u == null) {
      return List.of();
    }
    return List.of(
        "addr add " + u.ispAddress() + "/64 dev " + ISP_CUSTOMER_IF + " nodad",
        "addr add " + LINK_LOCAL_GATEWAY + "/64 dev " + ISP_CUSTOMER_IF + " nodad",
        "route add " + u.ispPrefix() + " via " + u.address() + " dev " + ISP_CUSTOMER_IF,
        "addr add 2001:db8:fe:" + i + "::1/64 dev " + ISP_UPSTREAM_IF + " nodad",
        "route add ::/0 via 2001:db8:fe:" + i + "::2 dev " + ISP_UPSTREAM_IF);
  }

  /**
   * ISP i's IPv6 filter: BCP 38 (from the customer, only sources in its own /48, counted in
   * {@code leaked} when not), and a chain for IPv6-only faults.
   */
  String ispRuleset(int i) {
    Uplink6 u = uplink(i);
    if (u == null) {
      throw new IllegalArgumentException("uplink " + i + " has no IPv6");
    }
    return "table ip6 nblab6 {\n"
        + " counter leaked { }\n"
        + " chain blackhole { }\n"
        + " chain forward {\n  type filter hook forward priority 0; policy accept;\n"
        + "  iifname \"" + ISP_CUSTOMER_IF + "\" ip6 saddr != " + u.ispPrefix() + " counter name leaked drop\n"
        + "  jump blackhole\n }\n"
        + "}\n";
  }

  /** radvd's configuration for ISP u's customer link: its /64 by SLAAC, itself the default router. */
  static String radvdConfig(Uplink6 u) {
    return "interface " + ISP_CUSTOMER_IF + " {\n  AdvSendAdvert on;\n  MinRtrAdvInterval 3;\n"
        + "  MaxRtrAdvInterval 4;\n  AdvDefaultLifetime 600;\n  prefix " + u.subnet()
        + " {\n    AdvOnLink on;\n    AdvAutonomous on;\n  };\n};\n";
  }

  static List<String> client() {
    return List.of("addr add " + CLIENT_ADDRESS + "/64 dev eth0 nodad",
        "route add ::/0 via " + ROUTER_LAN_ADDRESS + " dev eth0");
  }
}
