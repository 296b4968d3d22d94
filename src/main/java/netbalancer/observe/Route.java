package netbalancer.observe;

import java.util.List;

/**
 * A route as the kernel reports it ({@code ip -j -d -N route show table all}); numbers for the
 * table, protocol and scope. A single-path route has one entry in {@code nexthops}.
 *
 * @param type null for a unicast route; {@code unreachable} or {@code blackhole} (no nexthops) for
 *             the last resorts of the policies
 */
public record Route(Family family, int table, String dst, List<Nexthop> nexthops, int protocol,
    int scope, String prefsrc, Integer metric, boolean linkdown, String type) {

  public static final String UNREACHABLE = "unreachable";
  public static final String BLACKHOLE = "blackhole";

  public Route {
    nexthops = List.copyOf(nexthops);
    if (type != null && !type.equals(UNREACHABLE) && !type.equals(BLACKHOLE)) {
      throw new IllegalArgumentException("route type " + type);
    }
  }

  /** A unicast route. */
  public Route(Family family, int table, String dst, List<Nexthop> nexthops, int protocol, int scope, String prefsrc,
      Integer metric, boolean linkdown) {
    this(family, table, dst, nexthops, protocol, scope, prefsrc, metric, linkdown, null);
  }

  public boolean isDefault() {
    return "default".equals(dst);
  }
}
