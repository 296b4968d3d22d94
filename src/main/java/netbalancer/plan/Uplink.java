package netbalancer.plan;

import java.util.List;
import netbalancer.observe.Family;

/**
 * One uplink as discovered: its stable index (which fixes its table and mark for as long as it
 * exists, so pinned connections keep their meaning), its address, its gateway (null on a
 * point-to-point link) and the connected prefixes copied into its own table; {@code ipv6} is its
 * IPv6 side, null when it has none.
 */
public record Uplink(String name, int index, Family family, String address, String gateway,
    List<String> connected, boolean carrier, Ipv6Side ipv6) {

  public Uplink {
    connected = List.copyOf(connected);
  }

  /** An uplink without an IPv6 side. */
  public Uplink(String name, int index, Family family, String address, String gateway,
      List<String> connected, boolean carrier) {
    this(name, index, family, address, gateway, connected, carrier, null);
  }

  public boolean pointToPoint() {
    return gateway == null;
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
