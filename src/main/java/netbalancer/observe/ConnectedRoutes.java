package netbalancer.observe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The IPv4 connected routes the kernel makes for the links' addresses (its fib_add_ifaddr): for
 * each address of a link that is administratively up, {@code PREFIX/LEN dev LINK proto kernel
 * scope link src ADDRESS}, where PREFIX is the address's (or, on a point-to-point link, the peer's)
 * network; none for a /32 without a peer, a prefix in 0.0.0.0/8 or the loopback device. A secondary address of a
 * prefix already listed adds nothing (the kernel makes the route for the primary only).
 *
 * <p>The daemon's first read takes main's connected routes from here instead of waiting for their
 * dump: even filtered by the kernel ({@code proto kernel}), that dump walks every route of main —
 * 0.1 s at 1 000 000 routes of a routing feed, as long as the whole first apply may take. The dump
 * still runs and feeds the pass after the first apply, which corrects what differs (an address
 * whose manager left its prefix route out, a connected route someone removed or added by hand).
 * Routes that an address manager adds itself for an address marked {@code noprefixroute}
 * (NetworkManager's, with its own metric) are listed too, as the planner only reads their prefix
 * and device.
 */
final class ConnectedRoutes {
  private static final int KERNEL_PROTO = 2;
  private static final int SCOPE_LINK = 253;
  /** Every namespace's loopback device is made first: index 1. */
  private static final int LOOPBACK_IFINDEX = 1;

  private ConnectedRoutes() {
  }

  /** The IPv4 connected routes of {@code links}' addresses, in link and address order, one per prefix and link. */
  static List<Route> ipv4(List<Link> links) {
    Map<String, Route> out = new LinkedHashMap<>();
    for (Link link : links) {
      if (!link.adminUp() || link.ifindex() == LOOPBACK_IFINDEX) {
        continue; // the loopback's prefix route is a local one, in the local table
      }
      for (Address a : link.addresses()) {
        String dst = a.family() == Family.INET ? prefix(a) : null;
        if (dst != null) {
          out.putIfAbsent(dst + " " + link.name(), new Route(Family.INET, KernelObserver.MAIN_TABLE, dst,
              List.of(new Nexthop(null, link.name(), 1)), KERNEL_PROTO, SCOPE_LINK, a.local(), null, !link.carrier()));
        }
      }
    }
    return new ArrayList<>(out.values());
  }

  /** As ip prints it: {@code 198.18.1.0/24}, a host route without {@code /32}; null when the kernel makes none. */
  static String prefix(Address a) {
    boolean peer = a.peer() != null && !a.peer().isEmpty() && !a.peer().equals(a.local());
    int len = a.prefixLen();
    if (len < 0 || len > 32 || !peer && len == 32) {
      return null;
    }
    long base = parse(peer ? a.peer() : a.local());
    if (base < 0) {
      return null;
    }
    long mask = len == 0 ? 0 : (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
    long net = base & mask;
    if ((net >>> 24) == 0) {
      return null; // 0.0.0.0/8: the kernel makes no route for a zero network
    }
    String text = ((net >>> 24) & 255) + "." + ((net >>> 16) & 255) + "." + ((net >>> 8) & 255) + "." + (net & 255);
    return len == 32 ? text : text + "/" + len;
  }

  /** A dotted quad as a number, or -1 when it is not one. */
  private static long parse(String dotted) {
    String[] parts = dotted.split("\\.", -1);
    if (parts.length != 4) {
      return -1;
    }
    long v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return -1;
      }
      int octet = Integer.parseInt(p);
      if (octet > 255) {
        return -1;
      }
      v = (v << 8) | octet;
    }
    return v;
  }
}
