package netbalancer.plan;

import java.util.List;
import netbalancer.observe.Family;

/**
 * One uplink as discovered: its stable index (which fixes its table and mark for as long as it
 * exists, so pinned connections keep their meaning), its IPv4 address, its IPv4 gateway (null on
 * a point-to-point link) and the connected prefixes copied into its own table; {@code ipv6} is its
 * IPv6 side, null when it has none. An IPv6-only uplink has family INET6, no IPv4 address or
 * gateway and no IPv4 connected prefixes.
 */
public record Uplink(String name, int index, Family family, String address, String gateway,
    List<String> connected, boolean carrier, Ipv6Side ipv6) {

  public Uplink {
    connected = List.copyOf(connected);
    if (address == null && ipv6 == null) {
      throw new IllegalArgumentException("uplink " + name + " has neither an IPv4 address nor an IPv6 side");
    }
  }

  /** An uplink with nothing but an IPv6 side. */
  public static Uplink ipv6Only(String name, int index, boolean carrier, Ipv6Side ipv6) {
    return new Uplink(name, index, Family.INET6, null, null, List.of(), carrier, ipv6);
  }

  public boolean hasIpv4() {
    return address != null;
  }

  /** An uplink without an IPv6 side. */
  public Uplink(String name, int index, Family family, String address, String gateway,
      List<String> connected, boolean carrier) {
    this(name, index, family, address, gateway, connected, carrier, null);
  }

  public boolean pointToPoint() {
    return hasIpv4() ? gateway == null : ipv6.gateway() == null;
  }

  public boolean hasIpv6() {
    return ipv6 != null;
  }

  /**
   * The IPv6 side of an uplink: a {@code ::/0} default in the main table through it ({@code
   * gateway} is its next hop, usually a router's link-local fe80:: address; null for a default
   * through the device alone) and the global address new connections are translated to.
   */
  public record Ipv6Side(String address, int prefixLength, String gateway, List<String> connected) {
    public Ipv6Side {
      if (address == null || address.indexOf(':') < 0) {
        throw new IllegalArgumentException("not an IPv6 address: " + address);
      }
      connected = List.copyOf(connected);
    }
  }
}
